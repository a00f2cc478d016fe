/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's mounts -> the spec's fs_ops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "oci/config_parse.h"
#include "util/cleanup.h"

static const struct {
	const char *name;
	unsigned long set, clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "mand", MS_MANDLOCK, 0 },
	{ "nomand", 0, MS_MANDLOCK },
	{ "atime", 0, MS_NOATIME },
	{ "noatime", MS_NOATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "bind", MS_BIND, 0 },
	{ "rbind", MS_BIND | MS_REC, 0 },
	/* The recursive forms (runtime spec 1.1): a bind's options apply to
	 * its whole tree where it is recursive (ocimount.c), so these are the
	 * plain flags. */
	{ "rro", MS_RDONLY, 0 },
	{ "rrw", 0, MS_RDONLY },
	{ "rnosuid", MS_NOSUID, 0 },
	{ "rsuid", 0, MS_NOSUID },
	{ "rnodev", MS_NODEV, 0 },
	{ "rdev", 0, MS_NODEV },
	{ "rnoexec", MS_NOEXEC, 0 },
	{ "rexec", 0, MS_NOEXEC },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* A flag or a propagation into op; false for neither. */
static bool mount_flag(const char *name, struct nsrun_fs_op *op)
{
	for (size_t k = 0; k < ARRAY_SIZE(mount_flags); k++) {
		if (strcmp(name, mount_flags[k].name) == 0) {
			op->flags = (op->flags | mount_flags[k].set) & ~mount_flags[k].clear;
			return true;
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(propagations); k++) {
		if (strcmp(name, propagations[k].name) == 0) {
			op->propagation = propagations[k].flags;
			return true;
		}
	}
	return false;
}

/* options: flags into op, anything else (mode=755, size=64k, ...) is
 * filesystem data, into data. */
static int mount_options(json_t *opts, const char *field, struct nsrun_fs_op *op, char *data,
			 size_t size, struct nsrun_error *err)
{
	size_t i;
	json_t *o;
	json_array_foreach (opts, i, o) {
		const char *name = json_string_value(o);
		if (!name)
			return config_refuse(err, field, "options must be strings");
		if (mount_flag(name, op))
			continue;
		if (strcmp(name, "tmpcopyup") == 0 || strcmp(name, "idmap") == 0 ||
		    strcmp(name, "ridmap") == 0 || strcmp(name, "remount") == 0) {
			char why[64];
			(void)snprintf(why, sizeof(why), "option '%s' is not supported by nsrun",
				       name);
			return config_refuse(err, field, why);
		}
		size_t len = strlen(data);
		if (len + strlen(name) + 2 > size)
			return config_refuse(err, field, "options too long");
		/* fits: measured above */
		(void)snprintf(data + len, size - len, "%s%s", len ? "," : "", name);
	}
	return 0;
}

/* A bind mount's source relative to the bundle (not the rootfs), as runc
 * resolves it. */
static int bind_source(struct oci_config *cfg, const char *bundle, const char *field,
		       struct nsrun_fs_op *op, struct nsrun_error *err)
{
	if (!op->src)
		return config_refuse(err, field, "a bind mount needs a source");
	if (op->src[0] == '/')
		return 0;
	char *abs = NULL;
	if (asprintf(&abs, "%s/%s", bundle, op->src) < 0)
		abs = NULL;
	op->src = config_keep(cfg, abs, err);
	return op->src ? 0 : -1;
}

static int parse_mount(struct oci_config *cfg, const char *bundle, json_t *m, size_t index,
		       struct nsrun_fs_op *op, struct nsrun_error *err)
{
	char field[48];
	(void)snprintf(field, sizeof(field), "mounts[%zu]", index);
	const char *dest = json_string_value(json_object_get(m, "destination"));
	if (!dest || dest[0] != '/')
		return config_refuse(err, field, "destination must be an absolute path");
	*op = (struct nsrun_fs_op){ .kind = NSRUN_FS_MOUNT, .dest = dest, .mode = -1 };
	op->fstype = json_string_value(json_object_get(m, "type"));
	op->src = json_string_value(json_object_get(m, "source"));
	if (config_is_set(json_object_get(m, "uidMappings")) ||
	    config_is_set(json_object_get(m, "gidMappings")))
		return config_refuse(err, field, "idmapped mounts are not supported by nsrun");
	char data[1024] = "";
	if (mount_options(json_object_get(m, "options"), field, op, data, sizeof(data), err) < 0)
		return -1;
	if (op->fstype && strcmp(op->fstype, "bind") == 0)
		op->flags |= MS_BIND;
	if ((op->flags & MS_BIND) && bind_source(cfg, bundle, field, op, err) < 0)
		return -1;
	if (data[0] && !(op->data = config_keep(cfg, strdup(data), err)))
		return -1;
	return 0;
}

int config_mounts(struct oci_config *cfg, const char *bundle, json_t *mounts,
		  struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	if (!json_is_array(mounts))
		return config_refuse(err, "mounts", "expected an array");
	spec->fs_ops = calloc(json_array_size(mounts) + 1, sizeof(*spec->fs_ops));
	if (!spec->fs_ops)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *v;
	json_array_foreach (mounts, i, v) {
		if (parse_mount(cfg, bundle, v, i, &spec->fs_ops[spec->n_fs_ops], err) < 0)
			return -1;
		spec->n_fs_ops++;
	}
	return 0;
}
