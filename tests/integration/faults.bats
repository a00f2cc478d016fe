#!/usr/bin/env bats
# Fault injection: nsrun is SIGKILLed, or a step fails with an injected
# errno, at every start-up step in turn (NSRUN_FAULT, src/util/fault.h).
# After each: the host is as it was, `delete --force` and a new `create` of
# the same id succeed, and no state file is ever half-written.
#
# Only test builds have the fault points (-Dfault_injection=true: make
# check's build-asan); elsewhere these tests skip.

load oci_helpers

setup_file() {
	oci_setup_file
	if [[ -z $(NSRUN_FAULT_TRACE=1 "$NSRUN" --help 2>&1 >/dev/null | grep "fault point") ]] &&
		[[ -z $(NSRUN_FAULT_TRACE=1 "$NSRUN" -- true 2>&1 >/dev/null | grep "fault point") ]]; then
		export FAULTS_MISSING=1
	fi
}

setup() {
	TEST_TMP=
	[[ -z ${FAULTS_MISSING:-} ]] || skip "nsrun built without -Dfault_injection=true"
	oci_setup
	# Limits put the container in v1 hierarchies as well as the v2 one.
	cfg_edit '.linux.resources = {"pids": {"limit": 64}, "memory": {"limit": 67108864}}'
	cfg_args sleep 30
	# Every nsrun process of this test carries a mark in its environment
	# (/proc/PID/environ keeps what it was executed with); the test's own
	# shell does not.
	NSRUN_FAULT_MARK=mark-$OCI_ID_SUFFIX
	printf '#!/bin/sh\nNSRUN_FAULT_MARK=%s exec %q "$@"\n' "$NSRUN_FAULT_MARK" "$NSRUN" \
		>"$TEST_TMP/nsrun-marked"
	chmod 0755 "$TEST_TMP/nsrun-marked"
	NSRUN=$TEST_TMP/nsrun-marked
}

