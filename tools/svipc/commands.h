/* svipc(1)'s commands, one runner each, called by main() with the parsed
 * options and the remaining operands. Each returns the exit status. */
#ifndef SVIPC_TOOL_COMMANDS_H
#define SVIPC_TOOL_COMMANDS_H

#include "args.h"

int run_ls(struct options *o, int argc, char **argv);     /* ls.c (also `list`) */
int run_stat(struct options *o, int argc, char **argv);   /* stat.c */
int run_rm(struct options *o, int argc, char **argv);     /* remove.c */
int run_clean(struct options *o, int argc, char **argv);  /* remove.c */
int run_limits(struct options *o, int argc, char **argv); /* limits.c */

#endif
