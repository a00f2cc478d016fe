/* probe: attempts one privileged or escaping operation and prints what
 * happened, one line: "NAME: ok" or "NAME: errno N (ENAME)". The tests
 * check both that the line is there (the attempt ran) and its outcome.
 *
 *   probe open PATH r|w|rw|a     open(2) PATH with those access flags
 *   probe write PATH TEXT        open(2) PATH write-only and write TEXT
 *   probe create PATH            create the file PATH (O_EXCL)
 *   probe mount-tmpfs DIR        mount(2) a tmpfs on DIR
 *   probe remount-rw PATH        remount the bind mount at PATH read-write
 *   probe setattr-rw PATH        mount_setattr(2): clear read-only on the
 *                                mounts at and below PATH
 *   probe umount PATH            umount2(2) PATH
 *   probe umount-detach PATH     umount2(2) PATH, MNT_DETACH
 *   probe pivot_root NEW OLD     pivot_root(2)
 *   probe chroot DIR             chroot(2)
 *   probe chroot-escape DIR PATH the classic way out of a chroot: chroot
 *                                into DIR/escape, climb .. past it, chroot
 *                                "." there; then create the file PATH
 *   probe seals PATH             the seals (F_GET_SEALS) of PATH, opened
 *                                read-only
 *   probe reopen-write PATH      open PATH read-only, then reopen that
 *                                descriptor through /proc/self/fd for
 *                                appending and write one byte
 *   probe unshare                unshare(2) a mount and a user namespace
 *   probe init_module            init_module(2) of a bogus image
 *   probe finit_module           finit_module(2) of /dev/null
 *   probe mknod PATH b|c MAJ MIN mknod(2)
 *   probe kill PID SIG           kill(2)
 *   probe ptrace PID             ptrace(2) PTRACE_ATTACH (detaches again)
 *   probe getrlimit RES          prints "RES SOFT HARD"
 *   probe setrlimit RES SOFT HARD
 *   probe syscall NR             the raw system call NR, no arguments
 *   probe getcwd | uname | getpid
 *   probe fstat FD               fstat(2) of a descriptor
 *   probe fds                    "FD TARGET" for every open descriptor but
 *                                the one that reads /proc/self/fd
 *   probe status                 uid, euid and the Cap*, NoNewPrivs and
 *                                Seccomp lines of /proc/self/status
 *   probe fork-hold N FILE       fork up to N children that pause; prints
 *                                how many it started and the first errno,
 *                                then ends them once FILE exists (30 s at
 *                                most)
 *   probe hog MB                 allocate and touch MB mebibytes, printing
 *                                each one
 * Several steps may follow each other, separated by "--"; each runs even
 * if an earlier one failed. The exit status is 1 if any step failed, 2 for
 * a usage error. Nothing here writes to a file it did not create, except
 * "write" and "reopen-write", which the tests point only at files whose
 * change would stay inside the sandbox (or at a sealed copy). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(const char *name, long rc)
{
	if (rc < 0) {
		int e = errno;
		printf("%s: errno %d (%s)\n", name, e,
		       strerrorname_np(e) ? strerrorname_np(e) : "?");
	} else {
		printf("%s: ok\n", name);
	}
	fflush(stdout);
	return rc < 0;
}

static int open_flags(const char *mode)
{
	if (strcmp(mode, "r") == 0)
		return O_RDONLY;
	if (strcmp(mode, "w") == 0)
		return O_WRONLY;
	if (strcmp(mode, "rw") == 0)
		return O_RDWR;
	if (strcmp(mode, "a") == 0)
		return O_WRONLY | O_APPEND;
	fprintf(stderr, "probe: bad open mode %s\n", mode);
	exit(2);
}

static const struct {
	const char *name;
	int res;
} limits[] = {
	{ "NOFILE", RLIMIT_NOFILE }, { "NPROC", RLIMIT_NPROC }, { "CORE", RLIMIT_CORE },
	{ "AS", RLIMIT_AS },	     { "FSIZE", RLIMIT_FSIZE }, { "CPU", RLIMIT_CPU },
};

static int limit_of(const char *name)
{
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (strcmp(name, limits[i].name) == 0)
			return limits[i].res;
	fprintf(stderr, "probe: unknown limit %s\n", name);
	exit(2);
}

static rlim_t limit_value(const char *text)
{
	return strcmp(text, "unlimited") == 0 ? RLIM_INFINITY : strtoull(text, NULL, 10);
}

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" unlimited");
	else
		printf(" %llu", (unsigned long long)v);
}

static int list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return report("fds", -1);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		char link[300], target[4096];
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%s %s\n", e->d_name, target);
	}
	closedir(d);
	printf("fds: end\n");
	fflush(stdout);
	return 0;
}

static int show_status(void)
{
	printf("uid %d euid %d\n", (int)getuid(), (int)geteuid());
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return report("status", -1);
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
		    strncmp(line, "Seccomp:", 8) == 0)
			fputs(line, stdout);
	fclose(f);
	fflush(stdout);
	return 0;
}

static int fork_hold(int n, const char *release)
{
	int started = 0, first_errno = 0;
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	if (!pids)
		return report("fork-hold", -1);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0) {
			if (!first_errno)
				first_errno = errno;
			continue;
		}
		pids[started++] = pid;
	}
	printf("fork-hold: started %d of %d, first errno %d (%s)\n", started, n, first_errno,
	       first_errno ? strerrorname_np(first_errno) : "none");
	fflush(stdout);
	/* Hold them until RELEASE exists (at most 30 s), then end them. */
	for (int i = 0; i < 600 && access(release, F_OK) < 0; i++)
		usleep(50000);
	for (int i = 0; i < started; i++)
		kill(pids[i], SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	free(pids);
	printf("fork-hold: released\n");
	fflush(stdout);
	return 0;
}

