/* SPDX-License-Identifier: Apache-2.0 */
/* User namespace id maps. See idmap.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "engine/limits/caps.h"
#include "engine/ns/idmap.h"
#include "engine/ns/user.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/log.h"

/* The kernel refuses (u32)-1 as an id, so the last mappable id is 2^32 - 2. */
#define ID_LIMIT 0xffffffffULL

static int parse_u32(const char *s, size_t len, uint32_t *out)
{
	if (len == 0 || len > 10)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Parse one "I O C" triple of length len at s. */
static int parse_range(const char *s, size_t len, const char *option, const char *text,
		       struct nsrun_id_range *r, struct nsrun_error *err)
{
	uint32_t field[3];
	unsigned nfields = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (nfields == 3)
			return nsrun_fail(
				err, 0, "%s '%s': range '%.*s' has more than INSIDE OUTSIDE COUNT",
				option, text, (int)len, s);
		if (parse_u32(s + start, i - start, &field[nfields]) < 0)
			return nsrun_fail(err, 0,
					  "%s '%s': '%.*s' is not a number from 0 to 4294967295",
					  option, text, (int)(i - start), s + start);
		nfields++;
	}
	if (nfields != 3)
		return nsrun_fail(err, 0,
				  "%s '%s': range '%.*s' needs three numbers: INSIDE OUTSIDE COUNT",
				  option, text, (int)len, s);
	r->inside = field[0];
	r->outside = field[1];
	r->count = field[2];
	return 0;
}

int idmap_parse(const char *text, const char *option, struct nsrun_id_map *map,
		struct nsrun_error *err)
{
	map->n = 0;
	const char *p = text;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (map->n == NSRUN_MAX_MAP_LINES)
			return nsrun_fail(err, 0, "%s: more than %d ranges (the kernel's limit)",
					  option, NSRUN_MAX_MAP_LINES);
		if (parse_range(p, len, option, text, &map->range[map->n], err) < 0)
			return -1;
		map->n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return idmap_check(map, option, err);
}

static bool overlaps(uint32_t a, uint32_t b, uint32_t count_a, uint32_t count_b)
{
	return (uint64_t)a < (uint64_t)b + count_b && (uint64_t)b < (uint64_t)a + count_a;
}

int idmap_check(const struct nsrun_id_map *map, const char *what, struct nsrun_error *err)
{
	if (map->n > NSRUN_MAX_MAP_LINES)
		return nsrun_fail(err, 0, "%s: more than %d ranges (the kernel's limit)", what,
				  NSRUN_MAX_MAP_LINES);
	/* The kernel also takes less than a page of text. */
	char text[NSRUN_MAX_MAP_LINES * 34];
	int len = idmap_format(map, text, sizeof(text));
	if (len >= 4096)
		return nsrun_fail(
			err, 0, "%s: %d bytes as the kernel reads maps, which takes less than 4096",
			what, len);
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		if (r->count == 0)
			return nsrun_fail(err, 0,
					  "%s: range '%" PRIu32 " %" PRIu32 " %" PRIu32
					  "': COUNT must be at least 1",
					  what, r->inside, r->outside, r->count);
		if ((uint64_t)r->inside + r->count > ID_LIMIT ||
		    (uint64_t)r->outside + r->count > ID_LIMIT)
			return nsrun_fail(err, 0,
					  "%s: range '%" PRIu32 " %" PRIu32 " %" PRIu32
					  "' goes past the last id, 4294967294",
					  what, r->inside, r->outside, r->count);
		for (unsigned j = 0; j < i; j++) {
			const struct nsrun_id_range *q = &map->range[j];
			const char *side = NULL;
			if (overlaps(r->inside, q->inside, r->count, q->count))
				side = "inside";
			else if (overlaps(r->outside, q->outside, r->count, q->count))
				side = "outside";
			if (side)
				return nsrun_fail(err, 0,
						  "%s: ranges '%" PRIu32 " %" PRIu32 " %" PRIu32
						  "' and '%" PRIu32 " %" PRIu32 " %" PRIu32
						  "' overlap %s",
						  what, q->inside, q->outside, q->count, r->inside,
						  r->outside, r->count, side);
		}
	}
	return 0;
}

