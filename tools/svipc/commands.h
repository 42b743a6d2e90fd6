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
int run_topic_list(struct options *o, int argc, char **argv); /* topic_list.c */
int run_topic_info(struct options *o, int argc, char **argv); /* topic_list.c */
int run_topic_echo(struct options *o, int argc, char **argv); /* topic_echo.c */
int run_topic_hz(struct options *o, int argc, char **argv);   /* topic_hz.c */
int run_topic_pub(struct options *o, int argc, char **argv);  /* topic_pub.c */

#endif
