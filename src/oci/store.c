/* SPDX-License-Identifier: Apache-2.0 */
/* The store of containers. See store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/dir_pool.h"
#include "oci/freezer.h"
#include "oci/json.h"
#include "oci/procs.h"
#include "oci/store.h"
#include "engine/cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/file.h"

/* Root of a user namespace (rootless podman runs us so) is not the host's
 * root: its uid_map is not the identity of every id. */
static bool in_initial_user_namespace(void)
{
	char buf[128];
	ssize_t n = file_read("/proc/self/uid_map", buf, sizeof(buf));
	if (n < 0)
		return true;
	/* The first line: "inside outside count". */
	unsigned long v[3];
	const char *p = buf;
	for (int i = 0; i < 3; i++) {
		char *end;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || end == p ||
		    (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\0'))
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
		 * directory may be (struct stored_container.dir), so every create
		 * or load of a container in it fails with ENAMETOOLONG. */
		(void)snprintf(buf, sizeof(buf), "%s/nsrun", xdg);
		return buf;
	}
	return "/run/nsrun";
}

bool store_id_valid(const char *id)
{
	if (!id || !*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 200)
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("_+.-", *c)))
			return false;
	return true;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Write and close (its errors count) the temporary file. */
static int write_temporary(const char *tmp, const char *path, const char *data, size_t len,
			   struct nsrun_error *err)
{
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return nsrun_fail(err, errno, "write %s", path);
	if (write_all(fd, data, len) < 0)
		return nsrun_fail(err, errno, "write %s", path);
	const char *slash = strrchr(path, '/');
	char step[300];
	/* A fault point's name: one cut short only matches no point. */
	(void)snprintf(step, sizeof(step), "write %s", slash ? slash + 1 : path);
	if (fault_point(step, err) < 0)
		return -1;
	if (close(take_fd(&fd)) < 0)
		return nsrun_fail(err, errno, "write %s", path);
	return 0;
}

/* rename(tmp, path), but a file already at path is swapped out and then
 * unlinked: ext4 (auto_da_alloc) writes a file renamed over another to
 * disk at once, and the unlink of that file at delete then waits for the
 * write (0.3 ms on this machine's /run, against 0.03). */
static int replace(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
		/* The new state is in place: a leftover old one goes with the
		 * directory. */
		(void)unlink(tmp);
		return 0;
	}
	/* ENOENT: nothing to swap with; EINVAL: a filesystem without it. */
	if (errno != ENOENT && errno != EINVAL)
		return -1;
	return rename(tmp, path);
}

int store_write_atomic(const char *path, const char *data, size_t len, struct nsrun_error *err)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;
	if (path_format(tmp, sizeof(tmp), "%.*s.%s.%d", dlen, path, slash ? slash + 1 : path,
			(int)getpid()) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "%s", path);
	int rc = write_temporary(tmp, path, data, len, err);
	if (rc == 0 && replace(tmp, path) < 0)
		rc = nsrun_fail(err, errno, "write %s", path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (path_format(buf, sizeof(buf), "%s", path) < 0)
		return -1;
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
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc;
	while ((rc = flock(fd, how)) < 0 && errno == EINTR)
		;
	return rc < 0 ? -1 : take_fd(&fd);
}

/* A create holds <dir>/create.lock with a POSIX record lock: unlike flock,
 * the processes it clones and forks (init stage, hooks) do not hold it too,
 * so a killed create's lock goes with it. -1 with EAGAIN while held. */
static int lock_create(const char *dir, int open_flags)
{
	char path[PATH_MAX];
	if (path_format(path, sizeof(path), "%s/create.lock", dir) < 0)
		return -1;
	cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC | open_flags, 0600);
	if (fd < 0)
		return -1;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &l) < 0) {
		if (errno == EACCES)
			errno = EAGAIN;
		/* cppcheck-suppress resourceLeak ; cleanup_close closes it */
		return -1;
	}
	/* cppcheck-suppress resourceLeak ; take_fd hands it to the caller */
	return take_fd(&fd);
}

/* Unlink every file in dir (state.json, exec.fifo, and the temporary file
 * of a write that was cut short), then keep the emptied directory for the
 * next create (dir_pool.h) or remove it. */