int idmap_format(const struct nsrun_id_map *map, char *buf, size_t size)
{
	size_t len = 0;
	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		int n = snprintf(buf + len, size - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 r->inside, r->outside, r->count);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

int idmap_subid_lookup(const char *file, const char *user, unsigned long id, uint32_t *start,
		       uint32_t *count, struct nsrun_error *err)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	if (!f)
		return nsrun_fail_about(err, NSRUN_ABOUT_ID_SOURCE, -1, errno, "read %s", file);
	char idtext[32];
	(void)snprintf(idtext, sizeof(idtext), "%lu", id); /* a number: fits */
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int found = -1;
	while (getline(&line, &cap, f) > 0) {
		char *name = line;
		char *c1 = strchr(name, ':');
		if (!c1)
			continue;
		*c1 = '\0';
		if (strcmp(name, idtext) != 0 && (!user || strcmp(name, user) != 0))
			continue;
		char *c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		char *end = c2 + 1 + strcspn(c2 + 1, "\r\n");
		if (parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), start) < 0 ||
		    parse_u32(c2 + 1, (size_t)(end - c2 - 1), count) < 0 || *count == 0)
			continue;
		found = 0;
		break;
	}
	if (found < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ID_SOURCE, -1, 0,
					"no range for user '%s' (id %lu) in %s",
					user ? user : idtext, id, file);
	return 0;
}

static bool is_single_own_id(const struct nsrun_id_map *map, uint32_t own)
{
	return map->n == 1 && map->range[0].outside == own && map->range[0].count == 1;
}

/* An unprivileged caller may map only its own id, once. Name the id at
 * fault; the map is `about`. */
static int check_unprivileged(const struct nsrun_id_map *map, uint32_t own, const char *kind,
			      enum nsrun_about about, struct nsrun_error *err)
{
	if (map->n == 0 || is_single_own_id(map, own))
		return 0;
	uint32_t bad = own;
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		if (r->outside != own) {
			bad = r->outside;
			break;
		}
	}
	if (bad == own)
		return nsrun_fail_about(err, about, -1, 0,
					"%s %" PRIu32
					" may map only itself, one id, without CAP_SET%s",
					kind, own, kind[0] == 'u' ? "UID" : "GID");
	return nsrun_fail_about(err, about, -1, 0,
				"%s %" PRIu32 " cannot be mapped by %s %" PRIu32
				" without CAP_SET%s",
				kind, bad, kind, own, kind[0] == 'u' ? "UID" : "GID");
}

static int auto_maps(struct idmap_plan *plan, uid_t uid, gid_t gid, struct nsrun_error *err)
{
	/* glibc asks for 1024 bytes (_SC_GETPW_R_SIZE_MAX); an entry larger
	 * than this buffer is looked up by id alone, as an unknown user. */
	char pwbuf[16384];
	struct passwd pwd, *pw = NULL;
	if (getpwuid_r(uid, &pwd, pwbuf, sizeof(pwbuf), &pw) != 0)
		pw = NULL;
	const char *name = pw ? pw->pw_name : NULL;
	uint32_t start, count;
	if (idmap_subid_lookup("/etc/subuid", name, uid, &start, &count, err) < 0)
		return -1;
	plan->uid.n = 2;
	plan->uid.range[0] = (struct nsrun_id_range){ 0, uid, 1 };
	plan->uid.range[1] = (struct nsrun_id_range){ 1, start, count };
	if (idmap_subid_lookup("/etc/subgid", name, uid, &start, &count, err) < 0)
		return -1;
	plan->gid.n = 2;
	plan->gid.range[0] = (struct nsrun_id_range){ 0, gid, 1 };
	plan->gid.range[1] = (struct nsrun_id_range){ 1, start, count };
	if (idmap_check(&plan->uid, "the uid map from /etc/subuid", err) < 0 ||
	    idmap_check(&plan->gid, "the gid map from /etc/subgid", err) < 0)
		return nsrun_error_about(err, NSRUN_ABOUT_ID_SOURCE, -1);
	return 0;
}

/* Whether a range of map holds id, on its inside or its outside. */
static bool map_has(const struct nsrun_id_map *map, uint32_t id, bool outside)
{
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		if (overlaps(id, outside ? r->outside : r->inside, 1, r->count))
			return true;
	}
	return false;
}

/* Map id to itself unless the map has it, inside or outside, already. */
static void add_identity(struct nsrun_id_map *map, uint32_t id)
{
	if (!map_has(map, id, false) && !map_has(map, id, true) && map->n < NSRUN_MAX_MAP_LINES)
		map->range[map->n++] = (struct nsrun_id_range){ id, id, 1 };
}

/* The user to switch to, looked up where the stage will look (the rootfs, or
 * the host's /etc). false where it cannot be: the stage says why. */
static bool as_user_ids(const struct nsrun_spec *spec, struct user_ids *ids)
{
	struct nsrun_error ignored = { 0 };
	return user_lookup(spec->as_user, spec->rootfs, ids, &ignored) == 0;
}

