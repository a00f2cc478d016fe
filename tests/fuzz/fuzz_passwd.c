/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: a sandbox's /etc/passwd and /etc/group (the same bytes are
 * read as both), looked up as --as USER[:GROUP] does: by a fixed name, by
 * uid, and by the first name in the input, so that matching lines are
 * exercised too. */
#include <stdint.h>
#include <string.h>

#include "engine/ns/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void look_up(const char *text, size_t size, const char *name)
{
	struct passwd_entry pw;
	uint32_t gid, groups[16] = { 0 };
	if (passwd_find(text, size, name, 0, &pw) &&
	    (strcmp(pw.name, name) != 0 || strlen(pw.home) >= sizeof(pw.home)))
		__builtin_trap();
	if (group_find_gid(text, size, name, &gid) && gid == UINT32_MAX)
		__builtin_trap();
	if (group_memberships(text, size, name, groups, 1, 16) > 16)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct passwd_entry pw;
	look_up(text, size, "app");
	if (passwd_find(text, size, NULL, 1000, &pw) && pw.uid != 1000)
		__builtin_trap();
	char first[PASSWD_NAME_MAX];
	size_t n = 0;
	while (n < size && n < sizeof(first) - 1 && data[n] != ':' && data[n] != '\n' && data[n])
		n++;
	memcpy(first, data, n);
	first[n] = '\0';
	look_up(text, size, first);
	return 0;
}
