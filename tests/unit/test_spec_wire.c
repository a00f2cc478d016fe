/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the spec survives the launcher -> init hand-over, and a
 * damaged buffer is refused rather than half-read. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/container.h"
#include "engine/start/wire.h"
#include "engine/limits/seccomp.h"
#include "tap.h"

int main(void)
{
	struct nsrun_error err;
	struct nsrun_spec in, out;
	char *argv[] = { "sh", "-c", "echo hi", NULL };
	int keep[] = { 5, 9 };
	nsrun_spec_init(&in);
	in.new_ns = CLONE_NEWUSER | CLONE_NEWPID;
	in.joins[0] = (struct nsrun_ns_join){ CLONE_NEWNET, "/proc/1/ns/net" };
	in.n_joins = 1;
	in.id_source = NSRUN_IDS_AUTO;
	in.uid_map.n = 1;
	in.uid_map.range[0] = (struct nsrun_id_range){ 0, 1000, 1 };
	in.setgroups = NSRUN_SETGROUPS_DENY;
	in.mount_proc = true;
	in.verbose = 2;
	in.block_fd = 4;
	in.keep_fds = keep;
	in.n_keep_fds = 2;
	in.argv = argv;
	struct nsrun_fs_op ops[] = {
		{ .kind = NSRUN_FS_RO_BIND,
		  .src = "/usr",
		  .dest = "/usr",
		  .optional = true,
		  .mode = -1 },
		{ .kind = NSRUN_FS_TMPFS, .dest = "/tmp", .mode = 01777, .size = 1ULL << 33 },
	};
	char *env[] = { "A=1", "B=", NULL };
	in.rootfs = "/srv/root";
	in.fs_ops = ops;
	in.n_fs_ops = 2;
	in.propagation = NSRUN_PROPAGATION_UNBINDABLE;
	in.hostname = "box";
	in.env = env;
	in.as_user = "app:app";
	in.umask = 027;
	in.init = in.init_group = in.die_with_parent = true;
	in.json_status_fd = 7;
	struct nsrun_rlimit limits[] = { { 7, 100, 200 } };
	const char *masked[] = { "/proc/kcore", "/sys/firmware" };
	in.caps = (struct nsrun_caps){ true, 0xff, 0xf, 0xf, 0x1, 0x1 };
	in.no_new_privs = true;
	in.rlimits = limits;
	in.n_rlimits = 1;
	in.masked_paths = masked;
	in.n_masked_paths = 2;
	in.cgroup = (struct nsrun_cgroup_limits){
		.memory = 1 << 20,
		.memory_swap = -1,
		.pids = 10,
		.cpu_quota = 50000,
		.cpu_period = 100000,
		.cpu_weight = 100,
		.device_rules = "deny a *:* rwm\nallow c 1:3 rwm\n",
		.memory_reservation = 1 << 19,
		.swappiness = 30,
		.disable_oom_killer = true,
		.cpu_burst = 1000,
		.cpu_idle = true,
		.cpu_rt_runtime = 950,
		.cpu_rt_period = 1000,
		.cpuset_cpus = "0-1",
		.cpuset_mems = "0",
		.io_weight = 500,
		.io_leaf_weight = 300,
		.io_weight_devices = "8:0 100\n",
		.io_read_bps = "8:0 1048576\n",
		.hugepage_limits = "2MB 0\n1GB 0\n",
		.net_classid = 0x100001,
		.net_priorities = "lo 5\n",
		.unified = "memory.high 1G\n",
		.cpu_shares = 512,
		.memory_kernel_tcp = 1 << 21,
	};
	struct nsrun_error serr;
	in.seccomp = nsrun_seccomp_default(&serr);
	struct nsrun_container ct;
	container_init(&ct);
	ct.park = ct.terminal = ct.default_devices = true;
	ct.exec_fifo_fd = 6;
	ct.console_rows = 24;
	ct.hooks = "{\"startContainer\":[]}";
	ct.hooks_state = "{\"status\":\"creating\"}";
	in.container = &ct;

	char *buf;
	size_t len;
	TAP_OK(spec_encode(&in, &buf, &len, &err) == 0, "encode");
	/* SPEC_WIRE_SEED=FILE refreshes the fuzz target's seed after a format change. */
	const char *seed = getenv("SPEC_WIRE_SEED");
	FILE *f = seed ? fopen(seed, "wb") : NULL;
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	char *copy = malloc(len);
	memcpy(copy, buf, len);
	TAP_OK(spec_decode(copy, len, &out, &err) == 0, "decode");
	TAP_OK(out.new_ns == in.new_ns && out.n_joins == 1 && out.joins[0].type == CLONE_NEWNET &&
		       strcmp(out.joins[0].path, "/proc/1/ns/net") == 0,
	       "namespaces and joins");
	TAP_OK(out.id_source == NSRUN_IDS_AUTO && out.uid_map.n == 1 &&
		       out.uid_map.range[0].outside == 1000 && out.gid_map.n == 0 &&
		       out.setgroups == NSRUN_SETGROUPS_DENY,
	       "id maps");
	TAP_OK(out.mount_proc && out.verbose == 2 && out.block_fd == 4 && out.n_keep_fds == 2 &&
		       out.keep_fds[1] == 9,
	       "set-up fields");
	TAP_OK(out.argv && strcmp(out.argv[2], "echo hi") == 0 && out.argv[3] == NULL, "argv");
	TAP_OK(strcmp(out.rootfs, "/srv/root") == 0 && out.n_fs_ops == 2 &&
		       out.fs_ops[0].optional && out.fs_ops[0].mode == -1 &&
		       strcmp(out.fs_ops[0].src, "/usr") == 0 && out.fs_ops[1].src == NULL &&
		       out.fs_ops[1].size == 1ULL << 33 && out.fs_ops[1].mode == 01777 &&
		       out.propagation == NSRUN_PROPAGATION_UNBINDABLE,
	       "filesystem steps");
	TAP_OK(strcmp(out.hostname, "box") == 0 && out.domainname == NULL && out.chdir == NULL &&
		       out.env && strcmp(out.env[1], "B=") == 0 && out.env[2] == NULL &&
		       strcmp(out.as_user, "app:app") == 0 && out.umask == 027,
	       "identity and environment");
	TAP_OK(out.init && out.init_group && out.die_with_parent && out.json_status_fd == 7,
	       "the first process");
	TAP_OK(out.caps.set && out.caps.bounding == 0xff && out.caps.ambient == 1 &&
		       out.no_new_privs && out.n_rlimits == 1 && out.rlimits[0].hard == 200 &&
		       out.n_masked_paths == 2 &&
		       strcmp(out.masked_paths[1], "/sys/firmware") == 0 &&
		       out.n_readonly_paths == 0 && out.cgroup.memory_swap == -1 &&
		       out.cgroup.cpu_quota == 50000 && out.cgroup.device_rules &&
		       strcmp(out.cgroup.device_rules, "deny a *:* rwm\nallow c 1:3 rwm\n") == 0,
	       "controls");
	TAP_OK(out.cgroup.memory_reservation == 1 << 19 && out.cgroup.swappiness == 30 &&
		       out.cgroup.disable_oom_killer && out.cgroup.cpu_burst == 1000 &&
		       out.cgroup.cpu_idle && out.cgroup.cpu_rt_runtime == 950 &&
		       out.cgroup.cpu_rt_period == 1000 &&
		       strcmp(out.cgroup.cpuset_cpus, "0-1") == 0 && out.cgroup.io_weight == 500 &&
		       out.cgroup.io_leaf_weight == 300 && out.cgroup.io_write_bps == NULL &&
		       strcmp(out.cgroup.io_read_bps, "8:0 1048576\n") == 0 &&
		       strcmp(out.cgroup.hugepage_limits, "2MB 0\n1GB 0\n") == 0 &&
		       out.cgroup.net_classid == 0x100001 &&
		       strcmp(out.cgroup.unified, "memory.high 1G\n") == 0 &&
		       out.cgroup.cpu_shares == 512 && out.cgroup.memory_kernel_tcp == 1 << 21,
	       "resources");
	TAP_OK(out.seccomp && in.seccomp && out.seccomp->prog_len == in.seccomp->prog_len &&
		       memcmp(out.seccomp->prog, in.seccomp->prog,
			      in.seccomp->prog_len * sizeof(in.seccomp->prog[0])) == 0,
	       "the compiled seccomp program");
	TAP_OK(out.container && out.container->park && out.container->terminal &&
		       out.container->exec_fifo_fd == 6 && out.container->console_socket_fd == -1 &&
		       out.container->console_rows == 24 && !out.container->report_errors &&
		       strcmp(out.container->hooks_state, ct.hooks_state) == 0,
	       "the container's fields");
	spec_decoded_release(&out);

	int refused = 0;
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, buf, len);
		if (spec_decode(copy, cut, &out, &err) < 0)
			refused++;
		else
			spec_decoded_release(&out);
	}
	TAP_OK(refused == (int)len, "every truncation is refused (%d of %zu)", refused, len);
	memcpy(copy, buf, len);
	copy[len - 1] = 'x'; /* the last string loses its terminator */
	TAP_OK(spec_decode(copy, len, &out, &err) < 0, "an unterminated string is refused");
	memcpy(copy, buf, len);
	copy[0] ^= 1;
	TAP_OK(spec_decode(copy, len, &out, &err) < 0, "a wrong magic is refused");
	free(copy);
	free(buf);
	nsrun_seccomp_free(in.seccomp);
	return tap_done();
}