/* The user switch needs its ids mapped. Root maps them to themselves beside its own
 * as 0; an unprivileged caller, which may map only itself, maps itself to
 * the user, as bwrap --uid does. Maps given by the caller are checked. */
static int plan_as_user(const struct nsrun_spec *spec, bool privileged, uid_t uid, gid_t gid,
			struct idmap_plan *plan, struct nsrun_error *err)
{
	struct user_ids ids;
	if (!spec->as_user || spec->id_source == NSRUN_IDS_AUTO || !as_user_ids(spec, &ids))
		return 0;
	if (spec->id_source == NSRUN_IDS_EXPLICIT && (plan->uid.n || plan->gid.n)) {
		if (plan->uid.n && !map_has(&plan->uid, ids.uid, false))
			return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, 0,
						"uid %" PRIu32
						" is not in the uid map; add a line that maps it",
						ids.uid);
		if (plan->gid.n && !map_has(&plan->gid, ids.gid, false))
			return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, 0,
						"gid %" PRIu32
						" is not in the gid map; add a line that maps it",
						ids.gid);
		return 0;
	}
	if (!privileged) {
		plan->uid.n = plan->gid.n = 1;
		plan->uid.range[0] = (struct nsrun_id_range){ ids.uid, uid, 1 };
		plan->gid.range[0] = (struct nsrun_id_range){ ids.gid, gid, 1 };
		return 0;
	}
	plan->uid.n = plan->gid.n = 1;
	plan->uid.range[0] = (struct nsrun_id_range){ 0, uid, 1 };
	plan->gid.range[0] = (struct nsrun_id_range){ 0, gid, 1 };
	add_identity(&plan->uid, ids.uid);
	for (size_t i = 0; i < ids.ngroups; i++)
		add_identity(&plan->gid, ids.groups[i]);
	add_identity(&plan->gid, ids.gid);
	if (idmap_check(&plan->uid, "the uid map for the user switch", err) < 0 ||
	    idmap_check(&plan->gid, "the gid map for the user switch", err) < 0)
		return nsrun_error_about(err, NSRUN_ABOUT_AS_USER, -1);
	return 0;
}

int idmap_plan_make(const struct nsrun_spec *spec, bool in_place, struct idmap_plan *plan,
		    struct nsrun_error *err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	plan->writer = IDMAP_WRITER_NONE;
	plan->deny_setgroups = spec->setgroups == NSRUN_SETGROUPS_DENY;
	plan->uid.n = 0;
	plan->gid.n = 0;
	if (!(spec->new_ns & CLONE_NEWUSER))
		return 0;

	bool privileged = caps_have(CAP_SETUID) && caps_have(CAP_SETGID);
	switch (spec->id_source) {
	case NSRUN_IDS_ROOT:
		plan->uid.n = plan->gid.n = 1;
		plan->uid.range[0] = (struct nsrun_id_range){ 0, uid, 1 };
		plan->gid.range[0] = (struct nsrun_id_range){ 0, gid, 1 };
		break;
	case NSRUN_IDS_AUTO:
		if (auto_maps(plan, uid, gid, err) < 0)
			return -1;
		plan->writer = privileged ? IDMAP_WRITER_OUTSIDE : IDMAP_WRITER_NEWIDMAP;
		return 0;
	case NSRUN_IDS_EXPLICIT:
		plan->uid = spec->uid_map;
		plan->gid = spec->gid_map;
		break;
	}
	if (plan_as_user(spec, privileged, uid, gid, plan, err) < 0)
		return -1;
	if (plan->uid.n == 0 && plan->gid.n == 0)
		return 0;

	bool single = (plan->uid.n == 0 || is_single_own_id(&plan->uid, uid)) &&
		      (plan->gid.n == 0 || is_single_own_id(&plan->gid, gid));
	if (!privileged) {
		if (check_unprivileged(&plan->uid, uid, "uid", NSRUN_ABOUT_UID_MAP, err) < 0 ||
		    check_unprivileged(&plan->gid, gid, "gid", NSRUN_ABOUT_GID_MAP, err) < 0)
			return -1;
		/* The kernel's rule for an unprivileged gid_map writer. */
		if (plan->gid.n > 0)
			plan->deny_setgroups = true;
		plan->writer = in_place ? IDMAP_WRITER_SELF : IDMAP_WRITER_OUTSIDE;
		return 0;
	}
	/* Privileged: writing from inside is cheapest, but only the single-id
	 * rule applies there, and it costs setgroups. */
	if (in_place && single && (plan->gid.n == 0 || spec->setgroups != NSRUN_SETGROUPS_ALLOW)) {
		plan->writer = IDMAP_WRITER_SELF;
		if (plan->gid.n > 0)
			plan->deny_setgroups = true;
	} else {
		plan->writer = IDMAP_WRITER_OUTSIDE;
	}
	return 0;
}

