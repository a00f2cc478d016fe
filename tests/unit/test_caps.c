/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: capability and rlimit names. */
#include <sys/resource.h>

#include "engine/limits/caps.h"
#include "engine/limits/rlimit.h"
#include "tap.h"

int main(void)
{
	TAP_OK(caps_from_name("CAP_NET_ADMIN") == 12, "CAP_NET_ADMIN");
	TAP_OK(caps_from_name("net_admin") == 12 && caps_from_name("Net_Admin") == 12,
	       "without CAP_, any case");
	TAP_OK(caps_from_name("cap_chown") == 0, "the first one");
	TAP_OK(caps_from_name("CAP_CHECKPOINT_RESTORE") == 40, "the last one");
	TAP_OK(caps_from_name("CAP_BOGUS") < 0 && caps_from_name("") < 0 &&
		       caps_from_name("CAP_") < 0,
	       "unknown names");
	TAP_OK(strcmp(caps_name(21), "CAP_SYS_ADMIN") == 0 && caps_name(41) == NULL, "names back");
	TAP_OK(caps_all_named() == (1ULL << 41) - 1, "all named capabilities as bits");
	TAP_OK(rlimit_from_name("NOFILE") == RLIMIT_NOFILE &&
		       rlimit_from_name("rlimit_nproc") == RLIMIT_NPROC &&
		       rlimit_from_name("memlock") == RLIMIT_MEMLOCK,
	       "rlimit names");
	TAP_OK(rlimit_from_name("FILES") < 0, "an unknown rlimit");
	TAP_OK(strcmp(rlimit_name(RLIMIT_CORE), "CORE") == 0, "rlimit names back");
	return tap_done();
}