static void remove_dir_and_files(const char *dir)
{
	bool emptied = false;
	cleanup_closedir DIR *d = opendir(dir);
	if (d) {
		emptied = true;
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
				emptied = false;
	} else {
		/* Out of descriptors (EMFILE): the names nsrun makes. */
		static const char *const names[] = { "state.json", "exec.fifo", "exec.context",
						     "create.lock" };
		char path[PATH_MAX];
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (path_format(path, sizeof(path), "%s/%s", dir, names[i]) == 0)
				unlink(path);
	}
	if (emptied)
		dir_pool_give(dir);
	else
		rmdir(dir);
}

/* A state's "cgroups" into out (those that fit, up to STORE_MAX_CGROUPS);
 * returns the first one that did not fit, or NULL. */
static const char *read_cgroups(json_t *state, char (*out)[NSRUN_CGROUP_PATH_MAX], unsigned *n)
{
	const char *too_long = NULL;
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(state, "cgroups"), i, v) {
		const char *dir = json_string_value(v);
		if (*n == STORE_MAX_CGROUPS || !dir)
			continue;
		if (path_format(out[*n], sizeof(out[0]), "%s", dir) == 0)
			(*n)++;
		else if (!too_long)
			too_long = dir;
	}
	return too_long;
}

/* A state's systemd scope into u; false when it has none. */
static bool read_unit(json_t *state, struct systemd_unit *u)
{
	const char *unit = json_string_value(json_object_get(state, "systemd_unit"));
	if (!unit || !*unit || strlen(unit) >= sizeof(u->unit))
		return false;
	memcpy(u->unit, unit, strlen(unit) + 1);
	u->user = json_is_true(json_object_get(state, "systemd_user"));
	return true;
}

/* Whether the state in dir has no pid: a create at work or killed. A
 * directory whose state.json path is too long is none of create's. */
static bool without_pid(const char *dir, json_t **state)
{
	char path[PATH_MAX];
	if (path_format(path, sizeof(path), "%s/state.json", dir) < 0)
		return false;
	*state = json_load_file(path, 0, NULL);
	return json_integer_value(json_object_get(*state, "pid")) <= 0;
}

/* With the root locked: dir is debris when no create holds it and it has
 * no complete state (a pid). */
static int remove_if_abandoned(const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return 0;
	/* No lock file: a create killed between the mkdir and the lock. */
	cleanup_close int fd = lock_create(dir, 0);
	if (fd < 0 && errno != ENOENT)
		return 0;
	cleanup_json json_t *state = NULL;
	if (!without_pid(dir, &state))
		return 0;
	/* The cgroups a create records before anything is in them; one that
	 * does not fit was not recorded by nsrun: not removed. */
	char cgroups[STORE_MAX_CGROUPS][NSRUN_CGROUP_PATH_MAX];
	unsigned n = 0;
	read_cgroups(state, cgroups, &n);
	struct nsrun_error ignored;
	struct systemd_unit unit = { 0 };
	if (read_unit(state, &unit))
		systemd_stop(&unit, &ignored);
	cgroup_remove_dirs(cgroups, n, &ignored);
	remove_dir_and_files(dir);
	return 1;
}

int store_remove_abandoned(const char *root, const char *id)
{
	char dir[PATH_MAX];
	if (!store_id_valid(id) || path_format(dir, sizeof(dir), "%s/%s", root, id) < 0)
		return 0;
	cleanup_close int root_fd = lock_dir(root, LOCK_EX);
	return root_fd < 0 ? 0 : remove_if_abandoned(dir);
}

/* dir taken from the pool of emptied directories, else made: 0 or an
 * errno (EEXIST: there is one). */
static int take_or_make(const char *dir)
{
	if (dir_pool_take(dir) == 0)
		return 0;
	if (errno == EEXIST)
		return EEXIST;
	return mkdir(dir, 0700) == 0 ? 0 : errno;
}

/* With the root locked: make ct->dir, over debris of the same id. */
static int make_dir(const struct stored_container *ct, struct nsrun_error *err)
{
	int e = take_or_make(ct->dir);
	if (e == EEXIST && remove_if_abandoned(ct->dir))
		e = take_or_make(ct->dir);
	if (e == EEXIST)
		return nsrun_fail(err, 0, "container with given ID already exists");
	return e ? nsrun_fail(err, e, "create %s", ct->dir) : 0;
}

/* Make and lock ct->dir with the root locked, so that no one may take it
 * for debris in between. */
