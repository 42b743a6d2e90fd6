#include "skip_note.h"

#include <stdio.h>

void skip_note(const char *what, const char *why)
{
    printf("%s %s: %s\n", SKIP_NOTE_PREFIX, what, why);
    fflush(stdout); /* before a forked Check child exits */
}
