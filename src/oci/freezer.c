/* SPDX-License-Identifier: Apache-2.0 */
/* The freezer. See freezer.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci/freezer.h"
#include "util/file.h"

/* The freezer file of a cgroup directory into path; false when it has
 * none. *v1: it is freezer.state. */
static bool freezer_file(const char *cgroup, char *path, size_t size, bool *v1)
{
	/* a cgroup (NSRUN_CGROUP_PATH_MAX) and a file name: fits */
	(void)snprintf(path, size, "%s/freezer.state", cgroup);
	*v1 = access(path, F_OK) == 0;
	if (*v1)
		return true;
	(void)snprintf(path, size, "%s/cgroup.freeze", cgroup);
	return access(path, F_OK) == 0;
}

bool freezer_frozen(const struct stored_container *ct)
{
	char path[NSRUN_CGROUP_PATH_MAX + 32], buf[64];
	bool v1;
	for (unsigned i = 0; i < ct->n_cgroups; i++) {
		if (!freezer_file(ct->cgroups[i], path, sizeof(path), &v1) ||
		    file_read(path, buf, sizeof(buf)) <= 0)
			continue;
		if (strncmp(buf, v1 ? "FROZEN" : "1", v1 ? 6 : 1) == 0)
			return true;
	}
	return false;
}

int freezer_set(const struct stored_container *ct, bool frozen, struct nsrun_error *err)
{
	char path[NSRUN_CGROUP_PATH_MAX + 32];
	bool v1;
	for (unsigned i = 0; i < ct->n_cgroups; i++) {
		if (!freezer_file(ct->cgroups[i], path, sizeof(path), &v1))
			continue;
		const char *value = v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0");
		if (file_write_at(AT_FDCWD, path, value, strlen(value)) < 0)
			return nsrun_fail(err, errno, "write %s", path);
		return 0;
	}
	return nsrun_fail(err, 0, "the container has no freezer cgroup");
}

int freezer_change(const struct stored_container *ct, bool frozen, struct nsrun_error *err)
{
	enum oci_status s = store_status(ct);
	if (s == OCI_STOPPED || s == OCI_CREATED)
		return nsrun_fail(err, 0, "container not running");
	return freezer_set(ct, frozen, err);
}
