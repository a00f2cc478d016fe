#!/usr/bin/env bats
# The caller dies: nsrun create SIGKILLed at several points of its work (a
# runtime crash, an OOM kill), its conmon-like parent SIGKILLed while it
# works, and the sandbox CLI's launcher SIGKILLed while its init is being set
# up. Afterwards delete --force succeeds, the id can be created again, and
# nothing runs on: every process nsrun started is gone. A cgroup v1 "pids"
# hierarchy (which the OCI containers here do not use) tracks them all.

load reliability_helpers

DELAYS_MS="0 1 2 3 5 8 12 20"
LOOPS=${NSRUN_REL_LOOPS:-3}

setup() {
	rel_setup
	# Every test here runs nsrun in this cgroup, REL_CG, to find what it
	# leaves running.
	rel_cgroup pids
	# conmon-like: forks the runtime, then after DELAY ms SIGKILLs it
	# ("runtime") or itself ("parent"); the runtime's pid goes to PIDFILE.
	KILLER=$TEST_TMP/killer.py
	cat >"$KILLER" <<-'EOF'
		import os, signal, sys, time
		mode, delay, pidfile = sys.argv[1], float(sys.argv[2]) / 1000, sys.argv[3]
		pid = os.fork()
		if pid == 0:
		    os.execv(sys.argv[4], sys.argv[4:])
		end = time.monotonic() + delay
		while time.monotonic() < end:
		    pass
		if mode == "runtime":
		    os.kill(pid, signal.SIGKILL)
		    os.waitpid(pid, 0)
		else:
		    os.kill(os.getpid(), signal.SIGKILL)
		with open(pidfile, "w") as f:
		    f.write(str(pid))
	EOF
}

# killed MODE DELAY ARG...: nsrun ARG... under the killer, in the tracking
# cgroup REL_CG. Sets KILLED_PID (the runtime's pid, in "runtime" mode).
killed() {
	local mode=$1 delay=$2
	shift 2
	rm -f "$TEST_TMP/runtime.pid"
	timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" \
		sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$REL_CG" \
		python3 "$KILLER" "$mode" "$delay" "$TEST_TMP/runtime.pid" "$NSRUN" "$@" \
		</dev/null >"$TEST_TMP/killed.out" 2>"$TEST_TMP/killed.err" 3>&- || true
}

# killed_create MODE DELAY [GLOBAL-OPTION...]: a fresh ID (oci_new_id), and
# nsrun [GLOBAL-OPTION...] create of it from BUNDLE, killed as killed does.
killed_create() {
	local mode=$1 delay=$2
	shift 2
	oci_new_id
	killed "$mode" "$delay" --root "$OCI_ROOT" "$@" create --bundle "$BUNDLE" "$ID"
}

@test "create SIGKILLed at several delays: delete --force succeeds, the id is created again, no process is left" {
	cfg_args sleep 30
	local d l
	for d in $DELAYS_MS; do
		for ((l = 0; l < LOOPS; l++)); do
			killed_create runtime "$d"
			echo "# killed after ${d} ms: $(cat "$TEST_TMP/killed.err")"
			rel_oci delete --force "$ID"
			[ "$status" -eq 0 ]
			[ -z "$stderr" ]
			assert_no_state "$ID"
			assert_no_cgroup "$ID"
			# Nothing of the killed create runs on: not its init, not a
			# child that never became the init, not the command.
			assert_cgroup_empty "$REL_CG"
			oci_create
			[ "$(oci_status "$ID")" = created ]
			oci_ok delete --force "$ID"
			assert_no_state "$ID"
		done
	done
	assert_no_container_procs
}

