/* peakrss: the peak resident set size of every process image a command
 * runs, its descendants included.
 *
 *   peakrss [-o FILE] COMMAND [ARG...]
 *
 * Runs COMMAND under ptrace (following forks, vforks and clones) and reads
 * VmHWM from /proc/TID/status at two moments, when the memory it describes
 * is about to go away: at the entry of every execve/execveat (the old image's
 * peak) and at every exit (PTRACE_EVENT_EXIT, before the kernel drops the
 * mm). It writes one line per process image, in the order they appeared:
 *
 *   <tgid> <image number> <depth> <last Name:> <VmHWM in kB>
 *
 * depth is 0 for COMMAND's own process, 1 for its children and so on; image
 * number counts the execs of that process (COMMAND's process is image 1:
 * the copy of peakrss before it is not reported). Then exits with COMMAND's
 * status. Tracing slows the command down: use it for memory, never for time.
 *
 * Unlike `/usr/bin/time -f %M`, which reports one number (the largest peak
 * of the process and of every descendant it waited for), this says which
 * process the peak belongs to: for an OCI runtime, the runtime's own process
 * apart from its helpers and from the container's command.
 *
 * Root (or ptrace rights over everything COMMAND starts). For bench/oci.sh.
 * Build: cc -O2 -o peakrss peakrss.c */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

#define MAX_PROCS 4096

struct image {
	int tgid, gen, depth;
	char name[32];
	long hwm;
};

static struct image images[MAX_PROCS];
static int n_images;

/* Per traced thread: whether its first stop was seen. */
struct thread {
	int tid;
	int seen;
};
static struct thread threads[MAX_PROCS * 4];
static int n_threads;

/* The current image number of each process. */
struct proc {
	int tgid, gen, depth;
};
static struct proc procs[MAX_PROCS];
static int n_procs;

static struct thread *thread_of(int tid)
{
	for (int i = n_threads - 1; i >= 0; i--)
		if (threads[i].tid == tid)
			return &threads[i];
	if (n_threads == (int)(sizeof(threads) / sizeof(threads[0])))
		return NULL;
	threads[n_threads] = (struct thread){ .tid = tid };
	return &threads[n_threads++];
}

static struct proc *proc_of(int tgid)
{
	for (int i = n_procs - 1; i >= 0; i--)
		if (procs[i].tgid == tgid)
			return &procs[i];
	if (n_procs == MAX_PROCS)
		return NULL;
	procs[n_procs] = (struct proc){ .tgid = tgid, .gen = 1, .depth = -1 };
	return &procs[n_procs++];
}

/* The thread group of a thread, or 0 if it is gone. */
static int read_tgid(int tid)
{
	char path[64], line[256];
	int tgid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = atoi(line + 5);
			break;
		}
	fclose(f);
	return tgid;
}

/* Reads Tgid, Name and VmHWM of a thread and keeps the image's maximum. */
static void note(int tid, int top)
{
	char path[64], line[256], name[32] = "?";
	long hwm = -1;
	int tgid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Name:", 5) == 0) {
			char *p = line + 5;
			p += strspn(p, " \t");
			p[strcspn(p, "\n")] = 0;
			snprintf(name, sizeof(name), "%s", p);
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = atoi(line + 5);
		} else if (strncmp(line, "VmHWM:", 6) == 0) {
			hwm = atol(line + 6);
		}
	}
	fclose(f);
	if (tgid == 0 || hwm < 0)
		return; /* a kernel thread or gone */
	struct proc *p = proc_of(tgid);
	if (!p)
		return;
	if (p->depth < 0)
		p->depth = 0; /* not seen created: should not happen */
	if (tgid == top && p->gen == 0)
		return; /* the fork of peakrss before COMMAND's exec */
	for (int i = n_images - 1; i >= 0; i--)
		if (images[i].tgid == tgid && images[i].gen == p->gen) {
			snprintf(images[i].name, sizeof(images[i].name), "%s", name);
			if (hwm > images[i].hwm)
				images[i].hwm = hwm;
			return;
		}
	if (n_images == MAX_PROCS)
		return;
	images[n_images++] =
		(struct image){ .tgid = tgid, .gen = p->gen, .depth = p->depth, .hwm = hwm };
	snprintf(images[n_images - 1].name, sizeof(images[0].name), "%s", name);
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	int a = 1;
	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		out_path = argv[2];
		a = 3;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: peakrss [-o FILE] COMMAND [ARG...]\n");
		return 2;
	}
	pid_t top = fork();
	if (top < 0) {
		perror("peakrss: fork");
		return 1;
	}
	if (top == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
			perror("peakrss: PTRACE_TRACEME");
			_exit(127);
		}
		raise(SIGSTOP);
		execvp(argv[a], argv + a);
		fprintf(stderr, "peakrss: %s: %s\n", argv[a], strerror(errno));
		_exit(127);
	}
	int st;
	if (waitpid(top, &st, 0) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "peakrss: the child did not stop\n");
		return 1;
	}
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
		    PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, top, NULL, (void *)opts) < 0) {
		perror("peakrss: PTRACE_SETOPTIONS");
		return 1;
	}
	struct thread *t0 = thread_of(top);
	t0->seen = 1;
	struct proc *p0 = proc_of(top);
	p0->depth = 0;
	p0->gen = 0; /* peakrss's own fork; COMMAND is image 1 */
	ptrace(PTRACE_SYSCALL, top, NULL, NULL);

	int status = 1;
	for (;;) {
		pid_t pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: all gone */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == top)
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		struct thread *t = thread_of(pid);
		int sig = WSTOPSIG(st), event = st >> 16, inject = 0;
		if (sig == (SIGTRAP | 0x80)) {
			struct ptrace_syscall_info info;
			long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info);
			if (n > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    (info.entry.nr == SYS_execve || info.entry.nr == SYS_execveat))
				note(pid, top);
		} else if (sig == SIGTRAP && event) {
			unsigned long msg = 0;
			ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
			switch (event) {
			case PTRACE_EVENT_FORK:
			case PTRACE_EVENT_VFORK:
			case PTRACE_EVENT_CLONE: {
				/* A new process (not a thread: its own thread group)
				 * is one level below its creator's process. */
				int child = (int)msg, creator = read_tgid(pid);
				if (read_tgid(child) == child && creator > 0) {
					struct proc *pp = proc_of(creator), *c = proc_of(child);
					if (pp && c) {
						c->depth = (pp->depth >= 0 ? pp->depth : 0) + 1;
						c->gen = 1;
					}
				}
				break;
			}
			case PTRACE_EVENT_EXEC: {
				struct proc *p = proc_of(pid); /* after exec, pid is the tgid */
				if (p)
					p->gen++;
				break;
			}
			case PTRACE_EVENT_EXIT: note(pid, top); break;
			}
		} else if (t && !t->seen && sig == SIGSTOP) {
			/* an auto-attached thread's first stop: not a real signal */
		} else {
			inject = sig; /* a signal for the tracee: pass it on */
		}
		if (t)
			t->seen = 1;
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)inject);
	}

	FILE *out = out_path ? fopen(out_path, "we") : stdout;
	if (!out) {
		perror(out_path);
		return 1;
	}
	for (int i = 0; i < n_images; i++)
		fprintf(out, "%d %d %d %s %ld\n", images[i].tgid, images[i].gen, images[i].depth,
			images[i].name, images[i].hwm);
	if (out != stdout)
		fclose(out);
	return status;
}
