/* --as USER[:GROUP]: the su-exec/gosu user switch, with names from the
 * sandbox's own /etc/passwd and /etc/group. */
#ifndef NSRUN_ENGINE_USER_H
#define NSRUN_ENGINE_USER_H

#include <nsrun/error.h>

/* Resolve spec (USER[:GROUP], names or numbers) in the current root, then
 * setgroups, setgid, setuid, set HOME, and drop every capability when the
 * new uid is not 0. */
int user_switch(const char *spec, int verbose, struct nsrun_error *err);

#endif
