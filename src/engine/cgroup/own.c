/* SPDX-License-Identifier: Apache-2.0 */
/* Which cgroup a process is in: /proc/self/cgroup, one line per hierarchy,
 * "ID:CONTROLLERS:PATH" (v2: "0::PATH"). See cgroup.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/cgroup/cgroup.h"
#include "util/file.h"

#define TABLE_SIZE 4096

/* Whether `word` is one of the comma-separated words of a controller list. */
bool cgroup_word_in(const char *list, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
		bool start = p == list || p[-1] == ' ' || p[-1] == ',' || p[-1] == ':';
		bool end = p[len] == '\0' || p[len] == ' ' || p[len] == ',' || p[len] == ':' ||
			   p[len] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

int cgroup_own_table(char *buf, size_t size)
{
	return file_read("/proc/self/cgroup", buf, size) < 0 ? -1 : 0;
}

int cgroup_own_path(const char *ctl, char *out, size_t size)
{
	char table[TABLE_SIZE];
	if (cgroup_own_table(table, sizeof(table)) < 0)
		return -1;
	return cgroup_own_path_in(table, ctl, out, size);
}

int cgroup_own_path_in(const char *table, const char *ctl, char *out, size_t size)
{
	char buf[TABLE_SIZE];
	(void)snprintf(buf, sizeof(buf), "%s", table); /* a table read into 4096 bytes: fits */
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = ctl ? cgroup_word_in(c1 + 1, ctl) : c1[1] == '\0';
		if (match)
			return path_format(out, size, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
	}
	errno = ENOENT;
	return -1;
}
