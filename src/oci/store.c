/* The store of containers. See store.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci/store.h"
#include "engine/cgroup/cgroup.h"
#include "util/fault.h"

/* Root of a user namespace (rootless podman runs us so) is not the host's
 * root: its uid_map is not the identity of every id. */
static bool in_initial_user_namespace(void)
{
	char buf[128] = "";
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	/* The first line: "inside outside count". */
	unsigned long v[3];
	const char *p = buf;
	for (int i = 0; i < 3; i++) {
		char *end;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || end == p || (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\0'))
			return false;
		p = end;
	}
	return v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL;
}

const char *store_root(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *user = getenv("USER");
	bool unprivileged = geteuid() != 0 ||
			    (!in_initial_user_namespace() && !(user && strcmp(user, "root") == 0));
	if (unprivileged && xdg && *xdg) {
		static char buf[PATH_MAX];
		/* Unchecked: a root cut short here is longer than a container
		 * directory may be (struct stored_container.dir), so every create or
		 * load of a container in it fails with ENAMETOOLONG. */
		(void)snprintf(buf, sizeof(buf), "%s/nsrun", xdg);
		return buf;
	}
	return "/run/nsrun";
}

void oci_rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* Not strftime: it reads /etc/localtime first, for nothing in UTC. */
	(void)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		       ts.tv_nsec); /* 30 characters: callers' buffers hold them */
}

bool store_id_valid(const char *id)
{
	if (!id || !*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 200)
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("_+.-", *c)))
			return false;
	return true;
}

int store_write_atomic(const char *path, const char *data, size_t len, struct nsrun_error *err)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.%d", dlen, path, slash ? slash + 1 : path,
		     (int)getpid()) >= (int)sizeof(tmp))
		return nsrun_fail(err, ENAMETOOLONG, "%s", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return nsrun_fail(err, errno, "write %s", path);
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return nsrun_fail(err, e, "write %s", path);
		}
		done += (size_t)n;
	}
	char step[300];
	/* A fault point's name: one cut short only matches no point. */
	(void)snprintf(step, sizeof(step), "write %s", slash ? slash + 1 : path);
	if (fault_point(step, err) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return nsrun_fail(err, e, "write %s", path);
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* flock a directory: the state root serialises making and removing
 * container directories. */
static int lock_dir(const char *dir, int how)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc;
	while ((rc = flock(fd, how)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A create holds <dir>/create.lock with a POSIX record lock: unlike flock,
 * the processes it clones and forks (init stage, hooks) do not hold it too,
 * so a killed create's lock goes with it. -1 with EAGAIN while held. */
static int lock_create(const char *dir, int open_flags)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/create.lock", dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC | open_flags, 0600);
	if (fd < 0)
		return -1;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &l) < 0) {
		int e = errno;
		close(fd);
		errno = e == EACCES ? EAGAIN : e;
		return -1;
	}
	return fd;
}

/* Unlink every file in dir (state.json, exec.fifo, and the temporary file
 * of a write that was cut short), then the directory. */
static void remove_dir_and_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	} else {
		/* Out of descriptors (EMFILE): the names nsrun makes. */
		static const char *const names[] = { "state.json", "exec.fifo", "create.lock" };
		char path[PATH_MAX];
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < sizeof(path))
				unlink(path);
	}
	rmdir(dir);
}

/* A state's "cgroups" into out (those that fit, up to STORE_MAX_CGROUPS);
 * returns the first one that did not fit, or NULL. */
static const char *read_cgroups(json_t *state, char (*out)[NSRUN_CGROUP_PATH_MAX], unsigned *n)
{
	const char *too_long = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(state, "cgroups"), i, v) {
		const char *dir = json_string_value(v);
		if (*n == STORE_MAX_CGROUPS || !dir)
			continue;
		if ((size_t)snprintf(out[*n], sizeof(out[0]), "%s", dir) < sizeof(out[0]))
			(*n)++;
		else if (!too_long)
			too_long = dir;
	}
	return too_long;
}

/* With the root locked: dir is debris when no create holds it and it has
 * no complete state (a pid). */
