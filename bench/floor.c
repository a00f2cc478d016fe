/* floor: the least a namespace launcher must do, as a baseline for nsrun's
 * start-up benchmark (bench/run.sh).
 *
 *   floor [-UmpnuiC] [-P] [-L] COMMAND [ARG...]
 *   floor -I [-UmnuiC] [-L] COMMAND [ARG...]
 *
 * One clone() into the selected new namespaces. When -U is given the parent
 * writes a root map (inside 0 -> our euid/egid, one id) for the child, which
 * waits on a pipe until that is done, as a real runtime must: an execve by an
 * unmapped uid would drop the capabilities the child holds in its new user
 * namespace. The child then execs COMMAND (PATH is searched); the parent waits
 * and exits with the child's status (128 + N for a signal).
 *
 * -P mounts a new proc on /proc in the child before the exec (needs -m and,
 * to be meaningful, -p). -L sets the loopback device of the new network
 * namespace up (one rtnetlink request; needs -n). Both are there to match
 * what nsrun does with --mount-proc and -n. Nothing else: no propagation
 * change, no signal forwarding, no descriptor hygiene.
 *
 * -I is the in-place floor instead: unshare() the namespaces, write our own
 * root map (setgroups must be denied first: we have no CAP_SETGID in the
 * parent user namespace any more) and exec COMMAND in this process. A new PID
 * namespace would apply only to children, so -p is refused with -I.
 *
 * Build: cc -O2 -Wall -Wextra -o floor floor.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define STACK_SIZE (64 * 1024)

struct child_args {
	char **argv;
	int pipe_rd;
	int pipe_wr;
	int mount_proc;
	int loopback;
};

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* RTM_NEWLINK for ifindex 1 (lo in a new network namespace) with IFF_UP,
 * and wait for the kernel's acknowledgement. */
static void loopback_up(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = 1;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("netlink socket");
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("netlink send");
	union {
		struct nlmsghdr nh;
		char buf[256];
	} ack;
	ssize_t n = recv(fd, &ack, sizeof(ack), 0);
	if (n < 0)
		die("netlink receive");
	if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) || ack.nh.nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "floor: netlink: unexpected reply\n");
		exit(125);
	}
	const struct nlmsgerr *e = NLMSG_DATA(&ack.nh);
	if (e->error != 0) {
		errno = -e->error;
		die("set lo up");
	}
	if (close(fd) < 0)
		die("close");
}

static int child_main(void *arg)
{
	struct child_args *a = arg;
	char go;
	ssize_t n;

	if (close(a->pipe_wr) < 0)
		die("child: close");
	do
		n = read(a->pipe_rd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		/* EOF: the parent failed to write the maps and said why. */
		_exit(125);
	}
	if (close(a->pipe_rd) < 0)
		die("child: close");
	if (a->mount_proc &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("child: mount proc on /proc");
	if (a->loopback)
		loopback_up();
	execvp(a->argv[0], a->argv);
	int e = errno;
	fprintf(stderr, "floor: exec %s: %s\n", a->argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* pid 0 means this process. */
static void write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	if (n < 0)
		die(path);
	if ((size_t)n != len) {
		fprintf(stderr, "floor: %s: short write\n", path);
		exit(125);
	}
	if (close(fd) < 0)
		die(path);
}

/* Map root inside to uid/gid outside, one id each. */
static void write_root_map(pid_t pid, uid_t uid, gid_t gid, int deny_setgroups)
{
	char map[64];
	if (deny_setgroups)
		write_file(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	write_file(pid, "uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	write_file(pid, "gid_map", map);
}

static int run_in_place(int flags, int mount_proc, int loopback, char **argv)
{
	if (flags & CLONE_NEWPID) {
		fprintf(stderr, "floor: -I cannot take -p\n");
		return 125;
	}
	if (mount_proc) {
		fprintf(stderr, "floor: -I cannot take -P\n");
		return 125;
	}
	/* The ids must be read before the unshare: afterwards they are the
	 * overflow ids until the maps are written. */
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(flags) < 0)
		die("unshare");
	if (flags & CLONE_NEWUSER)
		write_root_map(0, uid, gid, 1);
	if (loopback)
		loopback_up();
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "floor: exec %s: %s\n", argv[0], strerror(e));
	return e == ENOENT ? 127 : 126;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor [-UmpnuiC] [-P] [-L] COMMAND [ARG...]\n"
			"       floor -I [-UmnuiC] [-L] COMMAND [ARG...]\n"
			"  -U user  -m mount  -p pid  -n net  -u uts  -i ipc  -C cgroup\n"
			"  -P mount proc on /proc in the child (needs -m)\n"
			"  -L set the loopback device up (needs -n)\n"
			"  -I in place: unshare, write own maps, exec (no child)\n");
	exit(125);
}

int main(int argc, char **argv)
{
	int flags = 0, mount_proc = 0, loopback = 0, in_place = 0, c;

	while ((c = getopt(argc, argv, "+UmpnuiCPLIh")) != -1) {
		switch (c) {
		case 'U': flags |= CLONE_NEWUSER; break;
		case 'm': flags |= CLONE_NEWNS; break;
		case 'p': flags |= CLONE_NEWPID; break;
		case 'n': flags |= CLONE_NEWNET; break;
		case 'u': flags |= CLONE_NEWUTS; break;
		case 'i': flags |= CLONE_NEWIPC; break;
		case 'C': flags |= CLONE_NEWCGROUP; break;
		case 'P': mount_proc = 1; break;
		case 'L': loopback = 1; break;
		case 'I': in_place = 1; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (mount_proc && !(flags & CLONE_NEWNS)) {
		fprintf(stderr, "floor: -P needs -m\n");
		return 125;
	}
	if (loopback && !(flags & CLONE_NEWNET)) {
		fprintf(stderr, "floor: -L needs -n\n");
		return 125;
	}
	if (in_place)
		return run_in_place(flags, mount_proc, loopback, argv + optind);

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		die("pipe2");
	struct child_args args = {
		.argv = argv + optind,
		.pipe_rd = pfd[0],
		.pipe_wr = pfd[1],
		.mount_proc = mount_proc,
		.loopback = loopback,
	};
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		die("mmap stack");
	/* No CLONE_VM: the child gets a copy of our (small) address space, as
	 * with fork(); the stack grows down from the end of the mapping. */
	pid_t pid = clone(child_main, stack + STACK_SIZE, flags | SIGCHLD, &args);
	if (pid < 0)
		die("clone");
	if (close(pfd[0]) < 0)
		die("close");

	/* Without CAP_SETGID outside (taken here as: not root), the kernel
	 * takes a gid_map only after setgroups is denied. */
	if (flags & CLONE_NEWUSER)
		write_root_map(pid, geteuid(), getegid(), geteuid() != 0);
	if (write(pfd[1], "g", 1) != 1)
		die("release the child");
	if (close(pfd[1]) < 0)
		die("close");

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}
