/* SPDX-License-Identifier: Apache-2.0 */
/* --console-socket: where create, run and exec send the container's
 * terminal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "oci/oci.h"
#include "util/cleanup.h"
#include "util/file.h"

/* A path longer than sun_path is reached through its directory: opened
 * into *dir, the path to connect to is /proc/self/fd/DIR/NAME. */
static int shorten(const char *path, int *dir, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	char dirname[PATH_MAX];
	if (path_format(dirname, sizeof(dirname), "%.*s", slash ? (int)(slash - path) : 1,
			slash ? path : ".") < 0)
		return -1;
	*dir = open(dirname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return path_format(out, size, "/proc/self/fd/%d/%s", *dir, slash ? slash + 1 : path);
}

int oci_connect_console(const char *path, struct nsrun_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nsrun_fail(err, errno, "--console-socket %s", path);
	char proc_path[64];
	cleanup_close int dir = -1;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		if (shorten(path, &dir, proc_path, sizeof(proc_path)) < 0)
			/* cppcheck-suppress resourceLeak ; cleanup_close closes it */
			return nsrun_fail(err, ENAMETOOLONG, "--console-socket %s", path);
		path = proc_path;
	}
	/* fits: path is shorter than sun_path, or proc_path, shorter still */
	(void)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return nsrun_fail(err, errno, "--console-socket %s: connect", path);
	return take_fd(&fd);
}
