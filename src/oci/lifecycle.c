/* state, list, kill, delete, ps, pause and resume. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "oci/hooks.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "engine/cgroup/cgroup.h"

static int one_id(int argc, char **argv, struct nsrun_error *err)
{
	if (argc != 2 || argv[1][0] == '-')
		return nsrun_fail(err, 0, "%s: expected exactly one container id", argv[0]);
	return 0;
}

static int print_json(json_t *o, struct nsrun_error *err)
{
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return nsrun_fail(err, ENOMEM, "format JSON");
	printf("%s\n", text);
	free(text);
	return fflush(stdout) == 0 ? 0 : nsrun_fail(err, errno, "write stdout");
}

int oci_state_cmd(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct stored_container st;
	if (one_id(argc, argv, err) < 0 || store_load(store_root(g->root), argv[1], &st, err) < 0)
		return -1;
	int rc = print_json(store_state_json(&st, store_status(&st)), err);
	store_free(&st);
	return rc < 0 ? -1 : 0;
}

int oci_list(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	bool json = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--format") == 0) && i + 1 < argc)
			json = strcmp(argv[++i], "json") == 0;
		else if (strcmp(argv[i], "--format=json") == 0)
			json = true;
		else if (strcmp(argv[i], "--format=table") != 0)
			return nsrun_fail(err, 0, "list: unknown option '%s'", argv[i]);
	}
	const char *root = store_root(g->root);
	DIR *d = opendir(root);
	json_t *all = json_array();
	if (!quiet && !json)
		printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		struct stored_container st;
		struct nsrun_error ignored;
		if (!store_id_valid(e->d_name) || store_load(root, e->d_name, &st, &ignored) < 0)
			continue;
		enum oci_status s = store_status(&st);
		if (quiet) {
			printf("%s\n", st.id);
		} else if (json) {
			json_t *o = store_state_json(&st, s);
			char owner[32];
			(void)snprintf(owner, sizeof(owner), "#%u", (unsigned)st.owner); /* a number: fits */
			json_object_set_new(o, "owner", json_string(st.owner == 0 ? "root" : owner));
			json_array_append_new(all, o);
		} else {
			printf("%-20s %-8d %-10s %-40s %-31s %s\n", st.id, s == OCI_STOPPED ? 0 : st.pid,
			       store_status_name(s), st.bundle, st.created, st.owner == 0 ? "root" : "");
		}
		store_free(&st);
	}
	if (d)
		closedir(d);
	if (json) {
		if (json_array_size(all) == 0) {
			json_decref(all);
			printf("null\n");
			return 0;
		}
		return print_json(all, err) < 0 ? -1 : 0;
	}
	json_decref(all);
	return 0;
}

/* "TERM", "SIGTERM", "sigterm" or "15". */
static int parse_signal(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (*end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	return -1;
}

/* Every pid in the container's cgroup (the first hierarchy that lists). */
static int cgroup_pids(const struct stored_container *st, pid_t *pids, int max)
{
	for (unsigned i = 0; i < st->n_cgroups; i++) {
		char path[1200];
		(void)snprintf(path, sizeof(path), "%s/cgroup.procs", st->cgroups[i]); /* 1100 + name: fits */
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		char *line = NULL;
		size_t cap = 0;
		int n = 0;
		while (n < max && getline(&line, &cap, f) > 0) {
			char *end;
			errno = 0;
			long pid = strtol(line, &end, 10);
			if (errno || end == line || (*end != '\n' && *end != '\0') || pid <= 0 || pid > INT_MAX)
				break;
			pids[n++] = (pid_t)pid;
		}
		free(line);
		(void)fclose(f); /* read only */
		return n;
	}
	return -1;
}

/* Signal the container's init only while it is the process the state
 * recorded: a pidfd pins the process, so the start time read after opening
 * it tells whether the pid was reused in between (a zombie reads as gone).
 * 0 when sent, ESRCH when the init is gone, another errno on failure. */
static int signal_init(const struct stored_container *st, int sig)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0 && errno != ENOSYS)
		return errno;
	if (oci_process_start_time(st->pid) != st->start_time) {
		if (fd >= 0)
			close(fd);
		return ESRCH;
	}
	int rc = fd >= 0 ? (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) : kill(st->pid, sig);
	int e = errno;
	if (fd >= 0)
		close(fd);
	return rc < 0 ? e : 0;
}

static void signal_all(const struct stored_container *st, int sig)
{
	pid_t pids[4096];
	int n = cgroup_pids(st, pids, 4096);
	for (int i = 0; i < n; i++)
		kill(pids[i], sig);
	if (n < 0)
		signal_init(st, sig);
}

int oci_kill(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	bool all = false;
	const char *id = NULL, *signame = "SIGTERM";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
			all = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return nsrun_fail(err, 0, "kill: unknown option '%s'", argv[i]);
		else if (!id)
			id = argv[i];
		else
			signame = argv[i];
	}
	if (!id)
		return nsrun_fail(err, 0, "kill: expected a container id");
	int sig = parse_signal(signame);
	if (sig < 0)
		return nsrun_fail(err, 0, "kill: unknown signal '%s'", signame);
	struct stored_container st;
	if (store_load(store_root(g->root), id, &st, err) < 0)
		return -1;
	enum oci_status s = store_status(&st);
	int rc = 0, e;
	if (s != OCI_STOPPED && all)
		signal_all(&st, sig);
	else if (s == OCI_STOPPED ||
		 (e = signal_init(&st, sig)) == ESRCH) /* ESRCH: it ended since the check */
		rc = nsrun_fail(err, 0, "container not running");
	else if (e != 0)
		rc = nsrun_fail(err, e, "kill pid %d", (int)st.pid);
	store_free(&st);
	return rc < 0 ? -1 : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int set_frozen(const struct stored_container *st, bool frozen, struct nsrun_error *err);