static int remove_if_abandoned(const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return 0;
	/* No lock file: a create killed between the mkdir and the lock. */
	int fd = lock_create(dir, 0);
	if (fd < 0 && errno != ENOENT)
		return 0;
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/state.json", dir) >= sizeof(path)) {
		/* Not a directory create made: leave it. */
		if (fd >= 0)
			close(fd);
		return 0;
	}
	json_t *o = json_load_file(path, 0, NULL);
	if (json_integer_value(json_object_get(o, "pid")) > 0) {
		json_decref(o);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* The cgroups a create records before anything is in them; one that
	 * does not fit was not recorded by nsrun: not removed. */
	char cgroups[STORE_MAX_CGROUPS][NSRUN_CGROUP_PATH_MAX];
	unsigned n = 0;
	read_cgroups(o, cgroups, &n);
	json_decref(o);
	cgroup_remove_dirs(cgroups, n);
	remove_dir_and_files(dir);
	if (fd >= 0)
		close(fd);
	return 1;
}

int store_remove_abandoned(const char *root, const char *id)
{
	char dir[PATH_MAX];
	if (!store_id_valid(id) || (size_t)snprintf(dir, sizeof(dir), "%s/%s", root, id) >= sizeof(dir))
		return 0;
	int root_fd = lock_dir(root, LOCK_EX);
	if (root_fd < 0)
		return 0;
	int rc = remove_if_abandoned(dir);
	close(root_fd);
	return rc;
}

int store_create_dir(const char *root, const char *id, struct stored_container *st,
			 struct nsrun_error *err)
{
	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	if (!store_id_valid(id))
		return nsrun_fail(err, 0, "invalid container id '%s'", id ? id : "");
	if (mkdir_p(root, 0700) < 0)
		return nsrun_fail(err, errno, "state root %s", root);
	(void)snprintf(st->id, sizeof(st->id), "%s", id); /* a valid id fits */
	if ((size_t)snprintf(st->dir, sizeof(st->dir), "%s/%s", root, id) >= sizeof(st->dir))
		return nsrun_fail(err, ENAMETOOLONG, "state root %s", root);
	int root_fd = lock_dir(root, LOCK_EX);
	if (root_fd < 0)
		return nsrun_fail(err, errno, "lock the state root %s", root);
	int rc = mkdir(st->dir, 0700);
	int e = errno;
	if (rc < 0 && e == EEXIST && remove_if_abandoned(st->dir)) {
		rc = mkdir(st->dir, 0700);
		e = errno;
	}
	if (rc < 0) {
		close(root_fd);
		if (e == EEXIST)
			return nsrun_fail(err, 0, "container with given ID already exists");
		return nsrun_fail(err, e, "create %s", st->dir);
	}
	/* Locked before the root is unlocked: no one may take it for debris. */
	st->lock_fd = lock_create(st->dir, O_CREAT | O_EXCL);
	e = errno;
	close(root_fd);
	if (st->lock_fd < 0) {
		remove_dir_and_files(st->dir);
		return nsrun_fail(err, e, "lock %s", st->dir);
	}
	st->locked = true;
	st->owner = geteuid();
	if (fault_point("oci.state-dir", err) < 0) {
		store_remove(st);
		return -1;
	}
	return 0;
}

