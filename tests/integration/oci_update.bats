#!/usr/bin/env bats
# update: runc's flags and a resources object (-r FILE or -r - on stdin)
# change a running container's limits in its cgroups; bad values are
# refused by name and change nothing.

load oci_helpers

# cg_value FILE...: the first of these cgroup files that the container's
# cgroups have (v1 name, then v2 name), its first line.
cg_value() {
	local d f
	for f in "$@"; do
		for d in $(oci_cgroup_dirs "$ID"); do
			if [[ -f $d/$f ]]; then
				head -1 "$d/$f"
				return 0
			fi
		done
	done
	return 1
}

start_sleeper() {
	oci_new_id
	cfg_args sleep 60
	cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
	oci_create
}

@test "update --memory, --pids-limit, --cpu-quota and --cpu-share change the cgroup files" {
	start_sleeper
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 67108864 ]
	oci_ok update --memory 128m --pids-limit 50 --cpu-quota 50000 --cpu-period 100000 \
		--cpu-share 512 "$ID"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 134217728 ]
	[ "$(cg_value pids.max)" = 50 ]
	[[ $(cg_value cpu.cfs_quota_us cpu.max) == 50000* ]]
	# v1 takes the shares as they are; v2 a weight converted from them.
	[[ $(cg_value cpu.shares cpu.weight) =~ ^(512|20)$ ]]
	[ "$(oci_status "$ID")" = created ]
}

@test "update -r FILE and -r - (stdin) apply a resources object; flags win over it" {
	start_sleeper
	echo '{"memory": {"limit": 33554432}, "pids": {"limit": 30}}' >"$TEST_TMP/res.json"
	oci_ok update -r "$TEST_TMP/res.json" --pids-limit 31 "$ID"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 33554432 ]
	[ "$(cg_value pids.max)" = 31 ]
	echo '{"memory": {"limit": 50331648}}' |
		"$NSRUN" --root "$OCI_ROOT" update --resources - "$ID"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 50331648 ]
}

@test "update raises memory and memory plus swap together (v1 writes the swap limit first)" {
	[[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes || -e /sys/fs/cgroup/unified/cgroup.controllers || -e /sys/fs/cgroup/cgroup.controllers ]] ||
		skip "no swap accounting"
	oci_new_id
	cfg_args sleep 60
	cfg_edit '.linux.resources = {"memory": {"limit": 67108864, "swap": 134217728}}'
	oci create --bundle "$BUNDLE" "$ID"
	[[ $status -eq 0 ]] || skip "swap limits unavailable: $stderr"
	oci_track_pid "$(oci_pid "$ID")"
	oci_ok update --memory 256m --memory-swap 512m "$ID"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 268435456 ]
	oci_ok update --memory 32m --memory-swap 64m "$ID"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 33554432 ]
}

@test "update refuses a bad size by its flag and a wrong type by its field, changing nothing" {
	start_sleeper
	oci update --memory 12x "$ID"
	assert_error_contains "--memory '12x'"
	echo '{"memory": {"limit": "12m"}}' >"$TEST_TMP/res.json"
	oci update -r "$TEST_TMP/res.json" "$ID"
	assert_error_contains "resources.memory.limit" "expected a number"
	echo '{"memory": ' >"$TEST_TMP/bad.json"
	oci update -r "$TEST_TMP/bad.json" "$ID"
	assert_error_contains "--resources $TEST_TMP/bad.json"
	oci update --l3-cache-schema L3:0=f "$ID"
	assert_error_contains "--l3-cache-schema" "not supported"
	[ "$(cg_value memory.limit_in_bytes memory.max)" = 67108864 ]
	[ "$(cg_value pids.max)" = 40 ]
}

@test "update of a stopped or unknown container fails" {
	oci_new_id
	cfg_args true
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci update --memory 64m "$ID"
	assert_error_contains "stopped"
	oci update --memory 64m "nosuch-$ID"
	assert_error_contains "container does not exist"
}

@test "update --help lists runc's flags" {
	oci_ok update --help
	local flag
	for flag in --resources --memory --memory-swap --memory-reservation --cpu-share \
		--cpu-quota --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight; do
		grep -q -- "$flag" <<<"$output"
	done
}
