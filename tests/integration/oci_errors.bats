#!/usr/bin/env bats
# Errors callers match on (runc's texts), and failed operations that must
# leave the host as if they had never been attempted.

load oci_helpers

# assert_nothing_left ID: no state directory, no cgroup directory, no
# process running in the bundle's rootfs.
assert_nothing_left() {
	[ ! -e "$OCI_ROOT/$1" ]
	[ -z "$(oci_cgroup_dirs "$1")" ]
	oci_no_procs_under "$BUNDLE"
}

# A failing create: error naming TEXT..., and nothing left behind.
assert_create_fails() {
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	assert_error_contains "$@"
	[ -z "$output" ]
	assert_nothing_left "$ID"
}

@test "a second create with the same id fails and leaves the first untouched" {
	oci_new_id
	cfg_sh 'echo ran >>/tmp/ran; sleep 30'
	oci_create --pid-file "$TEST_TMP/first.pid"
	local pid state_before
	pid=$(oci_pid "$ID")
	state_before=$(oci_state "$ID")
	oci create --bundle "$BUNDLE" --pid-file "$TEST_TMP/second.pid" "$ID"
	assert_error_contains "container with given ID already exists"
	[ ! -e "$TEST_TMP/second.pid" ]
	[ "$(oci_state "$ID")" = "$state_before" ]
	[ "$(cat "$TEST_TMP/first.pid")" = "$pid" ]
	[ "$(proc_state "$pid")" != Z ]
	[ -e "$OCI_ROOT/$ID/state.json" ]
	# The first still starts, and its command runs once.
	oci_ok start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ran"
	[ "$(oci_status "$ID")" = running ]
	sleep 0.2
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ran ]
}

@test "state, start, kill, delete, exec, ps and pause of an unknown id: container does not exist" {
	oci_new_id
	mkdir -p "$OCI_ROOT"
	local verb
	for verb in state start kill delete pause resume ps; do
		oci "$verb" "$ID"
		assert_error_contains "container does not exist"
		[ -z "$output" ]
	done
	oci kill "$ID" KILL
	assert_error_contains "container does not exist"
	oci exec "$ID" true
	assert_error_contains "container does not exist"
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "state, start, kill and delete without an id fail" {
	local verb
	for verb in state start kill delete; do
		oci "$verb"
		assert_error_contains
	done
}

@test "start of a running container fails and changes nothing" {
	oci_new_id
	cfg_sh 'echo ran >>/tmp/ran; sleep 30'
	oci_create
	oci_ok start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ran"
	local pid
	pid=$(oci_pid "$ID")
	oci start "$ID"
	assert_error_contains
	sleep 0.2
	[ "$(oci_status "$ID")" = running ]
	[ "$(oci_pid "$ID")" = "$pid" ]
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ran ]
}

@test "start of a stopped container fails" {
	oci_new_id
	cfg_sh 'echo ran >>/tmp/ran'
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci start "$ID"
	assert_error_contains
	[ "$(oci_status "$ID")" = stopped ]
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ran ]
}

@test "kill of a stopped container: container not running" {
	oci_new_id
	cfg_args true
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci kill "$ID" KILL
	assert_error_contains "container not running"
	oci kill "$ID"
	assert_error_contains "container not running"
	[ "$(oci_status "$ID")" = stopped ]
}

@test "delete of a running container without --force fails and changes nothing" {
	oci_new_id
	cfg_args sleep 30
	oci_run_d
	local pid cgroups
	pid=$(oci_pid "$ID")
	cgroups=$(oci_cgroup_dirs "$ID")
	[ -n "$cgroups" ]
	oci delete "$ID"
	assert_error_contains
	[ "$(oci_status "$ID")" = running ]
	[ "$(oci_pid "$ID")" = "$pid" ]
	[ "$(proc_state "$pid")" != Z ]
	[ -e "$OCI_ROOT/$ID/state.json" ]
	[ "$(oci_cgroup_dirs "$ID")" = "$cgroups" ]
}

