#!/usr/bin/env bats
# kill: default SIGTERM, signal names and numbers, --all; kill of created
# and stopped containers.

load oci_helpers

# An init that logs every trapped signal to /tmp/sigs and keeps running
# (a trap is needed: pid 1 of a pid namespace ignores unhandled signals).
TRAPPING_INIT='for s in TERM USR1 USR2 HUP INT; do trap "echo $s >>/tmp/sigs" $s; done
echo up >/tmp/up
while :; do sleep 0.05; done'

sigs() { cat "$BUNDLE/rootfs/tmp/sigs" 2>/dev/null; }

# wait_sig N: until /tmp/sigs has N lines.
wait_sig() { retry 5 test_sig_lines "$1"; }
test_sig_lines() { [ "$(sigs | wc -l)" -ge "$1" ]; }

start_trapping_init() {
	oci_new_id
	cfg_sh "$TRAPPING_INIT"
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
}

@test "kill without a signal sends SIGTERM to the init" {
	start_trapping_init
	oci_ok kill "$ID"
	wait_sig 1
	[ "$(sigs)" = TERM ]
	[ "$(oci_status "$ID")" = running ]
}

@test "kill takes names with and without SIG, in any case, and numbers" {
	start_trapping_init
	local sig n=0
	for sig in SIGUSR1 USR2 hup sigterm SigInt 10 12; do
		oci_ok kill "$ID" "$sig"
		n=$((n + 1))
		wait_sig "$n"
	done
	assert_text "$(printf '%s\n' USR1 USR2 HUP TERM INT USR1 USR2)" "$(sigs)"
	[ "$(oci_status "$ID")" = running ]
}

@test "kill with an unknown signal fails and sends nothing" {
	start_trapping_init
	oci kill "$ID" SIGNOPE
	assert_error_contains
	oci kill "$ID" 999
	assert_error_contains
	sleep 0.3
	[ -z "$(sigs)" ]
	[ "$(oci_status "$ID")" = running ]
}

@test "kill KILL stops a running container; it stays queryable as stopped" {
	oci_new_id
	cfg_args sleep 30
	oci_run_d
	oci_ok kill "$ID" KILL
	oci_wait_status "$ID" stopped
	[ "$(oci_pid "$ID")" = 0 ]
	oci kill "$ID" KILL
	assert_error_contains "container not running"
}

@test "kill works on a created container: KILL stops it without running the command" {
	oci_new_id
	cfg_sh 'echo ran >/tmp/ran; sleep 30'
	oci_create
	oci_ok kill "$ID" KILL
	oci_wait_status "$ID" stopped
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	oci start "$ID"
	assert_error_contains
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
}

@test "kill signals only the init; kill --all signals every process in the container" {
	oci_new_id
	cfg_sh 'trap "echo TERM >>/tmp/sigs" TERM
		sleep 60 & echo up >/tmp/up
		while :; do sleep 0.05; done'
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
	local init child
	init=$(oci_pid "$ID")
	# The background sleep (not the loop's short ones).
	child=$(pgrep -P "$init" -f '^sleep 60$' || true)
	[ -n "$child" ]
	oci_track_pid "$child"
	local child_id
	child_id=$(proc_id "$child")
	# Without --all: the child survives.
	oci_ok kill "$ID" TERM
	wait_sig 1
	sleep 0.2
	proc_id_alive "$child_id"
	# With --all: the child dies of it, the init traps it again.
	oci_ok kill --all "$ID" TERM
	retry 5 oci_proc_gone "$child_id"
	wait_sig 2
	[ "$(oci_status "$ID")" = running ]
}

@test "kill -a KILL (podman's kill --all) stops the whole container" {
	oci_new_id
	cfg_sh 'sleep 60 & sleep 61 & echo up >/tmp/up; wait'
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
	oci_ok ps --format json "$ID"
	local p ids=()
	for p in $(jq -r '.[]' <<<"$output"); do
		oci_track_pid "$p"
		ids+=("$(proc_id "$p")")
	done
	[ "${#ids[@]}" -eq 3 ]
	oci_ok kill -a "$ID" 9
	for p in "${ids[@]}"; do
		retry 5 oci_proc_gone "$p"
	done
	oci_wait_status "$ID" stopped
}

@test "kill takes real-time signals by name: RTMIN+3 (systemd's stop), RTMAX-1" {
	oci_new_id
	# By number, as busybox's trap knows them: glibc's SIGRTMIN is 34, SIGRTMAX 64.
	cfg_sh 'trap "echo rtmin3 >>/tmp/sigs" 37; trap "echo rtmax1 >>/tmp/sigs" 63
		echo up >/tmp/up; while :; do sleep 0.05; done'
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
	oci_ok kill "$ID" RTMIN+3
	wait_sig 1
	oci_ok kill "$ID" SIGRTMAX-1
	wait_sig 2
	[ "$(sigs)" = $'rtmin3\nrtmax1' ]
	oci kill "$ID" RTMIN+99
	assert_error_contains "unknown signal 'RTMIN+99'"
}
