/* SPDX-License-Identifier: Apache-2.0 */
/* The container's terminal. See console.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/fs/console.h"
#include "util/cleanup.h"

static int send_master(int sock, int master, const char *name, struct nsrun_error *err)
{
	char control[CMSG_SPACE(sizeof(int))];
	memset(control, 0, sizeof(control));
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return nsrun_fail(err, errno, "send the terminal to the console socket");
	return 0;
}

/* /dev/console becomes the slave pty: bind it onto a file there. */
static int bind_console(const char *slave_path, struct nsrun_error *err)
{
	cleanup_close int file =
		open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (file < 0)
		return errno == ENOENT ? 0 : nsrun_fail(err, errno, "create /dev/console");
	if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return nsrun_fail(err, errno, "bind %s on /dev/console", slave_path);
	return 0;
}

/* The slave becomes the controlling terminal and descriptors 0, 1 and 2. */
static int make_controlling(int slave, const char *name, struct nsrun_error *err)
{
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return nsrun_fail(err, errno, "make %s the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return nsrun_fail(err, errno, "dup2 %s onto %d", name, fd);
	return 0;
}

static int setup_pty(const struct nsrun_container *ct, struct nsrun_error *err)
{
	char name[64];
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return nsrun_fail(err, errno, "open /dev/ptmx");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return nsrun_fail(err, errno, "unlock the pty");
	if (ct->console_rows && ct->console_cols) {
		struct winsize ws = { .ws_row = ct->console_rows, .ws_col = ct->console_cols };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return nsrun_fail(err, errno, "set the terminal's size");
	}
	cleanup_close int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return nsrun_fail(err, errno, "open %s", name);
	/* /dev/console is the container's first process's (not an exec's). */
	if (ct->park && bind_console(name, err) < 0)
		return -1;
	if (ct->console_socket_fd >= 0) {
		if (send_master(ct->console_socket_fd, master, name, err) < 0)
			return -1;
		close(ct->console_socket_fd);
	}
	if (make_controlling(slave, name, err) < 0)
		return -1;
	if (slave <= 2)
		take_fd(&slave);
	return 0;
}

int console_setup(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (setup_pty(spec_container(spec), err) < 0)
		return nsrun_error_about(err, NSRUN_ABOUT_TERMINAL, -1);
	return 0;
}
