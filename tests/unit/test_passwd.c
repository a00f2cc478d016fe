/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the sandbox's passwd and group files, read without NSS. */
#include "engine/ns/passwd.h"
#include "tap.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "broken line without fields\n"
			     "bad:x:notanumber:0::/:/bin/sh\n"
			     "app:x:1000:1001:App:/home/app:/bin/sh\n"
			     "nohome:x:1002:1002:::/bin/sh\n"
			     "toolong:x:4294967295:0::/:/bin/sh\n"
			     "last:x:7:7::/var/last:/bin/sh"; /* no final newline */

static const char group[] = "root:x:0:\n"
			    "app:x:1001:\n"
			    "audio:x:29:app,other\n"
			    "video:x:44:other,app\n"
			    "apps:x:50:application\n"
			    "dup:x:29:app\n"
			    "junk\n";

int main(void)
{
	struct passwd_entry pw;
	TAP_OK(passwd_find(passwd, sizeof(passwd) - 1, "app", 0, &pw) && pw.uid == 1000 &&
		       pw.gid == 1001 && strcmp(pw.home, "/home/app") == 0,
	       "find by name");
	TAP_OK(passwd_find(passwd, sizeof(passwd) - 1, NULL, 1000, &pw) &&
		       strcmp(pw.name, "app") == 0,
	       "find by uid");
	TAP_OK(passwd_find(passwd, sizeof(passwd) - 1, "nohome", 0, &pw) && pw.home[0] == '\0',
	       "an empty home field");
	TAP_OK(passwd_find(passwd, sizeof(passwd) - 1, "last", 0, &pw) && pw.uid == 7,
	       "the last line without a newline");
	TAP_OK(!passwd_find(passwd, sizeof(passwd) - 1, "bad", 0, &pw),
	       "a non-numeric uid is skipped");
	TAP_OK(!passwd_find(passwd, sizeof(passwd) - 1, "toolong", 0, &pw),
	       "uid 4294967295 is not an id");
	TAP_OK(!passwd_find(passwd, sizeof(passwd) - 1, "ap", 0, &pw), "no prefix matches");
	TAP_OK(!passwd_find(passwd, sizeof(passwd) - 1, "nobody", 0, &pw), "a missing user");

	uint32_t gid = 0;
	TAP_OK(group_find_gid(group, sizeof(group) - 1, "audio", &gid) && gid == 29,
	       "group by name");
	TAP_OK(!group_find_gid(group, sizeof(group) - 1, "nogroup", &gid), "a missing group");
	uint32_t groups[8] = { 1001 };
	size_t n = group_memberships(group, sizeof(group) - 1, "app", groups, 1, 8);
	TAP_OK(n == 3 && groups[1] == 29 && groups[2] == 44,
	       "memberships: audio and video, the duplicate gid once (%zu)", n);
	n = group_memberships(group, sizeof(group) - 1, "app", groups, 1, 2);
	TAP_OK(n == 2, "memberships stop at the maximum");

	uint32_t id;
	TAP_OK(passwd_parse_id("4294967294", 10, &id) && id == 4294967294u, "the largest id");
	TAP_OK(!passwd_parse_id("", 0, &id) && !passwd_parse_id("12a", 3, &id) &&
		       !passwd_parse_id("-1", 2, &id),
	       "non-ids");
	return tap_done();
}
