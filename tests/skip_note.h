/* A check that cannot run here, said out loud: one line on stdout that the
 * test logs keep and tools/run-cross-tests.sh lists at the end, so a skip is
 * never silent. Only for what the environment lacks (an emulator's missing
 * syscall), never for what svipc gets wrong. */
#ifndef SVIPC_TESTS_SKIP_NOTE_H
#define SVIPC_TESTS_SKIP_NOTE_H

#define SKIP_NOTE_PREFIX "SVIPC-SKIPPED"

/* Prints "SVIPC-SKIPPED <what>: <why>". */
void skip_note(const char *what, const char *why);

#endif
