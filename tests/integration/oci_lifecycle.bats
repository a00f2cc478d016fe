#!/usr/bin/env bats
# The OCI lifecycle as conmon, containerd's shim and runtime-tools drive it:
# create (parked init, pid file), state, start, stopped, delete; run; list;
# ps; pause and resume.

load oci_helpers

RFC3339_NANO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'

@test "create parks the init: the command has not run, the pid file holds the init's host pid" {
	oci_new_id
	cfg_sh 'echo ran >>/tmp/ran; sleep 30'
	oci_create --pid-file "$TEST_TMP/init.pid"
	# Still parked a while later: create returned before the command ran.
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	# The pid file: decimal, no newline, the host pid of a live process.
	local pid
	pid=$(cat "$TEST_TMP/init.pid")
	[[ $pid =~ ^[1-9][0-9]*$ ]]
	[ "$(wc -c <"$TEST_TMP/init.pid")" -eq "${#pid}" ]
	[ -d "/proc/$pid" ]
	[ "$(proc_state "$pid")" != Z ]
	[ "$(oci_pid "$ID")" = "$pid" ]
	[ "$(oci_status "$ID")" = created ]
	# The init is in the container's pid namespace, not ours.
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
}

@test "state prints the runtime-spec state JSON for a created container" {
	oci_new_id
	cfg_args sleep 30
	cfg_edit '.annotations = {"org.example.key": "value", "other": "x y"} | .ociVersion = "1.0.2"'
	local before after
	before=$(date +%s)
	oci_create --pid-file "$TEST_TMP/init.pid"
	after=$(date +%s)
	oci_ok state "$ID"
	# Valid JSON, one object.
	jq -e 'type == "object"' <<<"$output"
	[ "$(jq -r .ociVersion <<<"$output")" = 1.0.2 ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r '.pid | type' <<<"$output")" = number ]
	[ "$(jq -r .pid <<<"$output")" = "$(cat "$TEST_TMP/init.pid")" ]
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
	[[ $(jq -r .bundle <<<"$output") == /* ]]
	[ "$(jq -r .rootfs <<<"$output")" = "$(realpath "$BUNDLE")/rootfs" ]
	[ "$(jq -c .annotations <<<"$output")" = '{"org.example.key":"value","other":"x y"}' ]
	# runc always prints owner (only list fills it).
	jq -e 'has("owner")' <<<"$output"
	# created: RFC 3339 in UTC with nanoseconds, between our two clocks.
	local created secs
	created=$(jq -r .created <<<"$output")
	[[ $created =~ $RFC3339_NANO ]]
	secs=$(date -d "$created" +%s)
	((secs >= before && secs <= after))
}

@test "state omits annotations when config.json has none" {
	oci_new_id
	cfg_args sleep 30
	cfg_edit 'del(.annotations)'
	oci_create
	oci_ok state "$ID"
	[ "$(jq 'has("annotations")' <<<"$output")" = false ]
}

@test "a relative --bundle is recorded as an absolute path" {
	oci_new_id
	cfg_args sleep 30
	status=0
	(cd "$TEST_TMP" && timeout 20 "$NSRUN" --root "$OCI_ROOT" create --bundle bundle "$ID" \
		</dev/null >/dev/null 2>"$TEST_TMP/create.err") || status=$?
	cat "$TEST_TMP/create.err"
	[ "$status" -eq 0 ]
	oci_track_pid "$(oci_pid "$ID")"
	[ "$(oci_state "$ID" | jq -r .bundle)" = "$TEST_TMP/bundle" ]
}

@test "start runs the command exactly once; running, then stopped with pid 0 until delete" {
	oci_new_id
	cfg_sh 'echo ran >>/tmp/ran; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo done >>/tmp/ran'
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	oci_ok start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ran"
	[ "$(oci_status "$ID")" = running ]
	[ "$(oci_pid "$ID")" = "$pid" ]
	# No fifo left between the host and the running container.
	touch "$BUNDLE/rootfs/tmp/go"
	oci_wait_status "$ID" stopped
	oci_ok state "$ID"
	[ "$(jq -r .status <<<"$output")" = stopped ]
	[ "$(jq -r .pid <<<"$output")" = 0 ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	# Exactly once, and a second start must not run it again.
	oci start "$ID"
	assert_error_contains
	sleep 0.2
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = "$(printf 'ran\ndone')" ]
	# Still queryable a while later.
	sleep 0.3
	[ "$(oci_status "$ID")" = stopped ]
	oci_ok delete "$ID"
	[ -z "$output" ]
	oci state "$ID"
	assert_error_contains "container does not exist"
	[ -z "$output" ]
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

@test "the container's stdio is the runtime's: create's stdout receives the command's output" {
	oci_new_id
	cfg_sh 'echo to-stdout; echo to-stderr >&2'
	oci_create
	local out=$OCI_OUT err=$OCI_ERR
	[ ! -s "$out" ]
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[ "$(cat "$out")" = to-stdout ]
	[ "$(cat "$err")" = to-stderr ]
}

@test "delete of a created container fails, as it is not stopped; --force kills the parked init and removes everything" {
	oci_new_id
	cfg_sh 'echo ran >/tmp/ran; sleep 30'
	oci_create
	local pid pid_id
	pid=$(oci_pid "$ID")
	pid_id=$(proc_id "$pid")
	[ -d "$OCI_ROOT/$ID" ]
	[ -n "$(oci_cgroup_dirs "$ID")" ]
	# The runtime spec: delete of a container that is not stopped MUST fail
	# and have no effect (crun's way; runc deletes it).
	oci delete "$ID"
	assert_error_contains "not stopped: created"
	[ "$(oci_status "$ID")" = created ]
	oci_ok delete --force "$ID"
	retry 5 oci_proc_gone "$pid_id"
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	oci state "$ID"
	assert_error_contains "container does not exist"
}

@test "delete --force of a running container kills every process and removes everything" {
	oci_new_id
	cfg_sh 'sleep 60 & echo $! >/tmp/child; sleep 60'
	oci_create
	oci_ok start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/child"
	local init child pids p
	init=$(oci_pid "$ID")
	oci_ok ps --format json "$ID"
	pids=$(jq -r '.[]' <<<"$output")
	[ "$(wc -w <<<"$pids")" -eq 2 ]
	for p in $pids; do oci_track_pid "$p"; done
	local ids=("${OCI_PIDS[@]}")
	oci_ok delete --force "$ID"
	for p in "${ids[@]}"; do
		retry 5 oci_proc_gone "$p"
	done
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	oci state "$ID"
	assert_error_contains "container does not exist"
}

@test "delete --force of a state directory without a state file succeeds" {
	oci_new_id
	mkdir -p "$OCI_ROOT/$ID"
	oci_ok delete --force "$ID"
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "delete keeps up to four emptied state directories under @free; create takes one, never over an existing id" {
	cfg_args sleep 30
	local ids=() id
	for _ in 1 2 3 4 5 6; do
		oci_new_id
		ids+=("$ID")
		oci_create
	done
	for id in "${ids[@]}"; do
		oci_ok delete --force "$id"
		[ ! -e "$OCI_ROOT/$id" ]
	done
	[ "$(ls "$OCI_ROOT/@free" | tr '\n' ' ')" = "0 1 2 3 " ]
	oci_root_empty
	oci_ok list -q
	[ -z "$output" ]
	# The next create's directory is one of them, empty and private.
	local kept
	kept=$(stat -c %i "$OCI_ROOT/@free/0")
	oci_new_id
	oci_create
	[ "$(stat -c %i "$OCI_ROOT/$ID")" = "$kept" ]
	[ ! -e "$OCI_ROOT/@free/0" ]
	[ "$(stat -c %a "$OCI_ROOT/$ID")" = 700 ]
	# An id in use stays refused, kept directories or not.
	oci create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_error_contains "container with given ID already exists"
	[ "$(ls "$OCI_ROOT/@free" | tr '\n' ' ')" = "1 2 3 " ]
	oci_ok state "$ID"
}

@test "the cgroup named by linux.cgroupsPath is made for create and removed by delete" {
	oci_new_id
	cfg_args sleep 30
	cfg_edit '.linux.cgroupsPath = $p' "$CONFIG" --arg p "/nsrun-oci-test/$ID"
	cfg_edit '.linux.resources = {"pids": {"limit": 64}}'
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	[ -d "/sys/fs/cgroup/pids/nsrun-oci-test/$ID" ]
	grep -qx "$pid" "/sys/fs/cgroup/pids/nsrun-oci-test/$ID/cgroup.procs"
	grep -q ":pids:/nsrun-oci-test/$ID\$" "/proc/$pid/cgroup"
	oci_ok delete --force "$ID"
	[ ! -e "/sys/fs/cgroup/pids/nsrun-oci-test/$ID" ]
	rmdir /sys/fs/cgroup/*/nsrun-oci-test 2>/dev/null || true
}

# A v1 host: a private mount namespace with the hybrid host's cgroup2
# unmounted. There nothing has to exist before the clone, and create plans,
# records and makes the cgroups beside the init's set-up.
@test "on a host without cgroup2 (a v1 view), create records the v1 cgroups, the init is in them with its limit, delete removes them" {
	require_hybrid_host
	oci_new_id
	cfg_args sleep 30
	cfg_edit '.linux.resources = {"pids": {"limit": 64}}'
	status=0
	timeout 20 unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified && exec "$0" --root "$1" create --bundle "$2" "$3"' \
		"$NSRUN" "$OCI_ROOT" "$BUNDLE" "$ID" </dev/null >"$TEST_TMP/v1.out" 2>"$TEST_TMP/v1.err" || status=$?
	cat "$TEST_TMP/v1.err"
	[ "$status" -eq 0 ]
	local pid
	pid=$(oci_pid "$ID")
	oci_track_pid "$pid"
	[ "$(cat "/sys/fs/cgroup/pids/$ID/pids.max")" = 64 ]
	grep -qx "$pid" "/sys/fs/cgroup/pids/$ID/cgroup.procs"
	grep -q ":pids:/$ID\$" "/proc/$pid/cgroup"
	# Recorded: the v1 directories, none in the cgroup2 it could not see.
	jq -e --arg d "/sys/fs/cgroup/pids/$ID" '.cgroups | index($d) != null' "$OCI_ROOT/$ID/state.json"
	jq -e '[.cgroups[] | select(startswith("/sys/fs/cgroup/unified"))] | length == 0' \
		"$OCI_ROOT/$ID/state.json"
	oci_ok delete --force "$ID"
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

@test "run exits with the command's status and removes the container" {
	oci_new_id
	cfg_sh 'echo hello; exit 7'
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ]
	[ "$output" = hello ]
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	oci state "$ID"
	assert_error_contains "container does not exist"
}

@test "the container may use the caller's CPUs: all of them, or those taskset left it" {
	[ "$(nproc --all)" -ge 2 ] || skip "one CPU"
	local all
	all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)
	oci_new_id
	cfg_sh "awk '/^Cpus_allowed_list/ {print \$2}' /proc/self/status"
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "$all" ]
	# A created init, parked: the same.
	oci_new_id
	cfg_args sleep 30
	oci_create
	[ "$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$(oci_pid "$ID")/status")" = "$all" ]
	# Under taskset, only the CPU it gave.
	oci_new_id
	cfg_sh "awk '/^Cpus_allowed_list/ {print \$2}' /proc/self/status"
	run taskset -c 1 "$NSRUN" --root "$OCI_ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "run exits 0 for a command that succeeds" {
	oci_new_id
	cfg_args true
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "run reports a command killed by a signal as 128+N" {
	oci_new_id
	cfg_sh 'echo up >/tmp/up; sleep 30'
	bg_start run "$NSRUN" --root "$OCI_ROOT" run --bundle "$BUNDLE" "$ID"
	local run_pid=$BG_PID
	wait_file "$BUNDLE/rootfs/tmp/up"
	local init
	init=$(oci_pid "$ID")
	oci_track_pid "$init"
	kill -KILL "$init"
	bg_wait "$run_pid" 10
	[ "$BG_STATUS" -eq 137 ]
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "run --keep leaves the stopped container until delete" {
	oci_new_id
	cfg_sh 'exit 3'
	oci run --keep --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 3 ]
	oci_ok state "$ID"
	[ "$(jq -r .status <<<"$output")" = stopped ]
	[ "$(jq -r .pid <<<"$output")" = 0 ]
	oci_ok delete "$ID"
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

@test "run -d returns at once with the container running" {
	oci_new_id
	cfg_args sleep 30
	local t0=$SECONDS
	oci_run_d --pid-file "$TEST_TMP/pid"
	((SECONDS - t0 < 10))
	[ "$(oci_status "$ID")" = running ]
	[ "$(cat "$TEST_TMP/pid")" = "$(oci_pid "$ID")" ]
	# Started by create's commit: no exec fifo was ever made.
	[ ! -e "$OCI_ROOT/$ID/exec.fifo" ]
	# The init may still be on its way from the exec shim to the command.
	retry 5 eval '[ "$(cat "/proc/$(cat "$TEST_TMP/pid")/comm")" = sleep ]'
}

@test "SIGTERM to a foreground run reaches the container" {
	oci_new_id
	cfg_sh 'trap "echo got-term >/tmp/term; exit 42" TERM; echo up >/tmp/up; while :; do sleep 0.1; done'
	bg_start run "$NSRUN" --root "$OCI_ROOT" run --bundle "$BUNDLE" "$ID"
	local run_pid=$BG_PID
	wait_file "$BUNDLE/rootfs/tmp/up"
	oci_track_pid "$(oci_pid "$ID")"
	kill -TERM "$run_pid"
	bg_wait "$run_pid" 10
	cat "$TEST_TMP/run.err"
	[ "$(cat "$BUNDLE/rootfs/tmp/term")" = got-term ]
	[ "$BG_STATUS" -eq 42 ]
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "list, list -q and list --format json show every container with its status" {
	oci_new_id
	local a=$ID
	cfg_args sleep 30
	oci_create
	oci_new_id
	local b=$ID
	oci_create
	oci_ok start "$b"
	oci_ok list -q
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$a" "$b" | sort)" ]
	oci_ok list
	[[ ${lines[0]} == ID* ]]
	[ "${#lines[@]}" -eq 3 ]
	grep -E "^$a +[0-9]+ +created " <<<"$output"
	grep -E "^$b +[0-9]+ +running " <<<"$output"
	oci_ok list --format json
	[ "$(jq -r 'type' <<<"$output")" = array ]
	[ "$(jq -r --arg i "$a" '.[] | select(.id == $i) | .status' <<<"$output")" = created ]
	[ "$(jq -r --arg i "$b" '.[] | select(.id == $i) | .status' <<<"$output")" = running ]
	[ "$(jq -r --arg i "$b" '.[] | select(.id == $i) | .pid' <<<"$output")" = "$(oci_pid "$b")" ]
	[ "$(jq -r --arg i "$a" '.[] | select(.id == $i) | .bundle' <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r '.[0].owner' <<<"$output")" = root ]
}

@test "list of an empty root: no ids, json null" {
	mkdir -p "$OCI_ROOT"
	oci_ok list -q
	[ -z "$output" ]
	oci_ok list --format json
	[ "$output" = null ]
}

@test "ps --format json lists the host pids of every process in the container" {
	oci_new_id
	cfg_sh 'sleep 30 & sleep 31 & echo started >/tmp/up; wait'
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
	local init
	init=$(oci_pid "$ID")
	oci_ok ps --format json "$ID"
	[ "$(jq -r 'type' <<<"$output")" = array ]
	local got want c
	got=$(jq -r '.[]' <<<"$output" | sort -n)
	want=$( (echo "$init"; children "$init") | sort -n)
	for c in $(children "$init"); do oci_track_pid "$c"; done
	assert_text "$want" "$got"
	[ "$(wc -l <<<"$got")" -eq 3 ]
}

count_above() { (($(cat "$BUNDLE/rootfs/tmp/count") > $1)); }

@test "pause freezes every process and resume thaws them" {
	oci_new_id
	cfg_sh 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.02; done'
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/count"
	oci_ok pause "$ID"
	[ "$(oci_status "$ID")" = paused ]
	oci_ok state "$ID"
	[ "$(jq -r .pid <<<"$output")" = "$(oci_pid "$ID")" ]
	sleep 0.2 # let a write in flight land
	local c1 c2
	c1=$(cat "$BUNDLE/rootfs/tmp/count")
	sleep 0.5
	c2=$(cat "$BUNDLE/rootfs/tmp/count")
	[ "$c1" = "$c2" ]
	[ "$(proc_state "$(oci_pid "$ID")")" != Z ]
	oci_ok resume "$ID"
	[ "$(oci_status "$ID")" = running ]
	retry 5 count_above "$((c2 + 3))"
}

@test "delete --force of a paused container removes it" {
	oci_new_id
	cfg_args sleep 30
	oci_run_d
	local init_id
	init_id=$(proc_id "$(oci_pid "$ID")")
	oci_ok pause "$ID"
	[ "$(oci_status "$ID")" = paused ]
	oci delete "$ID"
	assert_error_contains "not stopped"
	[ "$(oci_status "$ID")" = paused ]
	local t0=$SECONDS
	oci_ok delete --force "$ID"
	retry 2 oci_proc_gone "$init_id"
	((SECONDS - t0 < 5))
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

@test "a config without a mount namespace runs in the caller's, its root entered by chroot, nothing mounted" {
	oci_new_id
	cfg_sh 'ls /; test -e /proc/self/stat && echo proc-mounted; readlink /proc/1/ns/mnt || true'
	cfg_edit '.linux.namespaces |= map(select(.type != "mount"))'
	local before
	before=$(oci_host_mounts)
	oci_ok run --bundle "$BUNDLE" "$ID"
	# The bundle's root, and none of config.json's mounts (proc among them).
	[[ $output == *bin* ]]
	[[ $output != *proc-mounted* ]]
	[ "$(oci_host_mounts)" = "$before" ]
}

@test "ps: the pid list, --format json, and ps(1)'s own options after the id, filtered to the container" {
	oci_new_id
	cfg_sh 'sleep 30 & exec sleep 31'
	oci_run_d
	local init
	init=$(oci_pid "$ID")
	count_pids() { oci ps --format json "$ID"; [ "$(jq 'length' <<<"$output")" -ge 2 ]; }
	retry 5 count_pids
	oci_ok ps --format json "$ID"
	[ "$(jq 'length' <<<"$output")" -eq 2 ]
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
	oci_ok ps "$ID" -o pid,comm
	[ "${lines[0]}" = "  PID COMMAND" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output == *"$init sleep"* ]]
	# Every line but the header is the container's.
	oci_ok ps "$ID" -ef
	[[ ${lines[0]} == UID*PID*CMD* ]]
	[ "${#lines[@]}" -eq 3 ]
	oci ps --format yaml "$ID"
	assert_error_contains "--format 'yaml'"
}
