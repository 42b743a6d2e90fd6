/* One IPC object as a JSON object, with lsipc --json's field names plus
 * svipc's (orphan, channel): shared by `ls --json` and `stat --json`. */
#ifndef SVIPC_TOOL_OBJECT_JSON_H
#define SVIPC_TOOL_OBJECT_JSON_H

#include "json.h"
#include "snapshot.h"

/* s->shm[index], s->sem[index], s->msg[index]. */
void json_shm(struct json *j, const struct snapshot *s, int index);
void json_sem(struct json *j, const struct snapshot *s, int index);
void json_msg(struct json *j, const struct snapshot *s, int index);

#endif
