/* SPDX-License-Identifier: Apache-2.0 */
/* Framed messages on the sync socket. See sync.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/start/sync.h"
#include "util/file.h"

/* A spec is a few kilobytes; anything near this is corruption. */
#define SYNC_MAX_MESSAGE (16u << 20)

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A number and its ':' at *text ("-2:"), *text moved past them. */
static bool take_int(const char **text, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(*text, &end, 10);
	if (errno || end == *text || *end != ':' || v < INT_MIN || v > INT_MAX)
		return false;
	*out = (int)v;
	*text = end + 1;
	return true;
}

int sync_release(int fd, struct nsrun_error *err)
{
	if (write_all(fd, "g", 1) < 0)
		return nsrun_fail(err, errno, "sync socket: release the init stage");
	return 0;
}

int sync_send(int fd, const void *buf, size_t len, struct nsrun_error *err)
{
	uint32_t n = (uint32_t)len;
	if (len > SYNC_MAX_MESSAGE)
		return nsrun_fail(err, EMSGSIZE, "sync socket: send");
	if (write_all(fd, (const char *)&n, sizeof(n)) < 0 || write_all(fd, buf, len) < 0)
		return nsrun_fail(err, errno, "sync socket: send");
	return 0;
}

int sync_recv(int fd, char **buf, size_t *len, struct nsrun_error *err)
{
	uint32_t n;
	ssize_t got = file_read_full(fd, &n, sizeof(n));
	if (got < 0)
		return nsrun_fail(err, errno, "sync socket: receive");
	if (got == 0)
		return 1;
	if ((size_t)got < sizeof(n) || n > SYNC_MAX_MESSAGE)
		return nsrun_fail(err, EPROTO, "sync socket: receive");
	char *data = malloc(n ? n : 1);
	if (!data)
		return nsrun_fail(err, errno, "sync socket: receive");
	got = file_read_full(fd, data, n);
	if (got != (ssize_t)n) {
		free(data);
		return nsrun_fail(err, got < 0 ? errno : EPROTO, "sync socket: receive");
	}
	*buf = data;
	*len = n;
	return 0;
}

int sync_error_format(const struct nsrun_error *err, char *buf, size_t size)
{
	int n = snprintf(buf, size, "E%d:%d:%d:%d:%s", err->status, err->errnum, err->about,
			 err->index, err->msg);
	return n < 0 ? 0 : (size_t)n < size ? n : (int)size - 1;
}

int sync_error_parse(const char *msg, size_t len, struct nsrun_error *err)
{
	char text[sizeof(err->msg) + 48];
	if (len == 0 || msg[0] != 'E' || len >= sizeof(text))
		return -1;
	memcpy(text, msg, len);
	text[len] = '\0';
	int status, errnum, about, index;
	const char *rest = text + 1;
	if (!take_int(&rest, &status) || !take_int(&rest, &errnum) || !take_int(&rest, &about) ||
	    !take_int(&rest, &index))
		return -1;
	nsrun_fail_status(err, status, 0, "%s", rest);
	err->errnum = errnum;
	if (about > NSRUN_ABOUT_NOTHING && about < NSRUN_ABOUT_COUNT)
		nsrun_error_about(err, (enum nsrun_about)about, index);
	return 0;
}
