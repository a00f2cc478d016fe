/* create, start and run: a container from a bundle, parked on its exec fifo
 * until start. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/config.h"
#include "oci/errors.h"
#include "oci/hooks.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "engine/start/forward.h"
#include "util/fault.h"

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	int preserve_fds;
	bool detach;      /* run -d */
	bool keep;        /* run --keep */
	bool start;       /* run: the container starts as create commits, with no
	                     exec fifo to wait on */
	const char *id;
};

enum { OPT_PID_FILE = 0x100, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_NEW_KEYRING,
       OPT_PRESERVE_FDS, OPT_KEEP, OPT_NO_SUBREAPER, OPT_PIDFD_SOCKET };

static int parse_create_opts(int argc, char **argv, bool is_run, struct create_opts *o,
			     struct nsrun_error *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->bundle = ".";
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
		case OPT_NO_PIVOT: o->no_pivot = true; break;
		case OPT_NO_NEW_KEYRING: case OPT_NO_SUBREAPER: break;
		case OPT_KEEP: o->keep = true; break;
		case 'd':
			if (!is_run)
				return nsrun_fail(err, 0, "%s: unknown option '-d'", argv[0]);
			o->detach = true;
			break;
		case OPT_PRESERVE_FDS: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1000)
				return nsrun_fail(err, 0, "--preserve-fds '%s': not a count", optarg);
			o->preserve_fds = (int)n;
			break;
		}
		case OPT_PIDFD_SOCKET:
			return nsrun_fail(err, 0, "--pidfd-socket is not supported by nsrun");
		case ':':
			return nsrun_fail(err, 0, "%s: option '%s' needs a value", argv[0], argv[optind - 1]);
		default:
			return nsrun_fail(err, 0, "%s: unknown option '%s'", argv[0], argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return nsrun_fail(err, 0, "%s: expected exactly one container id", argv[0]);
	o->id = argv[optind];
	return 0;
}

int oci_connect_console(const char *path, struct nsrun_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nsrun_fail(err, errno, "--console-socket %s", path);
	char proc_path[64];
	int dir = -1;
	/* A path longer than sun_path is reached through its directory. */
	if (strlen(path) >= sizeof(addr.sun_path)) {
		const char *slash = strrchr(path, '/');
		char dirname[PATH_MAX];
		if ((size_t)snprintf(dirname, sizeof(dirname), "%.*s", slash ? (int)(slash - path) : 1,
				     slash ? path : ".") >= sizeof(dirname)) {
			close(fd);
			return nsrun_fail(err, ENAMETOOLONG, "--console-socket %s", path);
		}
		dir = open(dirname, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if ((size_t)snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d/%s", dir,
				     slash ? slash + 1 : path) >= sizeof(proc_path)) {
			if (dir >= 0)
				close(dir);
			close(fd);
			return nsrun_fail(err, ENAMETOOLONG, "--console-socket %s", path);
		}
		path = proc_path;
	}
	/* fits: path is shorter than sun_path, or proc_path, shorter still */
	(void)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	int e = errno;
	if (dir >= 0)
		close(dir);
	if (rc < 0) {
		close(fd);
		return nsrun_fail(err, e, "--console-socket %s: connect", path);
	}
	return fd;
}

/* Record the cgroups in the state directory before anything is in them:
 * if create is killed from here on, delete --force (or the next create of
 * the id) finds what to remove. The state has no pid yet: "being created". */
static int record_cgroups(const struct nsrun_created *made, void *arg, struct nsrun_error *err)
{
	struct stored_container *st = arg;
	unsigned had = st->n_cgroups;
	st->n_cgroups = made->n_cgroup_dirs;
	for (unsigned i = 0; i < made->n_cgroup_dirs && i < STORE_MAX_CGROUPS; i++)
		(void)snprintf(st->cgroups[i], sizeof(st->cgroups[i]), "%s", made->cgroup_dirs[i]);
	/* Nothing recorded and nothing to record: no state file yet. */
	return had == 0 && st->n_cgroups == 0 ? 0 : store_save(st, err);
}

/* createContainer and startContainer hooks run in the container's
 * namespaces: the init stage gets them, with the state they read ("pid"
 * is filled in there). *hooks and *state are the caller's to free. */
static int hand_over_container_hooks(const struct stored_container *st, struct nsrun_container *ct,
				     char **hooks, char **state, struct nsrun_error *err)
{
	if (json_array_size(json_object_get(st->hooks, "createContainer")) == 0 &&
	    json_array_size(json_object_get(st->hooks, "startContainer")) == 0)
		return 0;
	json_t *o = store_state_json(st, OCI_CREATED);
	json_object_set_new(o, "status", json_string("creating"));
	*state = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*hooks = json_dumps(st->hooks, JSON_COMPACT);
	if (!*hooks || !*state)
		return nsrun_fail(err, ENOMEM, "hooks");
	ct->hooks = *hooks;
	ct->hooks_state = *state;
	return 0;
}