@test "create SIGKILLed at several delays: a new create of the id succeeds without delete unless the container was made" {
	cfg_args sleep 30
	local d l
	for d in $DELAYS_MS; do
		for ((l = 0; l < LOOPS; l++)); do
			killed_create runtime "$d"
			rel_oci state "$ID"
			if [[ $status == 0 ]]; then
				# Killed after it had made the container: the id is
				# taken until delete, as after any create.
				oci_track_pid "$(jq -r .pid <<<"$output")"
				rel_oci create --bundle "$BUNDLE" "$ID"
				assert_nsrun_error 125
				[ "${stderr_lines[0]}" = "nsrun: container with given ID already exists" ]
				oci_ok delete --force "$ID"
			else
				[ "${stderr_lines[0]}" = "nsrun: container does not exist" ]
			fi
			# Otherwise what the killed create left of the id is
			# debris, not a container: the id is free.
			oci_create
			[ "$(oci_status "$ID")" = created ]
			oci_ok delete --force "$ID"
			assert_no_state "$ID"
			assert_no_cgroup "$ID"
			assert_cgroup_empty "$REL_CG"
		done
	done
	assert_no_container_procs
}

@test "create without cgroups (--cgroup-manager disabled) SIGKILLed at several delays: no process is left after delete --force" {
	cfg_args sleep 30
	local d l
	for d in $DELAYS_MS; do
		for ((l = 0; l < LOOPS; l++)); do
			killed_create runtime "$d" --cgroup-manager disabled
			rel_oci --cgroup-manager disabled delete --force "$ID"
			[ "$status" -eq 0 ]
			assert_no_state "$ID"
			assert_cgroup_empty "$REL_CG"
		done
	done
	assert_no_container_procs
}

@test "state and list during and after a killed create: no half state, never a crash" {
	cfg_args sleep 30
	local d
	for d in $DELAYS_MS; do
		killed_create runtime "$d"
		rel_oci state "$ID"
		if [[ $status == 0 ]]; then
			# Only a create that got to the end makes a container.
			[ "$(jq -r .status <<<"$output")" = created ]
			oci_track_pid "$(jq -r .pid <<<"$output")"
		else
			assert_nsrun_error 125
			[ "${stderr_lines[0]}" = "nsrun: container does not exist" ]
		fi
		rel_oci list --quiet
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		oci_ok delete --force "$ID"
		assert_no_state "$ID"
		assert_cgroup_empty "$REL_CG"
	done
}

@test "the conmon-like parent SIGKILLed during create: nsrun finishes on its own, the container is whole, delete --force removes it" {
	cfg_args sleep 30
	local d l pid
	for d in $DELAYS_MS; do
		for ((l = 0; l < 2; l++)); do
			killed_create parent "$d"
			# The orphaned runtime carries on; wait for it to finish.
			retry 10 rel_only_container_left "$ID"
			[ "$(oci_status "$ID")" = created ]
			oci_track_pid "$(oci_pid "$ID")"
			oci_ok delete --force "$ID"
			assert_no_state "$ID"
			assert_no_cgroup "$ID"
			assert_cgroup_empty "$REL_CG"
		done
	done
	assert_no_container_procs
}

# True once the only process left in the tracking cgroup and below it is
# the init of container ID (the runtime that made it has exited); the
# container's own cgroup is below the caller's, as runc makes it.
rel_only_container_left() {
	local pid procs
	pid=$(oci_pid "$1")
	[[ -n $pid && $pid != 0 && $pid != null ]] || return 1
	procs=$(find "$REL_CG" -name cgroup.procs -exec cat {} + | sort -u)
	[[ $procs == "$pid" ]]
}

@test "the sandbox CLI's launcher SIGKILLed while its init is set up: the init dies with it, nothing is left" {
	local cmd d l
	local -a cmds=(
		"-p -m -- sleep 30"
		"-Ur -p -m --rootfs $BUNDLE/rootfs --proc /proc --dev /dev --tmpfs /tmp -- /bin/sleep 30"
		"--sandbox -- sleep 30"
		"-Ur -p --init -- sleep 30"
	)
	for cmd in "${cmds[@]}"; do
		for d in $DELAYS_MS 30 50; do
			for ((l = 0; l < LOOPS; l++)); do
				# shellcheck disable=SC2086 # the command's words
				killed runtime "$d" $cmd
				assert_cgroup_empty "$REL_CG"
			done
		done
	done
	assert_no_container_procs
}
