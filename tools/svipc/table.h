/* `svipc ls`'s text output: one table per kind, columns as ipcs and lsipc
 * print them, plus a NOTE column for channels and orphans. */
#ifndef SVIPC_TOOL_TABLE_H
#define SVIPC_TOOL_TABLE_H

#include "args.h"
#include "snapshot.h"

/* The heading and one line per object that selected() passes. */
void table_shm(const struct options *o, const struct snapshot *s);
void table_sem(const struct options *o, const struct snapshot *s);
void table_msg(const struct options *o, const struct snapshot *s);

#endif
