/* Fuzz target: a sandbox's /etc/passwd and /etc/group (the same bytes are
 * read as both). */
#include <stdint.h>
#include <string.h>

#include "engine/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct passwd_entry pw;
	uint32_t gid, groups[16] = { 0 };
	if (passwd_find(text, size, "app", 0, &pw) &&
	    (strlen(pw.name) >= sizeof(pw.name) || strlen(pw.home) >= sizeof(pw.home)))
		__builtin_trap();
	passwd_find(text, size, NULL, 1000, &pw);
	group_find_gid(text, size, "app", &gid);
	if (group_memberships(text, size, "app", groups, 1, 16) > 16)
		__builtin_trap();
	return 0;
}
