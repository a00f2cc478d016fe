#!/usr/bin/env bats
# events: the container's use from its cgroups as runc prints it, once
# (--stats) or every --interval until it stops, with OOM kills.

load oci_helpers

@test "events --stats: one stats line with the container's memory limit, pids and cpu" {
	oci_new_id
	cfg_args sleep 60
	cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
	oci_run_d
	oci_ok events --stats "$ID"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
	(($(jq -r .data.memory.usage.usage <<<"$output") > 0))
	[ "$(jq -r .data.pids.current <<<"$output")" = 1 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" = 40 ]
	(($(jq -r .data.cpu.usage.total <<<"$output") > 0))
}

@test "events streams stats every --interval and ends when the container stops" {
	oci_new_id
	cfg_args sleep 1.2
	oci_run_d
	oci_ok events --interval 300ms "$ID"
	# About four in 1.2 s; at least two whatever the machine's load.
	((${#lines[@]} >= 2))
	[[ -z $(jq -r 'select(.type != "stats") | .type' <<<"$output") ]]
	[ "$(oci_status "$ID")" = stopped ]
}

@test "events reports an OOM kill inside the container" {
	oci_new_id
	cfg_sh 'sleep 0.7; tail /dev/zero; sleep 1'
	cfg_edit '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	oci create --bundle "$BUNDLE" "$ID"
	[[ $status -eq 0 ]] || cfg_edit '.linux.resources.memory |= del(.swap)'
	[[ $status -eq 0 ]] || oci_ok create --bundle "$BUNDLE" "$ID"
	oci_track_pid "$(oci_pid "$ID")"
	oci_ok start "$ID"
	oci_ok events --interval 200ms "$ID"
	[ "$(jq -r 'select(.type == "oom") | .id' <<<"$output")" = "$ID" ]
}

@test "events refuses a bad --interval and a stopped container" {
	oci_new_id
	cfg_args sleep 60
	oci_run_d
	oci events --interval fast "$ID"
	assert_error_contains "--interval 'fast'"
	oci_ok kill "$ID" KILL
	oci_wait_status "$ID" stopped
	oci events --stats "$ID"
	assert_error_contains "stopped"
}