/* Everything create sets up; on failure nothing of it stays behind. */
static int create_container(const struct oci_globals *g, const struct create_opts *o,
			    struct stored_container *st, struct nsrun_error *err)
{
	struct oci_config cfg;
	char bundle[PATH_MAX], fifo[PATH_MAX + 16];
	int fifo_fd = -1, console_fd = -1, rc = -1;
	bool made_dir = false, wrote_pid_file = false;
	char *container_hooks = NULL, *container_state = NULL;
	struct nsrun_created made = { .pid = -1, .commit_fd = -1, .on_cgroups = record_cgroups,
				      .arg = st };

	if (!realpath(o->bundle, bundle))
		return nsrun_fail(err, errno, "--bundle %s", o->bundle);
	if (oci_config_load(bundle, &cfg, err) < 0 || fault_point("oci.config", err) < 0)
		goto out;
	struct nsrun_spec *spec = &cfg.spec;
	if (cfg.container.terminal && !o->console_socket) {
		nsrun_fail(err, 0, "cannot allocate tty if nsrun will detach without setting "
				   "console socket");
		goto out;
	}
	if (!cfg.container.terminal && o->console_socket) {
		nsrun_fail(err, 0, "cannot use console socket if nsrun will not detach or "
				   "allocate tty");
		goto out;
	}
	if (strcmp(g->cgroup_manager, "disabled") == 0) {
		spec->cgroup_path = NULL;
		memset(&spec->cgroup, 0, sizeof(spec->cgroup));
	} else if (!spec->cgroup_path) {
		spec->cgroup_path = o->id; /* runc's default: the id, below ours */
	}
	spec->no_pivot = o->no_pivot;
	if (store_create_dir(store_root(g->root), o->id, st, err) < 0)
		goto out;
	made_dir = true;
	/* Copies that fit, as the (void) casts here and in record_cgroups say:
	 * bundle is a realpath (PATH_MAX), st->dir is shorter than PATH_MAX and
	 * a cgroup directory has the same size in made and in st. */
	(void)snprintf(st->bundle, sizeof(st->bundle), "%s", bundle);
	oci_rfc3339_now(st->created, sizeof(st->created));
	(void)snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	if (!o->start && mkfifo(fifo, 0600) < 0) {
		nsrun_fail(err, errno, "create %s", fifo);
		goto out;
	}
	/* O_RDWR: the init blocks reading it until start writes, and start can
	 * tell a dead init (no reader: ENXIO). */
	if (!o->start && (fifo_fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0) {
		nsrun_fail(err, errno, "open %s", fifo);
		goto out;
	}
	if (fault_point("oci.exec-fifo", err) < 0 ||
	    (o->console_socket && (console_fd = oci_connect_console(o->console_socket, err)) < 0))
		goto out;
	cfg.container.park = true;
	cfg.container.exec_fifo_fd = fifo_fd;
	cfg.container.console_socket_fd = console_fd;
	if (o->preserve_fds > 0) {
		spec->keep_fds = calloc((size_t)o->preserve_fds, sizeof(int));
		if (!spec->keep_fds) {
			nsrun_fail(err, errno, "--preserve-fds");
			goto out;
		}
		for (int i = 0; i < o->preserve_fds; i++)
			spec->keep_fds[spec->n_keep_fds++] = 3 + i;
	}
	st->namespaces = spec->new_ns;
	if ((size_t)snprintf(st->rootfs, sizeof(st->rootfs), "%s", cfg.rootfs) >= sizeof(st->rootfs)) {
		nsrun_fail(err, ENAMETOOLONG, "root.path %s", cfg.rootfs);
		goto out;
	}
	if ((size_t)snprintf(st->oci_version, sizeof(st->oci_version), "%s", cfg.oci_version) >=
	    sizeof(st->oci_version)) {
		nsrun_fail(err, ENAMETOOLONG, "ociVersion %s", cfg.oci_version);
		goto out;
	}
	if (cfg.annotations)
		st->annotations = json_incref(cfg.annotations);
	if (cfg.hooks)
		st->hooks = json_incref(cfg.hooks);
	if (hand_over_container_hooks(st, &cfg.container, &container_hooks, &container_state, err) < 0)
		goto out;
	oci_debug("create %s: bundle %s", o->id, bundle);
	if (container_create(spec, &made, err) < 0) {
		oci_error_wrap(&cfg, err);
		goto out;
	}

	/* st->cgroups: recorded by record_cgroups. */
	st->pid = made.pid;
	st->start_time = oci_process_start_time(made.pid);
	if (fault_point("oci.state-save", err) < 0 || store_save(st, err) < 0)
		goto out;
	/* prestart and createRuntime see status "creating", as runc gives it. */
	json_t *state = store_state_json(st, OCI_CREATED);
	json_object_set_new(state, "status", json_string("creating"));
	int hooks_rc = fault_point("oci.hooks", err);
	if (hooks_rc == 0)
		hooks_rc = oci_hooks_run(st->hooks, "prestart", state, err);
	if (hooks_rc == 0)
		hooks_rc = oci_hooks_run(st->hooks, "createRuntime", state, err);
	json_decref(state);
	if (hooks_rc < 0)
		goto out;
	if (fault_point("oci.pid-file", err) < 0)
		goto out;
	if (o->pid_file) {
		char text[24];
		int n = snprintf(text, sizeof(text), "%d", (int)made.pid);
		if (store_write_atomic(o->pid_file, text, (size_t)n, err) < 0)
			goto out;
		wrote_pid_file = true;
	}
	if (container_commit(&made, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		/* The cgroups, even when the init never ran (made.pid < 0). */
		container_abort(&made);
		if (wrote_pid_file)
			unlink(o->pid_file);
	}
	/* Descriptors first: at EMFILE the removal needs one. */
	if (fifo_fd >= 0)
		close(fifo_fd);
	if (console_fd >= 0)
		close(console_fd);
	if (rc < 0 && made_dir)
		store_remove(st);
	oci_config_free(&cfg);
	free(container_hooks);
	free(container_state);
	return rc;
}

int oci_create(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct create_opts o;
	struct stored_container st = { 0 };
	if (parse_create_opts(argc, argv, false, &o, err) < 0)
		return -1;
	o.detach = true;
	int rc = create_container(g, &o, &st, err);
	store_free(&st);
	return rc < 0 ? -1 : 0;
}

/* Release a created container: one byte on its exec fifo. */
static int release(const struct stored_container *st, struct nsrun_error *err)
{
	char fifo[PATH_MAX + 16];
	(void)snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir); /* dir is shorter: fits */
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno == ENXIO ? 0 : errno, "container not running");
	ssize_t n = write(fd, "s", 1);
	int e = errno;
	close(fd);
	if (n != 1)
		return nsrun_fail(err, e, "start: write %s", fifo);
	unlink(fifo);
	return 0;
}

