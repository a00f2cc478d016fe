/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime's store of containers: <root>/<id>/state.json, written
 * atomically, beside the exec fifo that parks a created container. */
#ifndef NSRUN_OCI_STORE_H
#define NSRUN_OCI_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include <nsrun/nsrun.h>

#include "engine/cgroup/systemd.h"
#include "engine/container.h"

#define STORE_MAX_CGROUPS NSRUN_MAX_CGROUP_DIRS

/* A container as the store records it. */
struct stored_container {
	char id[256];
	char dir[3800]; /* <root>/<id>; shorter than PATH_MAX with a file name */
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22, against PID reuse */
	char bundle[4096];
	char rootfs[4096];
	char created[64]; /* RFC 3339 with nanoseconds */
	char oci_version[32];
	uid_t owner;
	json_t *annotations; /* owned; may be NULL */
	json_t *hooks; /* owned; config.json's hooks, may be NULL */
	unsigned n_cgroups;
	char cgroups[STORE_MAX_CGROUPS][NSRUN_CGROUP_PATH_MAX];
	unsigned long namespaces; /* CLONE_NEW* the container made */
	struct systemd_unit systemd; /* the systemd driver's scope; unit "" if none */
	bool terminal; /* create only (not stored): process.terminal */
	int lock_fd; /* create's lock on dir, when `locked` */
	bool locked;
	bool prepared; /* create only: store_prepare wrote its state aside */
};

/* The runtime spec's statuses; nsrun adds paused. A stored container is
 * never "creating" (its state has no pid until create is done); hooks
 * that run during create read that status. */
enum oci_status { OCI_CREATING, OCI_CREATED, OCI_RUNNING, OCI_PAUSED, OCI_STOPPED };

/* The state root: --root, else /run/nsrun for root, else
 * $XDG_RUNTIME_DIR/nsrun (an empty XDG_RUNTIME_DIR counts as unset). */
const char *store_root(const char *flag);

/* Container ids: [A-Za-z0-9_+.-], not empty, not "." or "..". */
bool store_id_valid(const char *id);

/* Create <root>/<id> (exclusively: a second create of the id fails with
 * runc's "container with given ID already exists") and hold it locked
 * until store_free: while the lock is held the container is being
 * created; a directory without a complete state.json and without the lock
 * was left by a create that was killed. Such debris of the same id is
 * removed first. */
int store_create_dir(const char *root, const char *id, struct stored_container *ct,
		     struct nsrun_error *err);

int store_save(const struct stored_container *ct, struct nsrun_error *err);

/* The state create commits, written aside (.state.json.next) while the
 * container's first process sets up, so that the commit itself is one
 * rename (store_commit). Readers go on seeing the state without a pid. */
int store_prepare(struct stored_container *ct, struct nsrun_error *err);

/* Put the prepared state in place, or without one save ct's. */
int store_commit(const struct stored_container *ct, struct nsrun_error *err);

/* Remove what a killed create left of <root>/<id>: its systemd scope and
 * cgroups, if it recorded them, and the directory. 1 when there was such debris, 0 when
 * there is none (no directory, a complete state, or a create still at work). */
int store_remove_abandoned(const char *root, const char *id);

/* Load, with runc's "container does not exist" when there is none. */
int store_load(const char *root, const char *id, struct stored_container *ct,
	       struct nsrun_error *err);

/* Release what a created or loaded container holds (also one whose load
 * failed, or one all zero). */
void store_free(struct stored_container *ct);

/* A struct stored_container released with store_free out of scope. */
#define cleanup_store __attribute__((cleanup(store_free)))

enum oci_status store_status(const struct stored_container *ct);
const char *store_status_name(enum oci_status s);

/* The state JSON that `state` prints and hooks read. */
json_t *store_state_json(const struct stored_container *ct, enum oci_status status);

/* The path of a file (state.json, exec.fifo) in the container's directory,
 * into a buffer of PATH_MAX bytes, which holds it. */
void store_path(const struct stored_container *ct, const char *name, char *path);

/* Remove the container's directory and everything in it. */
void store_remove(const struct stored_container *ct);

/* Write a file atomically: a temporary name in the same directory, renamed. */
int store_write_atomic(const char *path, const char *data, size_t len, struct nsrun_error *err);

#endif