# Processes of this test: an nsrun launcher or init stage (by the mark), or
# a process in a root filesystem of the test.
test_procs() {
	local p
	for p in $(grep -lzxF "NSRUN_FAULT_MARK=$NSRUN_FAULT_MARK" /proc/[0-9]*/environ 2>/dev/null); do
		p=${p#/proc/}
		p=${p%/environ}
		[[ $(proc_state "$p") == Z ]] || echo "$p"
	done
	oci_procs_under "$TEST_TMP"
	oci_procs_under "$OCI_ROOTFS"
}
no_test_procs() { [[ -z $(test_procs) ]]; }

# fault_steps CMD...: the fault points CMD reaches, in order, the k-th
# reach of a repeated step written STEP@k.
# (A file, not a pipe: a created container keeps its stderr open.)
fault_steps() {
	NSRUN_FAULT_TRACE=1 timeout 30 "$@" </dev/null >/dev/null 2>"$TEST_TMP/trace"
	sed -n 's/^nsrun: fault point //p' "$TEST_TMP/trace" |
		awk '{ n[$0]++; print (n[$0] > 1 ? $0 "@" n[$0] : $0) }'
}

# The create steps, found with a create and delete of a scratch id.
create_steps() {
	local id=steps-$OCI_ID_SUFFIX
	fault_steps "$NSRUN" --root "$OCI_ROOT" create --bundle "$BUNDLE" "$id"
	"$NSRUN" --root "$OCI_ROOT" delete --force "$id" >/dev/null 2>&1 </dev/null
}

# Nothing of container ID left: state directory, cgroup, process, stray
# temporary file of an atomic write.
assert_nothing_left() {
	local id=$1 step=$2 left
	if [[ -e $OCI_ROOT/$id ]]; then
		echo "# after $step: state directory left: $(ls -A "$OCI_ROOT/$id" | tr '\n' ' ')"
		return 1
	fi
	left=$(oci_cgroup_dirs "$id")
	if [[ -n $left ]]; then
		echo "# after $step: cgroups left: $left"
		return 1
	fi
	if ! retry 5 no_test_procs >/dev/null; then
		echo "# after $step: processes left: $(test_procs)"
		return 1
	fi
}

# A state file that exists is whole: valid JSON with an id.
assert_state_whole() {
	local id=$1 step=$2
	[[ -e $OCI_ROOT/$id/state.json ]] || return 0
	if ! jq -e '.id' "$OCI_ROOT/$id/state.json" >/dev/null; then
		echo "# after $step: state.json is not whole: $(head -c 200 "$OCI_ROOT/$id/state.json")"
		return 1
	fi
}

@test "the fault points cover every create step, from the config to the parked init" {
	local steps
	steps=$(create_steps)
	echo "# steps: $(echo $steps)"
	local want
	for want in oci.config oci.state-dir launch.cgroup launch.clone launch.idmap \
		init.spec setup.rootfs setup.credentials init.park oci.state-save \
		"write state.json" oci.pid-file launch.commit; do
		grep -qxF "$want" <<<"$steps"
	done
	(($(wc -l <<<"$steps") >= 20))
}

# create killed at each of its steps: delete --force and a new create of
# the id succeed, and nothing is left.
kill_at_every_create_step() {
	local steps step n=0
	mapfile -t steps < <(create_steps)
	((${#steps[@]} >= 20))
	for step in "${steps[@]}"; do
		oci_new_id
		NSRUN_FAULT="$step:kill" oci create --bundle "$BUNDLE" --pid-file "$TEST_TMP/$ID.pid" "$ID"
		# The kill hit create itself (137) or its init (create fails:
		# 125), or the init after create returned (created, then stopped).
		if ((status != 137 && status != 125 && status != 0)); then
			echo "# $step: create exited $status"
			return 1
		fi
		assert_state_whole "$ID" "$step"
		if [[ -e $TEST_TMP/$ID.pid ]] && ! [[ $(cat "$TEST_TMP/$ID.pid") =~ ^[0-9]+$ ]]; then
			echo "# $step: the pid file is not whole"
			return 1
		fi
		# Killed before it made anything, there is nothing to delete.
		oci delete --force "$ID"
		if ((status != 0)) && [[ $stderr != *"container does not exist"* ]]; then
			echo "# $step: delete --force failed"
			return 1
		fi
		assert_nothing_left "$ID" "$step:kill"
		oci_ok create --bundle "$BUNDLE" "$ID"
		[[ $(oci_status "$ID") == created ]]
		oci_ok delete --force "$ID"
		assert_nothing_left "$ID" "$step:kill, then create and delete"
		n=$((n + 1))
	done
	echo "# $n steps"
}

@test "create killed at every step: delete --force and a new create of the id succeed, nothing is left" {
	kill_at_every_create_step
}

# A host without cgroup2 (the hybrid host's unmounted in a private mount
# namespace): the cgroups are planned, recorded and made after the clone.
@test "on a host without cgroup2, create killed at every step: delete --force and a new create succeed, nothing is left" {
	require_hybrid_host
	local real=$NSRUN
	NSRUN=$TEST_TMP/nsrun-v1
	printf '#!/bin/sh\nexec unshare -m --propagation private sh -c %s "%s" "$@"\n' \
		"'umount /sys/fs/cgroup/unified && exec \"\$0\" \"\$@\"'" "$real" >"$NSRUN"
	chmod +x "$NSRUN"
	create_steps | grep -qxF launch.cgroup
	kill_at_every_create_step
}

@test "create killed at every step: the next create of the id succeeds, or says it exists once its state was whole" {
	local steps step
	mapfile -t steps < <(create_steps)
	for step in "${steps[@]}"; do
		oci_new_id
		NSRUN_FAULT="$step:kill" oci create --bundle "$BUNDLE" "$ID"
		# The init of a create that died leaves by itself.
		retry 5 no_test_procs >/dev/null
		# A container whose state was written exists (stopped) until
		# deleted, as with runc; what came before is debris the next
		# create clears.
		if [[ -n $(oci_state "$ID") ]]; then
			oci create --bundle "$BUNDLE" "$ID"
			assert_error_contains "container with given ID already exists"
			oci_ok delete --force "$ID"
		fi
		oci create --bundle "$BUNDLE" "$ID"
		if ((status != 0)); then
			echo "# after $step:kill the id cannot be created again"
			return 1
		fi
		oci_ok delete --force "$ID"
		assert_nothing_left "$ID" "$step:kill"
	done
}

@test "create failing with an injected errno at every step: one error line, nothing left" {
	local steps step
	mapfile -t steps < <(create_steps)
	for step in "${steps[@]}"; do
		oci_new_id
		NSRUN_FAULT="$step:EIO" oci create --bundle "$BUNDLE" "$ID"
		if ((status == 0)); then
			# Only the parked init's own steps come after create returned.
			[[ $step == init.wait-start* ]] || { echo "# $step: create succeeded"; return 1; }
			oci_ok delete --force "$ID"
		else
			if ((status != 125)); then
				echo "# $step: create exited $status"
				return 1
			fi
			if [[ $(wc -l <<<"$stderr") != 1 || $stderr != "nsrun: "*"fault injected at ${step%@*}: Input/output error"* ]]; then
				echo "# $step: not one error line naming the step: $stderr"
				return 1
			fi
			# A failed create cleans up by itself: no delete.
		fi
		assert_nothing_left "$ID" "$step:EIO"
	done
}

@test "start killed or failing: the container stays created and can be deleted" {
	oci_new_id
	oci_create
	NSRUN_FAULT="oci.start:kill" oci start "$ID"
	[ "$status" -eq 137 ]
	[[ $(oci_status "$ID") == created ]]
	NSRUN_FAULT="oci.start:EIO" oci start "$ID"
	assert_error_contains "fault injected at oci.start"
	[[ $(oci_status "$ID") == created ]]
	oci_ok start "$ID"
	oci_wait_status "$ID" running
	oci_ok delete --force "$ID"
	assert_nothing_left "$ID" start
}

# The host pid of the stopped child of a process, once there is one.
stopped_child_of() {
	local parent=$1 child i
	for i in $(seq 100); do
		child=$(pgrep -P "$parent" | head -1)
		if [[ -n $child ]] && grep -q '^State:[[:space:]]*T' "/proc/$child/status" 2>/dev/null; then
			echo "$child"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# The launcher PID is stopped, and its stage has exited (a zombie, or gone).
stopped_and_stage_gone() {
	local child
	[[ $(proc_state "$1") == T ]] || return 1
	child=$(pgrep -P "$1" | head -1)
	[[ -z $child || $(proc_state "$child") == Z ]]
}

@test "a stage that fails while the launcher makes its cgroups: create reports the stage's error, nothing is left" {
	oci_new_id
	# The first mount fails at once; the launcher stops before it moves the
	# stage into the v1 cgroups, and goes on once the stage has exited.
	cfg_edit '.mounts = [{"destination": "/proc", "type": "nosuchfs", "source": "none"}] + .mounts'
	NSRUN_FAULT=launch.cgroup-enter:stop "$NSRUN" --root "$OCI_ROOT" create --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_TMP/create.out" 2>"$TEST_TMP/create.err" &
	local launcher=$! rc=0
	if ! retry 10 stopped_and_stage_gone "$launcher"; then
		kill -KILL "$launcher" # stopped: it would outlive the test
		return 1
	fi
	kill -CONT "$launcher"
	wait "$launcher" || rc=$?
	echo "# create exited $rc: $(cat "$TEST_TMP/create.err")"
	[ "$rc" -eq 125 ]
	[ "$(wc -l <"$TEST_TMP/create.err")" -eq 1 ]
	[[ $(cat "$TEST_TMP/create.err") == *"mounts[0]: mount nosuchfs on /proc: No such device" ]]
	assert_nothing_left "$ID" "the stage's failure"
}

@test "exec: its stage, in the container's PID namespace with the container's credentials, is out of the container's reach" {
	oci_new_id
	oci_run_d
	# The stage stops once it has the credentials of the command: the
	# container's uid and capabilities, no more than its processes have.
	NSRUN_FAULT=setup.credentials-set:stop "$NSRUN" --root "$OCI_ROOT" exec -d "$ID" sleep 5 \
		</dev/null >/dev/null 2>&1 &
	local launcher=$! stage nspid
	stage=$(stopped_child_of "$launcher")
	oci_track_pid "$stage"
	nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$stage/status")
	echo "# stage $stage, $nspid in the container: $(readlink "/proc/$stage/exe")"
	oci exec "$ID" sh -c "[ -d /proc/$nspid ] && echo seen
		readlink /proc/$nspid/exe && echo exe-read
		cat /proc/$nspid/environ >/dev/null && echo environ-read
		head -c 1 /proc/$nspid/mem >/dev/null && echo mem-read
		echo x >>/proc/$nspid/exe && echo exe-written
		true"
	kill -CONT "$stage"
	wait "$launcher"
	echo "# from the container: $output / $stderr"
	assert_text seen "$output"
}

# --- the sandbox CLI ------------------------------------------------------------

sandbox_cmd=()
sandbox_setup() {
	sandbox_cmd=("$NSRUN" -U -r -m -p -n -u -i --memory 64M --pids 64 --rootfs "$OCI_ROOTFS"
		--proc /proc --dev /dev --tmpfs /tmp -- /bin/sh -c 'echo ran')
}

@test "sandbox launcher or init killed at every step: no process, mount or cgroup is left" {
	sandbox_setup
	local steps step out
	mapfile -t steps < <(fault_steps "${sandbox_cmd[@]}")
	echo "# steps: ${steps[*]}"
	((${#steps[@]} >= 12))
	for step in "${steps[@]}"; do
		status=0
		NSRUN_FAULT="$step:kill" timeout 30 "${sandbox_cmd[@]}" </dev/null >"$TEST_TMP/out" 2>&1 || status=$?
		if ((status == 0)); then
			echo "# $step: the sandbox ran despite the kill"
			return 1
		fi
		if ! retry 5 no_test_procs >/dev/null; then
			echo "# after $step:kill processes are left: $(test_procs)"
			return 1
		fi
	done
	# The next start removes cgroups a killed launcher left.
	run "${sandbox_cmd[@]}"
	[ "$status" -eq 0 ]
	[[ $output == ran ]]
	left=$(find /sys/fs/cgroup -mindepth 1 -type d -name 'nsrun-*' 2>/dev/null |
		while read -r d; do pid=${d##*nsrun-}; kill -0 "$pid" 2>/dev/null || echo "$d"; done)
	[[ -z $left ]] || { echo "# stale cgroups: $left"; return 1; }
}

@test "sandbox step failing with an injected errno at every step: exit 125, one error line" {
	sandbox_setup
	local steps step
	mapfile -t steps < <(fault_steps "${sandbox_cmd[@]}")
	for step in "${steps[@]}"; do
		status=0
		NSRUN_FAULT="$step:ENOSPC" timeout 30 "${sandbox_cmd[@]}" </dev/null \
			>"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
		if ((status != 125)); then
			echo "# $step: exit $status: $(cat "$TEST_TMP/err")"
			return 1
		fi
		if [[ $(wc -l <"$TEST_TMP/err") != 1 ||
			$(cat "$TEST_TMP/err") != "nsrun: fault injected at ${step%@*}: No space left on device" ]]; then
			echo "# $step: $(cat "$TEST_TMP/err")"
			return 1
		fi
		[[ ! -s $TEST_TMP/out ]]
		retry 5 no_test_procs >/dev/null
	done
}