/* SIGKILL everything and wait (10 s at most) until the init is gone. A
 * frozen process dies only once thawed. */
static void kill_and_wait(const struct stored_container *st)
{
	struct nsrun_error ignored;
	signal_all(st, SIGKILL);
	set_frozen(st, false, &ignored);
	signal_init(st, SIGKILL);
	for (int i = 0; i < 1000 && oci_process_start_time(st->pid) == st->start_time; i++) {
		waitpid(st->pid, NULL, WNOHANG); /* ours when created by `run` */
		sleep_ms(10);
	}
}

int oci_delete(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	bool force = false;
	const char *id = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0)
			force = true;
		else if (argv[i][0] == '-')
			return nsrun_fail(err, 0, "delete: unknown option '%s'", argv[i]);
		else
			id = argv[i];
	}
	if (!id)
		return nsrun_fail(err, 0, "delete: expected a container id");
	const char *root = store_root(g->root);
	struct stored_container st;
	if (store_load(root, id, &st, err) < 0) {
		/* --force: what a killed create left (no complete state) is debris,
		 * and a container that does not exist is deleted already: success,
		 * as runc says, so that cleaning up after a create that failed or
		 * was killed need not tell the cases apart. A directory still there
		 * is a create at work (or a state file that cannot be read). */
		if (!force || !store_id_valid(id))
			return -1;
		store_remove_abandoned(root, id);
		if ((size_t)snprintf(st.dir, sizeof(st.dir), "%s/%s", root, id) >= sizeof(st.dir) ||
		    (access(st.dir, F_OK) < 0 && errno == ENOENT))
			return 0;
		return -1;
	}
	enum oci_status s = store_status(&st);
	int rc = 0;
	if ((s == OCI_RUNNING || s == OCI_PAUSED) && !force) {
		rc = nsrun_fail(err, 0, "cannot delete container %s that is not stopped: %s", id,
				store_status_name(s));
	} else {
		if (s != OCI_STOPPED)
			kill_and_wait(&st);
		cgroup_remove_dirs(st.cgroups, st.n_cgroups);
		store_remove(&st);
		/* poststop failing is a warning only, as the runtime spec says. */
		json_t *state = store_state_json(&st, OCI_STOPPED);
		struct nsrun_error hook_err = { 0 };
		if (oci_hooks_run(st.hooks, "poststop", state, &hook_err) < 0)
			fprintf(stderr, "nsrun: warning: %s\n", hook_err.msg);
		json_decref(state);
	}
	store_free(&st);
	return rc < 0 ? -1 : 0;
}

int oci_ps(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	bool json = false;
	const char *id = NULL;
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--format") == 0) && i + 1 < argc)
			json = strcmp(argv[++i], "json") == 0;
		else if (strcmp(argv[i], "--format=json") == 0)
			json = true;
		else if (!id && argv[i][0] != '-')
			id = argv[i];
	}
	if (!id)
		return nsrun_fail(err, 0, "ps: expected a container id");
	struct stored_container st;
	if (store_load(store_root(g->root), id, &st, err) < 0)
		return -1;
	pid_t pids[4096];
	int n = store_status(&st) == OCI_STOPPED ? 0 : cgroup_pids(&st, pids, 4096);
	if (n < 0) {
		pids[0] = st.pid;
		n = 1;
	}
	int rc = 0;
	if (json) {
		json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		char *text = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		printf("%s\n", text ? text : "[]");
		free(text);
	} else {
		printf("PID\n");
		for (int i = 0; i < n; i++)
			printf("%d\n", (int)pids[i]);
	}
	store_free(&st);
	return rc;
}

/* The freezer of cgroup v1, or cgroup.freeze of v2. */
static int set_frozen(const struct stored_container *st, bool frozen, struct nsrun_error *err)
{
	for (unsigned i = 0; i < st->n_cgroups; i++) {
		char path[1200];
		const char *value = frozen ? "FROZEN" : "THAWED";
		/* a cgroup (1100) and a file name: fits */
		(void)snprintf(path, sizeof(path), "%s/freezer.state", st->cgroups[i]);
		if (access(path, F_OK) < 0) {
			(void)snprintf(path, sizeof(path), "%s/cgroup.freeze", st->cgroups[i]);
			value = frozen ? "1" : "0";
			if (access(path, F_OK) < 0)
				continue;
		}
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, value, strlen(value)) < 0) {
			nsrun_fail(err, errno, "write %s", path);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	return nsrun_fail(err, 0, "the container has no freezer cgroup");
}

/* pause and resume. */
int oci_pause(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	bool pause = strcmp(argv[0], "pause") == 0;
	struct stored_container st;
	if (one_id(argc, argv, err) < 0 || store_load(store_root(g->root), argv[1], &st, err) < 0)
		return -1;
	enum oci_status s = store_status(&st);
	int rc = -1;
	if (s == OCI_STOPPED || s == OCI_CREATED)
		nsrun_fail(err, 0, "container not running");
	else
		rc = set_frozen(&st, pause, err);
	store_free(&st);
	return rc;
}
