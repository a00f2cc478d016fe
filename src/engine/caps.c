/* Capabilities. See caps.h. */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"

static int get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &hdr, data);
}

static int set(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &hdr, data);
}

bool caps_have(int cap)
{
	struct __user_cap_data_struct data[2];
	return get(data) == 0 && (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

static int clear_ambient(struct nsrun_error *err)
{
	/* EINVAL: a kernel without ambient capabilities has none to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nsrun_fail(err, errno, "clear ambient capabilities");
	return 0;
}

int caps_clear_carried(struct nsrun_error *err)
{
	struct __user_cap_data_struct data[2];
	if (clear_ambient(err) < 0)
		return -1;
	if (get(data) < 0)
		return nsrun_fail(err, errno, "capget");
	data[0].inheritable = data[1].inheritable = 0;
	if (set(data) < 0)
		return nsrun_fail(err, errno, "clear inheritable capabilities");
	return 0;
}

int caps_drop_all(struct nsrun_error *err)
{
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (clear_ambient(err) < 0)
		return -1;
	if (set(data) < 0)
		return nsrun_fail(err, errno, "drop capabilities");
	return 0;
}