@test "invalid container ids are refused and nothing is made outside the root" {
	local id
	for id in '../x' 'a/b' '' '.' '..' 'a b' '/abs' 'x;y'; do
		oci create --bundle "$BUNDLE" "$id"
		assert_error_contains
		[ -z "$output" ]
	done
	[ ! -e "$TEST_TMP/x" ]
	[ ! -e "$OCI_ROOT/a" ]
	[ ! -e /abs ]
	# Nothing at all in the state root.
	oci_root_empty
	oci_no_procs_under "$BUNDLE"
}

@test "a missing bundle is an error naming it, and nothing is left" {
	rm -rf "$BUNDLE"
	assert_create_fails "$BUNDLE"
}

@test "a bundle without config.json is an error naming the file" {
	rm "$CONFIG"
	assert_create_fails "config.json"
}

@test "malformed config.json: the error names file, line and column" {
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {\n    "args": [ "true" ,, ]\n  }\n}\n' >"$CONFIG"
	assert_create_fails "$CONFIG:4:"
	# file:line:col
	[[ $stderr =~ config\.json:4:[0-9]+ ]]
}

@test "a bad ociVersion is refused, naming the field" {
	cfg_args true
	cfg_edit '.ociVersion = "banana"'
	assert_create_fails "ociVersion"
}

@test "a missing ociVersion is refused" {
	cfg_args true
	cfg_edit 'del(.ociVersion)'
	assert_create_fails "ociVersion"
}

@test "an unknown kind of hook, or a hook without an absolute path, is refused, naming it" {
	cfg_args true
	cfg_edit '.hooks = {"beforeStart": [{"path": "/bin/true"}]}'
	assert_create_fails "hooks.beforeStart"
	cfg_edit '.hooks = {"startContainer": [{"path": "true"}]}'
	assert_create_fails "hooks.startContainer[0].path"
}

@test "process.apparmorProfile: ignored where AppArmor is off, of the wrong type refused" {
	cfg_args true
	cfg_edit '.process.apparmorProfile = 7'
	assert_create_fails "process.apparmorProfile"
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y ]] || skip "AppArmor is on"
	cfg_edit '.process.apparmorProfile = "docker-default"'
	oci_new_id
	oci_ok run --bundle "$BUNDLE" "$ID"
}

@test "process.ioPriority is refused, naming it" {
	cfg_args true
	cfg_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	assert_create_fails "process.ioPriority"
}

@test "linux.intelRdt is refused, naming it" {
	cfg_args true
	cfg_edit '.linux.intelRdt = {"closID": "x", "l3CacheSchema": "L3:0=ff"}'
	assert_create_fails "linux.intelRdt"
}

@test "an unknown capability name is not a crash" {
	cfg_args true
	cfg_edit '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	# Either a warning (the current spec) or an error naming it, never a
	# crash; if refused, nothing may be left.
	if [[ $status -ne 0 ]]; then
		assert_error_contains "CAP_NO_SUCH_THING"
		assert_nothing_left "$ID"
	else
		oci_track_pid "$(oci_pid "$ID")"
	fi
}

@test "create or run -d with a terminal and no --console-socket is refused, nothing left" {
	cfg_args true
	cfg_edit '.process.terminal = true'
	assert_create_fails "console socket"
	oci_new_id
	oci run -d --bundle "$BUNDLE" "$ID"
	assert_error_contains "console socket"
	assert_nothing_left "$ID"
}

@test "a missing executable fails create, naming it, and leaves nothing" {
	# runc and crun look the command up before parking the init, so that
	# create reports it (podman turns that error into exit status 127).
	cfg_args /no/such/command
	assert_create_fails "/no/such/command"
}

@test "run with a broken config.json reports the error instead of crashing" {
	oci_new_id
	cfg_edit '.ociVersion = "banana"'
	oci run --bundle "$BUNDLE" "$ID"
	assert_error_contains "ociVersion"
	assert_nothing_left "$ID"
}