bool idmap_maps_root(const struct idmap_plan *plan)
{
	uint32_t own = (uint32_t)geteuid();
	for (unsigned i = 0; i < plan->uid.n; i++)
		if (plan->uid.range[i].inside == 0 && plan->uid.range[i].outside == own)
			return true;
	return false;
}

static int write_proc_file(int proc_fd, pid_t pid, const char *name, const char *data, size_t len,
			   struct nsrun_error *err)
{
	char path[64];
	int path_len = pid > 0 ? snprintf(path, sizeof(path), "%d/%s", (int)pid, name)
			       : snprintf(path, sizeof(path), "self/%s", name);
	if (path_len < 0 || (size_t)path_len >= sizeof(path))
		return nsrun_fail(err, ENAMETOOLONG, "/proc/%s", name);
	/* The kernel takes a map in a single write. */
	if (file_write_at(proc_fd, path, data, len) < 0)
		return nsrun_fail(err, errno, "write /proc/%s", path);
	return 0;
}

/* Run newuidmap or newgidmap PID I O C ... and wait for it. */
static int run_newidmap(const char *prog, pid_t pid, const struct nsrun_id_map *map,
			struct nsrun_error *err)
{
	/* Numbers, each in a buffer that holds the longest of its type. */
	char pidtext[16];
	(void)snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	char num[NSRUN_MAX_MAP_LINES * 3][11];
	char *argv[2 + NSRUN_MAX_MAP_LINES * 3 + 1];
	unsigned argc = 0;
	argv[argc++] = (char *)prog;
	argv[argc++] = pidtext;
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		uint32_t v[3] = { r->inside, r->outside, r->count };
		for (unsigned k = 0; k < 3; k++) {
			(void)snprintf(num[i * 3 + k], sizeof(num[0]), "%" PRIu32, v[k]);
			argv[argc++] = num[i * 3 + k];
		}
	}
	argv[argc] = NULL;
	pid_t child = fork();
	if (child < 0)
		return nsrun_fail(err, errno, "fork for %s", prog);
	if (child == 0) {
		execvp(prog, argv);
		int e = errno;
		struct nsrun_error cerr;
		nsrun_fail(&cerr, 0, "run %s: %s%s", prog, strerror(e),
			   e == ENOENT ? " (install the uidmap package)" : "");
		nsrun_error_print(&cerr);
		_exit(NSRUN_EXIT_FAILURE);
	}
	int status;
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			return nsrun_fail(err, errno, "wait for %s", prog);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ID_SOURCE, -1, 0,
					"%s %s failed (see its message above)", prog, pidtext);
	return 0;
}

int idmap_plan_apply(const struct idmap_plan *plan, int proc_fd, pid_t pid, int verbose,
		     struct nsrun_error *err)
{
	char text[NSRUN_MAX_MAP_LINES * 34];
	if (plan->writer == IDMAP_WRITER_NONE)
		return 0;
	if (plan->deny_setgroups) {
		if (write_proc_file(proc_fd, pid, "setgroups", "deny", 4, err) < 0)
			return -1;
		nsrun_trace(verbose, "setgroups: deny");
	}
	const struct {
		const char *file, *prog;
		const struct nsrun_id_map *map;
	} maps[] = {
		{ "uid_map", "newuidmap", &plan->uid },
		{ "gid_map", "newgidmap", &plan->gid },
	};
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (maps[i].map->n == 0)
			continue;
		int len = idmap_format(maps[i].map, text, sizeof(text));
		if (len < 0)
			return nsrun_fail(err, E2BIG, "%s", maps[i].file);
		if (plan->writer == IDMAP_WRITER_NEWIDMAP) {
			if (run_newidmap(maps[i].prog, pid, maps[i].map, err) < 0)
				return -1;
		} else if (write_proc_file(proc_fd, pid, maps[i].file, text, (size_t)len, err) <
			   0) {
			return -1;
		}
		if (verbose) {
			for (char *p = text; *p; p++)
				if (*p == '\n')
					*p = p[1] ? ',' : '\0';
			nsrun_trace(verbose, "%s written%s: %s", maps[i].file,
				    plan->writer == IDMAP_WRITER_NEWIDMAP ? " by newidmap" : "",
				    text);
		}
	}
	return 0;
}
