/* SPDX-License-Identifier: Apache-2.0 */
/* User namespace id maps: parsing the "INSIDE OUTSIDE COUNT,..." notation,
 * checking ranges as the kernel will, deciding who may write them, and
 * writing them (directly, or through newuidmap/newgidmap). */
#ifndef NSRUN_ENGINE_NS_IDMAP_H
#define NSRUN_ENGINE_NS_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include <nsrun/nsrun.h>

/* Parse one or more comma-separated "INSIDE OUTSIDE COUNT" triples into map
 * and check them (idmap_check). `option` names the flag in errors. */
int idmap_parse(const char *text, const char *option, struct nsrun_id_map *map,
		struct nsrun_error *err);

/* Check what the kernel checks: count > 0, no wrap past 4294967294, no two
 * ranges overlapping inside or outside, at most NSRUN_MAX_MAP_LINES. */
int idmap_check(const struct nsrun_id_map *map, const char *what, struct nsrun_error *err);

/* The map in the kernel's text form ("I O C\n" per range), NUL-terminated.
 * Returns its length, or -1 if size is too small. */
int idmap_format(const struct nsrun_id_map *map, char *buf, size_t size);

/* Look up the first range of `user` (by name or numeric id) in a subid file
 * such as /etc/subuid. Returns 0 and fills start/count, or -1. */
int idmap_subid_lookup(const char *file, const char *user, unsigned long id, uint32_t *start,
		       uint32_t *count, struct nsrun_error *err);

enum idmap_writer {
	IDMAP_WRITER_NONE, /* no user namespace, or nothing to map */
	IDMAP_WRITER_SELF, /* the process writes its own maps after unshare */
	IDMAP_WRITER_OUTSIDE, /* a process outside writes them (CAP_SETUID, or
	                          the unprivileged single-id rule) */
	IDMAP_WRITER_NEWIDMAP, /* newuidmap/newgidmap from outside */
};

/* The maps to write and how. */
struct idmap_plan {
	enum idmap_writer writer;
	bool deny_setgroups;
	struct nsrun_id_map uid;
	struct nsrun_id_map gid;
};

/* Resolve the spec's maps for the caller (its ids, capabilities and
 * subid ranges) into a plan. in_place: the process maps itself, so a writer
 * outside means a helper process. */
int idmap_plan_make(const struct nsrun_spec *spec, bool in_place, struct idmap_plan *plan,
		    struct nsrun_error *err);

/* Whether the plan maps the caller's uid to 0 inside (so the child, which
 * has the caller's uid, keeps its capabilities across execve). */
bool idmap_maps_root(const struct idmap_plan *plan);

/* Write setgroups, uid_map and gid_map of process `pid` ("self" when pid is
 * 0), resolving paths under proc_fd (an open /proc). */
int idmap_plan_apply(const struct idmap_plan *plan, int proc_fd, pid_t pid, int verbose,
		     struct nsrun_error *err);

#endif
