#!/usr/bin/env bats
# The cgroup limits on this hybrid host (memory, pids and cpu in their v1
# hierarchies): the values nsrun writes, the removal of a cgroup a killed
# nsrun left, and the error of a caller without a delegated cgroup.

load helpers
load sandbox_helpers
load attack_helpers

@test "cgroup: --cpus 0.5 writes cpu.cfs_quota_us 50000 (period 100000), --memory and --pids their limits; read inside and from the host" {
	# No mount namespace: the command reads its own cgroup files.
	run_n --cpus 0.5 --memory 48m --pids 33 -- /bin/sh -c '
		for c in cpu memory pids; do
			p=$(awk -F: -v c=$c "{ n = split(\$2, a, \",\"); for (i = 1; i <= n; i++) if (a[i] == c) print \$3 }" /proc/self/cgroup)
			echo "$c ${p##*/}"
		done
		p=$(awk -F: "\$2 == \"cpu\" { print \$3 }" /proc/self/cgroup)
		echo "quota $(cat /sys/fs/cgroup/cpu$p/cpu.cfs_quota_us) period $(cat /sys/fs/cgroup/cpu$p/cpu.cfs_period_us)"
		p=$(awk -F: "\$2 == \"memory\" { print \$3 }" /proc/self/cgroup)
		echo "memory $(cat /sys/fs/cgroup/memory$p/memory.limit_in_bytes)"
		p=$(awk -F: "\$2 == \"pids\" { print \$3 }" /proc/self/cgroup)
		echo "pids $(cat /sys/fs/cgroup/pids$p/pids.max)"'
	show_run nsrun --cpus 0.5 --memory 48m --pids 33
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^cpu\ nsrun-[0-9]+$ ]]
	[[ ${lines[1]} =~ ^memory\ nsrun-[0-9]+$ ]]
	[[ ${lines[2]} =~ ^pids\ nsrun-[0-9]+$ ]]
	assert_line_is "quota 50000 period 100000"
	assert_line_is "memory $((48 << 20))"
	assert_line_is "pids 33"

	# From the host, while a --sandbox runs.
	mkdir -m 0777 "$TEST_TMP/sync"
	bg_n cpus --sandbox --cpus 0.5 --bind "$TEST_TMP/sync" /tmp/sync -- /bin/sh -c \
		': >/tmp/sync/ready; i=0; while [ ! -e /tmp/sync/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done'
	local nsrun_pid=$BG_PID cg
	retry 20 test -e "$TEST_TMP/sync/ready"
	cg=$(cgroup_path_of "$(staged_child "$nsrun_pid")" cpu)
	echo "# $cg"
	[[ $cg == */nsrun-$nsrun_pid ]]
	[ "$(cat "$cg/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$cg/cpu.cfs_period_us")" = 100000 ]
	: >"$TEST_TMP/sync/go"
	bg_wait "$nsrun_pid" 20
	[ "$BG_STATUS" -eq 0 ]
	[ ! -e "$cg" ]
}

# kill_nsrun_leaving_cgroup LIMIT-OPTION...: start nsrun with the limits
# (the command sleeps), SIGKILL nsrun once its command is in the cgroups,
# and wait until the command is gone (PR_SET_PDEATHSIG). Sets STALE: the
# cgroup directories left, one per line.
kill_nsrun_leaving_cgroup() {
	bg_n stale "$@" -- sleep 1000
	local nsrun_pid=$BG_PID child
	retry 10 eval '[[ -n $(staged_child $nsrun_pid) ]]'
	child=$(staged_child "$nsrun_pid")
	retry 10 eval '[[ $(cat /proc/$child/comm 2>/dev/null) == sleep ]]'
	STALE=$(nsrun_cgroup_dirs | grep "/nsrun-$nsrun_pid\$")
	echo "# nsrun $nsrun_pid, its cgroups: $(tr '\n' ' ' <<<"$STALE")"
	[ -n "$STALE" ]
	local d
	for d in $STALE; do
		grep -qx "$child" "$d/cgroup.procs"
	done
	kill -KILL "$nsrun_pid"
	bg_wait "$nsrun_pid" 10
	[ "$BG_STATUS" -eq 137 ]
	retry 10 eval '[[ ! -e /proc/$child ]]'
	# Left behind, empty.
	for d in $STALE; do
		[ -d "$d" ]
		retry 10 eval '[[ -z $(cat "$d/cgroup.procs") ]]'
	done
}

@test "cgroup: the cgroup of a SIGKILLed nsrun stays; the next start with that limit removes it (root)" {
	kill_nsrun_leaving_cgroup --memory 64m --pids 50
	[ "$(wc -l <<<"$STALE")" -eq 2 ]
	run_n --memory 64m --pids 50 -- true
	show_run nsrun --memory 64m --pids 50 -- true
	[ "$status" -eq 0 ]
	local d
	for d in $STALE; do
		[ ! -e "$d" ]
	done
	[ -z "$(counted_nsrun_cgroups 2>/dev/null)" ]
}

@test "cgroup: a stale cgroup is removed by the next start with any cgroup limit, also of another controller (root)" {
	kill_nsrun_leaving_cgroup --memory 64m
	[ "$(wc -l <<<"$STALE")" -eq 1 ]
	run_n --pids 50 -- true
	show_run nsrun --pids 50 -- true
	[ "$status" -eq 0 ]
	echo "# left: $(nsrun_cgroup_dirs | tr '\n' ' ')"
	[ ! -e "$STALE" ]
}

@test "cgroup: as uid 65534 on this host, --memory, --pids and --cpus fail with 125: the limits need a delegated cgroup" {
	local opt
	for opt in "--memory 10m" "--pids 10" "--cpus 0.5"; do
		run_n --separate-stderr as_nobody -Ur $opt -- touch "$TEST_TMP/ran"
		show_run nsrun -Ur $opt
		assert_one_error_line "${opt%% *}" "need a delegated cgroup" "uid 65534"
		[ ! -e "$TEST_TMP/ran" ]
	done
	[ -z "$(counted_nsrun_cgroups 2>/dev/null)" ]
}
