/* svipc — list, inspect and clean System V IPC objects.
 *
 * The command-line face of include/svipc/admin.h, and the library's first C
 * user: it uses the public C API only. Exit status: 0 success, 1 an
 * operation failed (missing object, permission...), 2 bad arguments.
 * doc/svipc.1 is the manual.
 *
 * This file holds the command table and the dispatch. The pieces: args.c
 * (the command line, parsed without running anything), one file per command
 * or family (ls.c, stat.c, remove.c for rm and clean, limits.c), what they
 * share (snapshot.c: the objects read once; target.c: the objects stat and
 * rm name; format.c: field text; report.c: failure messages), and the two
 * outputs (table.c: ls's tables; json.c: the JSON writer, object_json.c:
 * one object as JSON). `svipc topic list|info|echo|hz|pub` are topic_list.c,
 * topic_echo.c, topic_hz.c and topic_pub.c on topic.c (a channel opened by
 * name with its schema parsed) and schema.c (the schema text's parser,
 * decoder and encoder; json_reader.c reads JSON, textbuf.c collects text).
 * `svipc bridge` lives in tools/bridge/.
 */
#include "args.h"
#include "commands.h"

#include "bridge/bridge.h"

#include <string.h>

static int (*const runners[COMMAND_COUNT])(struct options *, int, char **) = {
    [COMMAND_LS] = run_ls,       [COMMAND_LIST] = run_ls,   [COMMAND_STAT] = run_stat,
    [COMMAND_RM] = run_rm,       [COMMAND_CLEAN] = run_clean, [COMMAND_LIMITS] = run_limits,
    [COMMAND_TOPIC_LIST] = run_topic_list, [COMMAND_TOPIC_INFO] = run_topic_info,
    [COMMAND_TOPIC_ECHO] = run_topic_echo, [COMMAND_TOPIC_HZ] = run_topic_hz, [COMMAND_TOPIC_PUB] = run_topic_pub,
};

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "bridge") == 0)
        return bridge_main(argc - 1, argv + 1); /* tools/bridge/, doc/bridge.md */
    struct invocation invocation;
    const int status = parse_command_line(argc, argv, &invocation);
    if (status >= 0)
        return status;
    return runners[invocation.command->id](&invocation.options, invocation.argc, invocation.argv);
}
