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
#include "engine/fs/rootfs.h"

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
		return nsrun_fail(err, errno, "--console-socket: send the terminal");
	return 0;
}

/* /dev/console becomes the slave pty: bind it onto a file there. */
static int bind_console(const char *slave_path, struct nsrun_error *err)
{
	int file = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (file < 0)
		return errno == ENOENT ? 0 : nsrun_fail(err, errno, "create /dev/console");
	close(file);
	if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return nsrun_fail(err, errno, "bind %s on /dev/console", slave_path);
	return 0;
}

int console_setup(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	char name[64];
	int master = -1, slave = -1, rc = -1;
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return nsrun_fail(err, errno, "terminal: open /dev/ptmx");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0) {
		nsrun_fail(err, errno, "terminal: unlock the pty");
		goto out;
	}
	if (ct->console_rows && ct->console_cols) {
		struct winsize ws = { .ws_row = ct->console_rows, .ws_col = ct->console_cols };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			nsrun_fail(err, errno, "terminal: consoleSize");
			goto out;
		}
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		nsrun_fail(err, errno, "terminal: open %s", name);
		goto out;
	}
	/* /dev/console is the container's first process's (not an exec's). */
	if (ct->park && bind_console(name, err) < 0)
		goto out;
	if (ct->console_socket_fd >= 0) {
		if (send_master(ct->console_socket_fd, master, name, err) < 0)
			goto out;
		close(ct->console_socket_fd);
	}
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
		nsrun_fail(err, errno, "terminal: make %s the controlling terminal", name);
		goto out;
	}
	for (int fd = 0; fd < 3; fd++) {
		if (dup2(slave, fd) < 0) {
			nsrun_fail(err, errno, "terminal: dup2");
			goto out;
		}
	}
	rc = 0;
out:
	if (master >= 0)
		close(master);
	if (slave > 2)
		close(slave);
	return rc;
}
