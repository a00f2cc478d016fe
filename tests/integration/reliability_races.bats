#!/usr/bin/env bats
# The OCI verbs racing each other and the container: two creates of one id,
# delete against start, kill against the container's own exit (and against a
# process that took its pid), state against delete. Every verb ends (no
# hang), says one of the texts runc says or succeeds, and the state ends
# consistent: delete --force leaves nothing.

load reliability_helpers

ROUNDS=${NSRUN_REL_ROUNDS:-20}

@test "two creates of one id at once: exactly one succeeds, the other says runc's 'container with given ID already exists'" {
	cfg_args sleep 30
	local i winner loser
	for ((i = 0; i < ROUNDS; i++)); do
		oci_new_id
		race_start a create --bundle "$BUNDLE" "$ID"
		race_start b create --bundle "$BUNDLE" "$ID"
		race_go
		if [[ $(race_rc a) == 0 ]]; then winner=a loser=b; else winner=b loser=a; fi
		race_result "$winner"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		race_result "$loser"
		assert_nsrun_error 125 "container with given ID already exists"
		[ "${stderr_lines[0]}" = "nsrun: container with given ID already exists" ]
		# The winner's container is whole: created, its init alive.
		oci_track_pid "$(oci_pid "$ID")"
		[ "$(oci_status "$ID")" = created ]
		oci_ok delete --force "$ID"
		assert_no_state "$ID"
		assert_no_cgroup "$ID"
	done
	assert_no_container_procs
}

# After a race, the container is either gone or in a state that state can
# report; delete --force then leaves nothing.
assert_consistent_then_delete() {
	if [[ -e $OCI_ROOT/$ID ]]; then
		local s
		s=$(oci_status "$ID")
		echo "# left in state '$s'"
		[[ $s == created || $s == running || $s == stopped ]]
		oci_track_pid "$(oci_pid "$ID")"
	fi
	oci_ok delete --force "$ID"
	assert_no_state "$ID"
	assert_no_cgroup "$ID"
	assert_no_container_procs
}

# race_start_delete [DELETE-OPTION...]: a fresh container, created, then
# start racing delete [DELETE-OPTION...] of it. start must succeed or say
# that the container is not running, gone or stopped; delete's result is
# left loaded (race_result) for the caller to check.
race_start_delete() {
	oci_new_id
	oci_create
	race_start start start "$ID"
	race_start delete delete "$@" "$ID"
	race_go
	race_result start
	assert_ok_or_error "container not running" "container does not exist" \
		"cannot start a container that has stopped"
	race_result delete
}

@test "delete --force racing start: both end, start succeeds or says the container is gone, nothing is left" {
	cfg_sh 'echo ran >>/tmp/ran; exec sleep 30'
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		race_start_delete --force
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		assert_no_state "$ID"
		assert_no_cgroup "$ID"
		assert_no_container_procs
	done
}

@test "delete racing start: either wins, the state stays consistent, delete --force cleans up" {
	cfg_sh 'echo ran >>/tmp/ran; exec sleep 30'
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		race_start_delete
		# Whichever state delete sees, created or running, is not stopped.
		assert_ok_or_error "cannot delete container $ID that is not stopped: running" \
			"cannot delete container $ID that is not stopped: created"
		if [[ $status == 0 ]]; then
			# delete won: nothing of the container may run on.
			assert_no_state "$ID"
			assert_no_container_procs
		else
			[ "$(oci_status "$ID")" = running ]
		fi
		assert_consistent_then_delete
	done
}

@test "kill racing the container's own exit: success or 'container not running', never another error" {
	cfg_args true
	local i sig
	for ((i = 0; i < ROUNDS; i++)); do
		oci_new_id
		oci_create
		sig=KILL
		((i % 2)) && sig=TERM
		race_start start start "$ID"
		race_start kill kill "$ID" "$sig"
		race_go
		race_result start
		# A kill before the start stops the parked init.
		assert_ok_or_error "container not running" "cannot start a container that has stopped"
		race_result kill
		assert_ok_or_error "container not running"
		# Until the init is gone, more kills: still nothing else.
		local tries=0
		while ((tries++ < 100)); do
			oci kill "$ID" "$sig"
			[[ $status == 0 ]] || break
			[ -z "$stderr" ]
		done
		[ "$stderr" = "nsrun: container not running" ]
		[ "$status" -eq 125 ]
		[ "$(oci_status "$ID")" = stopped ]
		assert_consistent_then_delete
	done
}

# spawn_with_pid PID: `sleep 60` as host pid PID, made by setting
# ns_last_pid just below it (others may fork in between: retried). Sets
# SENTINEL; teardown kills it.
spawn_with_pid() {
	local want=$1 try
	for ((try = 0; try < 200; try++)); do
		echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 60 3>&- &
		if [[ $! == "$want" ]]; then
			SENTINEL=$!
			BG_PIDS+=("$!")
			return 0
		fi
		kill "$!"
		wait "$!" || true
	done
	echo "# could not get pid $want"
	return 1
}

@test "kill, state and delete --force of a stopped container whose pid was taken by another process leave that process alone" {
	cfg_args true
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	oci_ok start "$ID"
	# The init exits and is reaped: its pid is free.
	retry 10 test ! -e "/proc/$pid"
	spawn_with_pid "$pid"
	[ "$(proc_state "$SENTINEL")" != Z ]
	oci state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = stopped ]
	rel_oci kill "$ID" KILL
	assert_nsrun_error 125
	[ "${stderr_lines[0]}" = "nsrun: container not running" ]
	rel_oci kill --all "$ID" KILL
	assert_nsrun_error 125
	[ "${stderr_lines[0]}" = "nsrun: container not running" ]
	oci_ok delete --force "$ID"
	sleep 0.2
	# The sentinel lives on.
	[ -e "/proc/$SENTINEL" ]
	[ "$(proc_state "$SENTINEL")" != Z ]
	assert_no_state "$ID"
	assert_no_cgroup "$ID"
	kill "$SENTINEL"
}

@test "state during delete: valid state JSON or 'container does not exist', never half a JSON or a crash" {
	cfg_args sleep 30
	local i n seen_gone
	for ((i = 0; i < ROUNDS; i++)); do
		oci_new_id
		oci_create
		if ((i % 2)); then oci_ok start "$ID"; fi
		race_start delete delete --force "$ID"
		touch "$TEST_TMP/race-go"
		seen_gone=0
		for ((n = 0; n < 200 && seen_gone < 2; n++)); do
			status=0
			"$NSRUN" --root "$OCI_ROOT" state "$ID" </dev/null >"$TEST_TMP/st.out" \
				2>"$TEST_TMP/st.err" 3>&- || status=$?
			if [[ $status == 0 ]]; then
				[ ! -s "$TEST_TMP/st.err" ]
				if ! jq -e --arg id "$ID" \
					'.id == $id and (.status | IN("created", "running", "stopped"))' \
					"$TEST_TMP/st.out" >/dev/null; then
					echo "# not a valid state:"
					sed 's/^/#   /' "$TEST_TMP/st.out"
					return 1
				fi
			else
				[ "$status" -eq 125 ]
				[ ! -s "$TEST_TMP/st.out" ]
				[ "$(cat "$TEST_TMP/st.err")" = "nsrun: container does not exist" ]
				seen_gone=$((seen_gone + 1))
			fi
		done
		race_go
		race_result delete
		[ "$status" -eq 0 ]
		[ "$seen_gone" -ge 1 ]
		assert_no_state "$ID"
		assert_no_cgroup "$ID"
	done
	assert_no_container_procs
}