static int hog(long mb)
{
	for (long i = 1; i <= mb; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return report("hog", -1);
		memset(p, (int)i, 1 << 20);
		printf("hog: %ld MiB\n", i);
		fflush(stdout);
	}
	return 0;
}

static int step(int argc, char **argv)
{
	const char *cmd = argv[0];
#define NEED(n)                                                                                    \
	do {                                                                                       \
		if (argc < (n) + 1) {                                                              \
			fprintf(stderr, "probe %s: needs %d arguments\n", cmd, n);                 \
			exit(2);                                                                   \
		}                                                                                  \
	} while (0)
	if (strcmp(cmd, "open") == 0) {
		NEED(2);
		int fd = open(argv[1], open_flags(argv[2]) | O_CLOEXEC | O_NOCTTY);
		return report("open", fd);
	}
	if (strcmp(cmd, "write") == 0) {
		NEED(2);
		int fd = open(argv[1], O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return report("write: open", -1);
		ssize_t n = write(fd, argv[2], strlen(argv[2]));
		close(fd);
		return report("write", n);
	}
	if (strcmp(cmd, "create") == 0) {
		NEED(1);
		int fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		return report("create", fd);
	}
	if (strcmp(cmd, "remount-rw") == 0) {
		NEED(1);
		return report("remount-rw", mount(NULL, argv[1], NULL, MS_REMOUNT | MS_BIND, NULL));
	}
	if (strcmp(cmd, "setattr-rw") == 0) {
		NEED(1);
		struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };
		return report("setattr-rw",
			      mount_setattr(AT_FDCWD, argv[1], AT_RECURSIVE, &attr, sizeof(attr)));
	}
	if (strcmp(cmd, "mount-tmpfs") == 0) {
		NEED(1);
		return report("mount", mount("probe", argv[1], "tmpfs", 0, NULL));
	}
	if (strcmp(cmd, "umount") == 0) {
		NEED(1);
		return report("umount", umount2(argv[1], 0));
	}
	if (strcmp(cmd, "umount-detach") == 0) {
		NEED(1);
		return report("umount-detach", umount2(argv[1], MNT_DETACH));
	}
	if (strcmp(cmd, "pivot_root") == 0) {
		NEED(2);
		return report("pivot_root", syscall(SYS_pivot_root, argv[1], argv[2]));
	}
	if (strcmp(cmd, "chroot") == 0) {
		NEED(1);
		return report("chroot", chroot(argv[1]));
	}
	if (strcmp(cmd, "chroot-escape") == 0) {
		NEED(2);
		if (chdir(argv[1]) < 0)
			return report("chroot-escape: chdir", -1);
		if (mkdir("escape", 0700) < 0 && errno != EEXIST)
			return report("chroot-escape: mkdir", -1);
		if (report("chroot-escape: chroot escape", chroot("escape")))
			return 1;
		for (int i = 0; i < 64; i++)
			if (chdir("..") < 0)
				break;
		if (report("chroot-escape: chroot .", chroot(".")))
			return 1;
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		return report("chroot-escape: create the path", fd);
	}
	if (strcmp(cmd, "seals") == 0) {
		NEED(1);
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return report("seals: open", -1);
		int seals = fcntl(fd, F_GET_SEALS);
		close(fd);
		if (seals < 0)
			return report("seals", -1);
		printf("seals: %#x\n", seals);
		fflush(stdout);
		return 0;
	}
	if (strcmp(cmd, "reopen-write") == 0) {
		NEED(1);
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return report("reopen-write: open", -1);
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		int wfd = open(link, O_WRONLY | O_APPEND | O_CLOEXEC);
		close(fd);
		if (wfd < 0)
			return report("reopen-write: reopen", -1);
		ssize_t n = write(wfd, "", 1);
		close(wfd);
		return report("reopen-write: write", n);
	}
	if (strcmp(cmd, "unshare") == 0)
		return report("unshare", unshare(CLONE_NEWUSER | CLONE_NEWNS));
	if (strcmp(cmd, "init_module") == 0) {
		static char image[64] = "not a module";
		return report("init_module", syscall(SYS_init_module, image, sizeof(image), ""));
	}
	if (strcmp(cmd, "finit_module") == 0) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return report("finit_module", syscall(SYS_finit_module, fd, "", 0));
	}
	if (strcmp(cmd, "mknod") == 0) {
		NEED(4);
		mode_t type = argv[2][0] == 'b' ? S_IFBLK : S_IFCHR;
		dev_t dev = makedev(strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
		return report("mknod", mknod(argv[1], type | 0600, dev));
	}
	if (strcmp(cmd, "kill") == 0) {
		NEED(2);
		return report("kill", kill((pid_t)atoi(argv[1]), atoi(argv[2])));
	}
	if (strcmp(cmd, "ptrace") == 0) {
		NEED(1);
		pid_t pid = (pid_t)atoi(argv[1]);
		long rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
		int r = report("ptrace", rc);
		if (rc == 0) {
			waitpid(pid, NULL, __WALL);
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
		}
		return r;
	}
	if (strcmp(cmd, "getrlimit") == 0) {
		NEED(1);
		struct rlimit l;
		if (getrlimit(limit_of(argv[1]), &l) < 0)
			return report("getrlimit", -1);
		printf("%s", argv[1]);
		print_limit(l.rlim_cur);
		print_limit(l.rlim_max);
		printf("\n");
		fflush(stdout);
		return 0;
	}
	if (strcmp(cmd, "setrlimit") == 0) {
		NEED(3);
		struct rlimit l = { limit_value(argv[2]), limit_value(argv[3]) };
		return report("setrlimit", setrlimit(limit_of(argv[1]), &l));
	}
	if (strcmp(cmd, "syscall") == 0) {
		NEED(1);
		return report("syscall", syscall(atol(argv[1]), 0, 0, 0, 0, 0, 0));
	}
	if (strcmp(cmd, "getcwd") == 0) {
		char buf[4096];
		/* the raw call: glibc's getcwd may fall back to walking .. */
		return report("getcwd", syscall(SYS_getcwd, buf, sizeof(buf)));
	}
	if (strcmp(cmd, "uname") == 0) {
		struct utsname u;
		return report("uname", uname(&u));
	}
	if (strcmp(cmd, "getpid") == 0)
		return report("getpid", syscall(SYS_getpid));
	if (strcmp(cmd, "fstat") == 0) {
		NEED(1);
		struct stat st;
		return report("fstat", fstat(atoi(argv[1]), &st));
	}
	if (strcmp(cmd, "fds") == 0)
		return list_fds();
	if (strcmp(cmd, "status") == 0)
		return show_status();
	if (strcmp(cmd, "fork-hold") == 0) {
		NEED(2);
		return fork_hold(atoi(argv[1]), argv[2]);
	}
	if (strcmp(cmd, "hog") == 0) {
		NEED(1);
		return hog(atol(argv[1]));
	}
	fprintf(stderr, "probe: unknown step %s\n", cmd);
	exit(2);
}

int main(int argc, char **argv)
{
	int failed = 0;
	int i = 1;
	if (argc < 2) {
		fprintf(stderr, "usage: probe STEP [ARG...] [-- STEP ...]\n");
		return 2;
	}
	while (i < argc) {
		int j = i;
		while (j < argc && strcmp(argv[j], "--") != 0)
			j++;
		argv[j < argc ? j : argc] = NULL;
		failed |= step(j - i, argv + i);
		i = j + 1;
	}
	return failed ? 1 : 0;
}
