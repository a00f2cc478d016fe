/* SPDX-License-Identifier: Apache-2.0 */
/* A foreground container's terminal, held by nsrun: the container's stage
 * sends the pty master over a socket pair instead of a --console-socket,
 * and nsrun copies between it and its own stdin and stdout until the
 * process ends, with its own terminal in raw mode and the window size
 * following it, as runc does for `run -t` and `exec -t` without a console
 * socket. See tty_proxy.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "engine/start/forward.h"
#include "oci/tty_proxy.h"
#include "util/cleanup.h"

#define COPY_SIZE 8192

int tty_receive_master(int sock, struct nsrun_error *err)
{
	char name[256];
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return nsrun_fail(err, n < 0 ? errno : EPROTO, "receive the container's terminal");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/* Copy what is there from one descriptor to another; false at the end. */
static bool copy_once(int from, int to)
{
	char buf[COPY_SIZE];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		done += w;
	}
	return true;
}

static void follow_window(int master)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* One signal on the signal descriptor: the window changed, the process
 * ended (1, with *status), or a signal to pass on. */
static int take_signal(int sigfd, int master, pid_t pid, int *status)
{
	struct signalfd_siginfo si;
	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGWINCH) {
		follow_window(master);
	} else if (si.ssi_signo == SIGCHLD) {
		int ws;
		if (waitpid(pid, &ws, WNOHANG) == pid) {
			*status = exit_status_of(ws);
			return 1;
		}
	} else {
		kill(pid, (int)si.ssi_signo);
	}
	return 0;
}

/* What is left in the master once the process ended. */
static void drain(int master)
{
	int flags = fcntl(master, F_GETFL);
	if (flags >= 0)
		fcntl(master, F_SETFL, flags | O_NONBLOCK);
	while (copy_once(master, STDOUT_FILENO)) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
			break;
	}
}

static int proxy_loop(int master, int sigfd, pid_t pid)
{
	bool input = true, output = true;
	int status = NSRUN_EXIT_FAILURE, ws;
	/* It may have ended before the signal descriptor was there. */
	if (waitpid(pid, &ws, WNOHANG) == pid) {
		drain(master);
		return exit_status_of(ws);
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = sigfd, .events = POLLIN },
				       { .fd = output ? master : -1, .events = POLLIN },
				       { .fd = input ? STDIN_FILENO : -1, .events = POLLIN } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & POLLIN) && take_signal(sigfd, master, pid, &status) == 1)
			break;
		/* The slave closed: wait for the process to end. */
		if ((p[1].revents & (POLLIN | POLLHUP)) && !copy_once(master, STDOUT_FILENO))
			output = false;
		if ((p[2].revents & (POLLIN | POLLHUP)) && !copy_once(STDIN_FILENO, master))
			input = false;
	}
	drain(master);
	return status;
}

int tty_proxy(int master, pid_t pid, struct nsrun_error *err)
{
	sigset_t set, old;
	forward_signal_set(&set);
	sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return nsrun_fail(err, errno, "sigprocmask");
	cleanup_close int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return nsrun_fail(err, errno, "signalfd");
	}
	struct termios saved, raw;
	bool restore = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (restore) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		follow_window(master);
	}
	int status = proxy_loop(master, sigfd, pid);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