static int run_poststart(const struct stored_container *st, struct nsrun_error *err)
{
	json_t *state = store_state_json(st, OCI_RUNNING);
	int rc = oci_hooks_run(st->hooks, "poststart", state, err);
	json_decref(state);
	return rc;
}

int oci_start(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	if (argc != 2)
		return nsrun_fail(err, 0, "start: expected exactly one container id");
	struct stored_container st;
	if (store_load(store_root(g->root), argv[1], &st, err) < 0)
		return -1;
	enum oci_status s = store_status(&st);
	int rc = 0;
	if (s != OCI_CREATED)
		rc = nsrun_fail(err, 0, "cannot start a container that has %s",
				s == OCI_STOPPED ? "stopped" : "already been started");
	else if ((rc = fault_point("oci.start", err)) == 0)
		rc = release(&st, err);
	if (rc == 0 && (rc = run_poststart(&st, err)) < 0)
		kill(st.pid, SIGKILL); /* a failed poststart stops the container */
	store_free(&st);
	return rc < 0 ? -1 : 0;
}

int oci_run(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct create_opts o;
	struct stored_container st = { 0 };
	if (parse_create_opts(argc, argv, true, &o, err) < 0)
		return -1;
	sigset_t forward, old;
	forward_signal_set(&forward);
	int status = -1;
	o.start = true;
	if (create_container(g, &o, &st, err) < 0)
		goto out;
	/* Foreground: signals for the container are ours to pass on (blocked
	 * only now: the container must not inherit the blocked set). */
	sigprocmask(SIG_BLOCK, &forward, &old);
	if (run_poststart(&st, err) == 0) {
		if (o.detach) {
			status = 0;
		} else {
			status = forward_until_exit(st.pid, g->debug, err);
			if (!o.keep) {
				char *del[] = { "delete", "--force", st.id, NULL };
				struct nsrun_error ignored;
				oci_delete(g, 3, del, &ignored);
			}
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	store_free(&st);
	return status;
}