int store_save(const struct stored_container *st, struct nsrun_error *err)
{
	json_t *o = json_object();
	json_t *cg = json_array();
	for (unsigned i = 0; i < st->n_cgroups; i++)
		json_array_append_new(cg, json_string(st->cgroups[i]));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "start_time", json_integer((json_int_t)st->start_time));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	json_object_set_new(o, "ociVersion", json_string(st->oci_version));
	json_object_set_new(o, "owner", json_integer(st->owner));
	json_object_set_new(o, "namespaces", json_integer((json_int_t)st->namespaces));
	json_object_set_new(o, "cgroups", cg);
	if (st->annotations)
		json_object_set(o, "annotations", st->annotations);
	if (st->hooks)
		json_object_set(o, "hooks", st->hooks);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return nsrun_fail(err, ENOMEM, "state.json");
	char path[PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s/state.json", st->dir); /* dir is shorter: fits */
	int rc = store_write_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

static void copy_string(json_t *o, const char *key, char *out, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	/* state.json holds what a buffer of this size held when it was saved */
	(void)snprintf(out, size, "%s", v ? v : "");
}

int store_load(const char *root, const char *id, struct stored_container *st,
		   struct nsrun_error *err)
{
	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	if (!store_id_valid(id))
		return nsrun_fail(err, 0, "container does not exist");
	(void)snprintf(st->id, sizeof(st->id), "%s", id); /* a valid id fits */
	if ((size_t)snprintf(st->dir, sizeof(st->dir), "%s/%s", root, id) >= sizeof(st->dir))
		return nsrun_fail(err, ENAMETOOLONG, "state root %s", root);
	char path[PATH_MAX];
	(void)snprintf(path, sizeof(path), "%s/state.json", st->dir); /* dir is shorter: fits */
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr);
	if (!o) {
		struct stat sb;
		if (stat(path, &sb) < 0 && errno == ENOENT)
			return nsrun_fail(err, 0, "container does not exist");
		return nsrun_fail(err, 0, "%s: %s", path, jerr.text);
	}
	st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->start_time = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
	st->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	st->namespaces = (unsigned long)json_integer_value(json_object_get(o, "namespaces"));
	copy_string(o, "bundle", st->bundle, sizeof(st->bundle));
	copy_string(o, "rootfs", st->rootfs, sizeof(st->rootfs));
	copy_string(o, "created", st->created, sizeof(st->created));
	copy_string(o, "ociVersion", st->oci_version, sizeof(st->oci_version));
	const char *too_long = read_cgroups(o, st->cgroups, &st->n_cgroups);
	if (too_long) {
		int rc = nsrun_fail(err, ENAMETOOLONG, "%s: cgroup %s", path, too_long);
		json_decref(o);
		return rc;
	}
	st->annotations = json_object_get(o, "annotations");
	if (st->annotations)
		json_incref(st->annotations);
	st->hooks = json_object_get(o, "hooks");
	if (st->hooks)
		json_incref(st->hooks);
	json_decref(o);
	/* No pid yet: a create at work, or the debris of one that was killed. */
	if (st->pid <= 0) {
		store_free(st);
		return nsrun_fail(err, 0, "container does not exist");
	}
	return 0;
}

void store_free(struct stored_container *st)
{
	json_decref(st->annotations);
	json_decref(st->hooks);
	st->annotations = NULL;
	st->hooks = NULL;
	if (st->locked)
		close(st->lock_fd);
	st->locked = false;
	st->lock_fd = -1;
}

unsigned long long oci_process_start_time(pid_t pid)
{
	char path[64], buf[1024];
	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid); /* a number: fits */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields count from the last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static bool frozen(const struct stored_container *st)
{
	char path[1200], buf[64]; /* a cgroup (1100) and a file name: fits */
	for (unsigned i = 0; i < st->n_cgroups; i++) {
		(void)snprintf(path, sizeof(path), "%s/freezer.state", st->cgroups[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			(void)snprintf(path, sizeof(path), "%s/cgroup.freeze", st->cgroups[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strncmp(buf, "FROZEN", 6) == 0 || strncmp(buf, "1", 1) == 0)
				return true;
		}
	}
	return false;
}

enum oci_status store_status(const struct stored_container *st)
{
	unsigned long long now = oci_process_start_time(st->pid);
	if (now == 0 || now != st->start_time)
		return OCI_STOPPED;
	char fifo[PATH_MAX];
	(void)snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir); /* dir is shorter: fits */
	if (access(fifo, F_OK) == 0)
		return OCI_CREATED;
	return frozen(st) ? OCI_PAUSED : OCI_RUNNING;
}

const char *store_status_name(enum oci_status s)
{
	static const char *const names[] = { "created", "running", "paused", "stopped" };
	return names[s];
}

json_t *store_state_json(const struct stored_container *st, enum oci_status status)
{
	json_t *o = json_object();
	json_object_set_new(o, "ociVersion", json_string(st->oci_version));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(status == OCI_STOPPED ? 0 : st->pid));
	json_object_set_new(o, "status", json_string(store_status_name(status)));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	if (st->annotations && json_object_size(st->annotations))
		json_object_set(o, "annotations", st->annotations);
	json_object_set_new(o, "owner", json_string(""));
	return o;
}

void store_remove(const struct stored_container *st)
{
	remove_dir_and_files(st->dir);
}