static int make_locked_dir(const char *root, struct stored_container *ct, struct nsrun_error *err)
{
	cleanup_close int root_fd = lock_dir(root, LOCK_EX);
	if (root_fd < 0)
		return nsrun_fail(err, errno, "lock the state root %s", root);
	if (make_dir(ct, err) < 0)
		return -1;
	ct->lock_fd = lock_create(ct->dir, O_CREAT | O_EXCL);
	if (ct->lock_fd < 0) {
		nsrun_fail(err, errno, "lock %s", ct->dir);
		remove_dir_and_files(ct->dir);
		return -1;
	}
	ct->locked = true;
	return 0;
}

/* ct, emptied, for the container `id` of root: its id and directory. A
 * create's error for an invalid id names it; a load's says there is no
 * such container. */
static int name_container(const char *root, const char *id, bool creating,
			  struct stored_container *ct, struct nsrun_error *err)
{
	memset(ct, 0, sizeof(*ct));
	ct->lock_fd = -1;
	if (!store_id_valid(id) && creating)
		return nsrun_fail(err, 0, "invalid container id '%s'", id ? id : "");
	if (!store_id_valid(id))
		return nsrun_fail(err, 0, "container does not exist");
	(void)snprintf(ct->id, sizeof(ct->id), "%s", id); /* a valid id fits */
	if (path_format(ct->dir, sizeof(ct->dir), "%s/%s", root, id) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "state root %s", root);
	return 0;
}

int store_create_dir(const char *root, const char *id, struct stored_container *ct,
		     struct nsrun_error *err)
{
	if (name_container(root, id, true, ct, err) < 0)
		return -1;
	if (mkdir_p(root, 0700) < 0)
		return nsrun_fail(err, errno, "state root %s", root);
	if (make_locked_dir(root, ct, err) < 0)
		return -1;
	ct->owner = geteuid();
	if (fault_point("oci.state-dir", err) < 0) {
		store_remove(ct);
		return -1;
	}
	return 0;
}

/* state.json's text for ct, NULL when out of memory; the caller frees it. */
static char *state_text(const struct stored_container *ct)
{
	cleanup_json json_t *o = json_object();
	json_t *cg = json_array();
	for (unsigned i = 0; i < ct->n_cgroups; i++)
		json_array_append_new(cg, json_string(ct->cgroups[i]));
	json_object_set_new(o, "id", json_string(ct->id));
	json_object_set_new(o, "pid", json_integer(ct->pid));
	json_object_set_new(o, "start_time", json_integer((json_int_t)ct->start_time));
	json_object_set_new(o, "bundle", json_string(ct->bundle));
	json_object_set_new(o, "rootfs", json_string(ct->rootfs));
	json_object_set_new(o, "created", json_string(ct->created));
	json_object_set_new(o, "ociVersion", json_string(ct->oci_version));
	json_object_set_new(o, "owner", json_integer(ct->owner));
	json_object_set_new(o, "namespaces", json_integer((json_int_t)ct->namespaces));
	json_object_set_new(o, "cgroups", cg);
	if (ct->systemd.unit[0]) {
		json_object_set_new(o, "systemd_unit", json_string(ct->systemd.unit));
		json_object_set_new(o, "systemd_user", json_boolean(ct->systemd.user));
	}
	if (ct->annotations)
		json_object_set(o, "annotations", ct->annotations);
	if (ct->hooks)
		json_object_set(o, "hooks", ct->hooks);
	return json_dumps(o, JSON_COMPACT);
}

int store_save(const struct stored_container *ct, struct nsrun_error *err)
{
	cleanup_free char *text = state_text(ct);
	if (!text)
		return nsrun_fail(err, ENOMEM, "state.json");
	char path[PATH_MAX];
	store_path(ct, "state.json", path);
	return store_write_atomic(path, text, strlen(text), err);
}

int store_prepare(struct stored_container *ct, struct nsrun_error *err)
{
	cleanup_free char *text = state_text(ct);
	if (!text)
		return nsrun_fail(err, ENOMEM, "state.json");
	char path[PATH_MAX], next[PATH_MAX];
	store_path(ct, "state.json", path);
	store_path(ct, ".state.json.next", next);
	if (write_temporary(next, path, text, strlen(text), err) < 0) {
		unlink(next);
		return -1;
	}
	ct->prepared = true;
	return 0;
}