@test "unknown properties in config.json are ignored" {
	oci_new_id
	cfg_sh 'echo ok >/tmp/ran'
	cfg_edit '.futureField = {"x": 1} | .process.futureProcessField = true | .linux.futureLinuxField = [1]'
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ok ]
}

@test "editing config.json after create has no effect on start" {
	oci_new_id
	cfg_sh 'echo first >/tmp/ran'
	oci_create
	cfg_sh 'echo second >/tmp/ran'
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = first ]
}

@test "--log with --log-format json: a failing create writes exactly one error object" {
	oci_new_id
	cfg_args sleep 30
	oci_create
	local log=$TEST_TMP/oci-log
	oci --log "$log" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_error_contains "container with given ID already exists"
	cat "$log"
	# The whole file is one JSON object (podman json.Unmarshals all of it).
	jq -e . "$log" >/dev/null
	[ "$(jq -s 'length' "$log")" -eq 1 ]
	[ "$(jq -r .level "$log")" = error ]
	[[ $(jq -r .msg "$log") == *"container with given ID already exists"* ]]
	[[ $(jq -r .time "$log") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
}

@test "--log with --log-format json: a config error is logged as one error object naming the field" {
	oci_new_id
	cfg_args true
	cfg_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	local log=$TEST_TMP/oci-log
	oci --log "$log" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_error_contains "process.ioPriority"
	cat "$log"
	[ "$(jq -s 'length' "$log")" -eq 1 ]
	[ "$(jq -r .level "$log")" = error ]
	[[ $(jq -r .msg "$log") == *"process.ioPriority"* ]]
	assert_nothing_left "$ID"
}

@test "--log in text format appends the error to the file" {
	oci_new_id
	local log=$TEST_TMP/text-log
	echo previous >"$log"
	oci --log "$log" state "$ID"
	assert_error_contains "container does not exist"
	[ "$(head -1 "$log")" = previous ]
	grep -q "container does not exist" "$log"
}

@test "a resource of the wrong type is refused by its field's name; rdma is refused" {
	cfg_args true
	local edit want
	while IFS='|' read -r edit want; do
		cfg_edit ".linux.resources = $edit"
		assert_create_fails "$want" "expected"
	done <<'EOF_CASES'
{"memory": {"limit": "12m"}}|linux.resources.memory.limit
{"memory": []}|linux.resources.memory
{"cpu": {"shares": "1024"}}|linux.resources.cpu.shares
{"memory": {"swappiness": 101}}|linux.resources.memory.swappiness
{"memory": {"disableOOMKiller": 1}}|linux.resources.memory.disableOOMKiller
{"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "weight": "a"}]}}|linux.resources.blockIO.weightDevice[0].weight
{"hugepageLimits": [{"pageSize": "", "limit": 0}]}|linux.resources.hugepageLimits[0]
{"unified": {"memory.high": 5}}|linux.resources.unified
EOF_CASES
	cfg_edit '.linux.resources = {"rdma": {"mlx4_0": {"hcaHandles": 3}}}'
	assert_create_fails "linux.resources.rdma" "not supported by nsrun"
}

@test "the resources Docker and kubelet send for every container run (their zeros are unset)" {
	cfg_args true
	cfg_edit '.linux.resources = {"memory": {"disableOOMKiller": false, "reservation": 0,
		"kernel": 0, "swappiness": null}, "cpu": {"shares": 0, "cpus": "", "mems": "",
		"quota": 0, "idle": 0, "burst": 0}, "blockIO": {"weight": 0}, "pids": {"limit": 0},
		"hugepageLimits": [{"pageSize": "2MB", "limit": 0}, {"pageSize": "1GB", "limit": 0}],
		"network": {"classID": 0}}'
	oci_new_id
	oci_ok run --bundle "$BUNDLE" "$ID"
}
