/* SPDX-License-Identifier: Apache-2.0 */
/* Length-framed messages on the launcher <-> init sync socket. */
#ifndef NSRUN_ENGINE_START_SYNC_H
#define NSRUN_ENGINE_START_SYNC_H

#include <stddef.h>

#include <nsrun/error.h>

/* Send the one byte a spawned child holds for (nsrun_reexec_attr.hold_fd). */
int sync_release(int fd, struct nsrun_error *err);

/* Send one message: a 32-bit length, then the bytes. */
int sync_send(int fd, const void *buf, size_t len, struct nsrun_error *err);

/* Receive one message into a malloc'd buffer. Returns 0, or 1 at a clean
 * end of stream (the peer closed before sending), or -1 with err filled. */
int sync_recv(int fd, char **buf, size_t *len, struct nsrun_error *err);

/* An error as a message: exit status, errno, the part of the spec it is
 * about and the text ("E..."), so that the stage's or a helper's error
 * reaches the launcher whole. Returns the length written to buf. */
int sync_error_format(const struct nsrun_error *err, char *buf, size_t size);

/* Read such a message back into err; -1 if it is not one. */
int sync_error_parse(const char *msg, size_t len, struct nsrun_error *err);

#endif