int store_commit(const struct stored_container *ct, struct nsrun_error *err)
{
	if (!ct->prepared)
		return store_save(ct, err);
	char path[PATH_MAX], next[PATH_MAX];
	store_path(ct, "state.json", path);
	store_path(ct, ".state.json.next", next);
	return replace(next, path) < 0 ? nsrun_fail(err, errno, "write %s", path) : 0;
}

static void copy_string(json_t *o, const char *key, char *out, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	/* state.json holds what a buffer of this size held when it was saved */
	(void)snprintf(out, size, "%s", v ? v : "");
}

/* The fields of a parsed state.json into ct. */
static int read_state(json_t *o, const char *path, struct stored_container *ct,
		      struct nsrun_error *err)
{
	ct->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	ct->start_time = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
	ct->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	ct->namespaces = (unsigned long)json_integer_value(json_object_get(o, "namespaces"));
	copy_string(o, "bundle", ct->bundle, sizeof(ct->bundle));
	copy_string(o, "rootfs", ct->rootfs, sizeof(ct->rootfs));
	copy_string(o, "created", ct->created, sizeof(ct->created));
	copy_string(o, "ociVersion", ct->oci_version, sizeof(ct->oci_version));
	read_unit(o, &ct->systemd);
	const char *too_long = read_cgroups(o, ct->cgroups, &ct->n_cgroups);
	if (too_long)
		return nsrun_fail(err, ENAMETOOLONG, "%s: cgroup %s", path, too_long);
	ct->annotations = json_incref(json_object_get(o, "annotations"));
	ct->hooks = json_incref(json_object_get(o, "hooks"));
	/* No pid yet: a create at work, or the debris of one that was killed. */
	if (ct->pid <= 0)
		return nsrun_fail(err, 0, "container does not exist");
	return 0;
}

int store_load(const char *root, const char *id, struct stored_container *ct,
	       struct nsrun_error *err)
{
	if (name_container(root, id, false, ct, err) < 0)
		return -1;
	char path[PATH_MAX];
	store_path(ct, "state.json", path);
	json_error_t jerr;
	cleanup_json json_t *o = json_load_file(path, 0, &jerr);
	if (!o) {
		struct stat sb;
		if (stat(path, &sb) < 0 && errno == ENOENT)
			return nsrun_fail(err, 0, "container does not exist");
		return nsrun_fail(err, 0, "%s: %s", path, jerr.text);
	}
	if (read_state(o, path, ct, err) < 0) {
		store_free(ct);
		return -1;
	}
	return 0;
}

void store_free(struct stored_container *ct)
{
	json_decref(ct->annotations);
	json_decref(ct->hooks);
	ct->annotations = NULL;
	ct->hooks = NULL;
	if (ct->locked)
		close(ct->lock_fd);
	ct->locked = false;
	ct->lock_fd = -1;
}

enum oci_status store_status(const struct stored_container *ct)
{
	unsigned long long now = procs_start_time(ct->pid);
	if (now == 0 || now != ct->start_time)
		return OCI_STOPPED;
	char fifo[PATH_MAX];
	store_path(ct, "exec.fifo", fifo);
	if (access(fifo, F_OK) == 0)
		return OCI_CREATED;
	return freezer_frozen(ct) ? OCI_PAUSED : OCI_RUNNING;
}

const char *store_status_name(enum oci_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused",
					     "stopped" };
	return names[s];
}

json_t *store_state_json(const struct stored_container *ct, enum oci_status status)
{
	json_t *o = json_object();
	json_object_set_new(o, "ociVersion", json_string(ct->oci_version));
	json_object_set_new(o, "id", json_string(ct->id));
	json_object_set_new(o, "pid", json_integer(status == OCI_STOPPED ? 0 : ct->pid));
	json_object_set_new(o, "status", json_string(store_status_name(status)));
	json_object_set_new(o, "bundle", json_string(ct->bundle));
	json_object_set_new(o, "rootfs", json_string(ct->rootfs));
	json_object_set_new(o, "created", json_string(ct->created));
	if (ct->annotations && json_object_size(ct->annotations))
		json_object_set(o, "annotations", ct->annotations);
	json_object_set_new(o, "owner", json_string(""));
	return o;
}

void store_path(const struct stored_container *ct, const char *name, char *path)
{
	/* dir is shorter than PATH_MAX by more than the names nsrun makes */
	(void)snprintf(path, PATH_MAX, "%s/%s", ct->dir, name);
}

void store_remove(const struct stored_container *ct)
{
	remove_dir_and_files(ct->dir);
}
