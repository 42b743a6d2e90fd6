/* svipc bridge — carry channels between hosts over ZeroMQ (doc/bridge.md).
 *
 * tools/svipc/main.c hands `svipc bridge ...` to bridge_main(). The pieces:
 * bridge_wire.c (wire format), bridge_options.c (command line, endpoints),
 * bridge_curve.c (CURVE keys, ZAP allow-list), bridge_out.c (local channels
 * -> network), bridge_in.c (network -> local channels), bridge_stats.c,
 * bridge.c (the process: sockets, signals, the event loop).
 */
#ifndef SVIPC_BRIDGE_H
#define SVIPC_BRIDGE_H

/* Run `svipc bridge ARGS...` (argv[0] is "bridge"). Returns the exit status. */
int bridge_main(int argc, char **argv);

#endif
