#!/usr/bin/env bats
# nsrun out of resources: a full state root (ENOSPC), too few descriptors
# (EMFILE), a small memory cgroup (ENOMEM or the OOM killer) and a pids limit
# that stops the clone (EAGAIN), for the OCI runtime and the sandbox CLI.
# Each failure is one error line and leaves nothing behind: no process, no
# state directory, no cgroup, no mount.

load reliability_helpers

# rel_tmpfs_root OPTIONS: a tmpfs mounted with OPTIONS in the test's
# directory becomes the state root (its "state" directory, made here).
rel_tmpfs_root() {
	local dir=$TEST_TMP/tiny
	mkdir -p "$dir"
	mount -t tmpfs -o "$1" nsrun-rel "$dir"
	OCI_HOST_MOUNTS+=("$dir")
	OCI_ROOT=$dir/state
	mkdir "$OCI_ROOT"
}

# Sandbox commands of the CLI, staged (a cloned init sets them up).
sandbox_cmds() {
	SANDBOX_CMDS=(
		"-p -m true"
		"-Ur -p -m --rootfs $BUNDLE/rootfs --proc /proc --dev /dev --tmpfs /tmp -- /bin/true"
		"--sandbox -- true"
	)
}

@test "create with a full tmpfs as --root: ENOSPC writing its first state file, one line, no half-written state; the id is free again" {
	oci_new_id
	cfg_args sleep 30
	rel_tmpfs_root size=16k
	# Fill every block; directories and the fifo need no block on tmpfs, so
	# create gets as far as the first state file, the exec context.
	cat /dev/zero >"$TEST_TMP/tiny/fill" 2>/dev/null || true
	rel_oci create --bundle "$BUNDLE" "$ID"
	assert_errno_error "No space left on device" "write $OCI_ROOT/$ID/exec.context"
	assert_no_state "$ID"
	oci_root_empty
	assert_no_cgroup "$ID"
	assert_no_container_procs
	# With room again the same id is created, and works.
	rm "$TEST_TMP/tiny/fill"
	oci_create
	[ "$(oci_status "$ID")" = created ]
	oci_ok delete --force "$ID"
	assert_no_state "$ID"
}

@test "create with a tmpfs --root out of inodes at each step: ENOSPC naming the step, one line, nothing left" {
	oci_new_id
	cfg_args sleep 30
	# The tmpfs's root and the state root take two inodes; each inode more
	# lets create get one step further (its directory, its files, the
	# state file written last) until it has all it needs.
	rel_tmpfs_root size=64k,nr_inodes=2
	local n first="" last="" created=0
	local -A steps=()
	for ((n = 2; n <= 12; n++)); do
		mount -o "remount,nr_inodes=$n" "$TEST_TMP/tiny"
		rel_oci create --bundle "$BUNDLE" "$ID"
		if [[ $status == 0 ]]; then
			created=1
			break
		fi
		assert_errno_error "No space left on device"
		[[ -n $first ]] || first=${stderr_lines[0]}
		last=${stderr_lines[0]}
		steps[$last]=1
		oci_root_empty
		assert_no_cgroup "$ID"
		assert_no_container_procs
	done
	echo "# steps that failed: ${!steps[*]}"
	[ "$created" -eq 1 ]
	oci_track_pid "$(oci_pid "$ID")"
	[ "$(oci_status "$ID")" = created ]
	[ "$first" = "nsrun: create $OCI_ROOT/$ID: No space left on device" ]
	[ "$last" = "nsrun: write $OCI_ROOT/$ID/state.json: No space left on device" ]
	[ "${#steps[@]}" -ge 3 ]
}

@test "create with a low RLIMIT_NOFILE: EMFILE at the step that runs out, one line, nothing left" {
	oci_new_id
	cfg_args sleep 30
	# The config's own RLIMIT_NOFILE (1024) is above the hard limits
	# tried here: a failure of its own, not the one under test.
	cfg_edit 'del(.process.rlimits)'
	local n failed=0 ok=0
	local -A steps=()
	for n in 4 5 6 7 8 9 10 11 12 16 64; do
		rel_oci --nofile "$n" create --bundle "$BUNDLE" "$ID"
		if [[ $status == 0 ]]; then
			ok=$((ok + 1))
			[ "$(oci_status "$ID")" = created ]
			oci_ok delete --force "$ID"
		else
			assert_errno_error "Too many open files"
			steps[${stderr_lines[0]}]=1
			failed=$((failed + 1))
			# Once enough descriptors are there, more never fail.
			[ "$ok" -eq 0 ]
		fi
		assert_no_state "$ID"
		assert_no_cgroup "$ID"
		assert_no_container_procs
	done
	echo "# steps that failed: ${!steps[*]}"
	[ "$failed" -ge 2 ] && [ "${#steps[@]}" -ge 2 ]
	# 64 descriptors are plenty.
	[[ $status == 0 ]]
}

@test "the sandbox CLI with a low RLIMIT_NOFILE: EMFILE, one line, no process or mount left" {
	sandbox_cmds
	rel_cgroup pids
	local cmd n failed
	for cmd in "${SANDBOX_CMDS[@]}"; do
		failed=0
		for n in 4 5 6 7 8 9 10 12 16 64; do
			# shellcheck disable=SC2086 # the command's words
			rel_nsrun --cg "$REL_CG" --nofile "$n" -- $cmd
			if [[ $status != 0 ]]; then
				assert_errno_error "Too many open files"
				failed=$((failed + 1))
			fi
			assert_cgroup_empty "$REL_CG"
		done
		[ "$failed" -ge 1 ]
		[[ $status == 0 ]]
	done
	assert_no_container_procs
}

# The outcomes a memory limit allows: success, one clean error line, or
# the OOM killer's SIGKILL (status 137). Sets MEM_OUTCOME.
mem_outcome() {
	case $status in
	0) MEM_OUTCOME=ok ;;
	137) MEM_OUTCOME=killed ;;
	125)
		assert_nsrun_error 125
		MEM_OUTCOME=error
		;;
	*)
		echo "# unexpected status $status under a memory limit"
		return 1
		;;
	esac
}

MEM_LIMITS="128K 256K 512K 1M 1200K 1400K 1600K 1800K 2M 3M 4M 8M 16M 64M 256M"

@test "create in a small memory cgroup: ENOMEM as one line or an OOM kill; delete --force leaves nothing either way" {
	oci_new_id
	cfg_args sleep 30
	rel_cgroup memory
	local lim seen=""
	for lim in $MEM_LIMITS; do
		echo "$lim" >"$REL_CG/memory.limit_in_bytes"
		rel_oci --cg "$REL_CG" create --bundle "$BUNDLE" "$ID"
		mem_outcome
		seen+=" $lim:$MEM_OUTCOME"
		if [[ $MEM_OUTCOME == ok ]]; then
			[ "$(oci_status "$ID")" = created ]
		fi
		# Whatever happened, delete --force ends it all.
		oci_ok delete --force "$ID"
		assert_no_state "$ID"
		assert_no_cgroup "$ID"
		assert_cgroup_empty "$REL_CG"
		assert_no_container_procs
	done
	echo "# outcomes:$seen"
	# The smallest limit stops create, the largest lets it through.
	[[ $seen != " 128K:ok"* ]]
	[[ $seen == *" 256M:ok" ]]
}

@test "the sandbox CLI in a small memory cgroup: ENOMEM as one line or an OOM kill, no process left either way" {
	sandbox_cmds
	local cmd lim seen
	for cmd in "${SANDBOX_CMDS[@]}"; do
		seen=""
		# A cgroup of its own: what the last command left in the page
		# cache stays charged and would keep a lower limit from being set.
		rel_cgroup memory
		for lim in $MEM_LIMITS; do
			echo "$lim" >"$REL_CG/memory.limit_in_bytes"
			# shellcheck disable=SC2086 # the command's words
			rel_nsrun --cg "$REL_CG" -- $cmd
			mem_outcome
			seen+=" $lim:$MEM_OUTCOME"
			assert_cgroup_empty "$REL_CG"
		done
		echo "# $cmd:$seen"
		[[ $seen != " 128K:ok"* ]]
		[[ $seen == *" 256M:ok" ]]
	done
	assert_no_container_procs
}

@test "create with pids.max 1: the clone fails with EAGAIN, one line, nothing left; it works once the limit is lifted" {
	oci_new_id
	cfg_args sleep 30
	rel_cgroup pids
	echo 1 >"$REL_CG/pids.max"
	rel_oci --cg "$REL_CG" create --bundle "$BUNDLE" "$ID"
	assert_errno_error "Resource temporarily unavailable" "nsrun: clone (new namespaces: "
	assert_no_state "$ID"
	oci_root_empty
	assert_no_cgroup "$ID"
	assert_cgroup_empty "$REL_CG"
	rel_pids_settle "$REL_CG"
	# Two: nsrun and the init.
	echo 2 >"$REL_CG/pids.max"
	rel_oci --cg "$REL_CG" create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	oci_track_pid "$(oci_pid "$ID")"
	[ "$(oci_status "$ID")" = created ]
}

@test "the sandbox CLI with pids.max 1 (2 with --init): the clone or the fork fails with EAGAIN, one line, no process left" {
	sandbox_cmds
	rel_cgroup pids
	local cmd
	echo 1 >"$REL_CG/pids.max"
	for cmd in "${SANDBOX_CMDS[@]}"; do
		# shellcheck disable=SC2086 # the command's words
		rel_nsrun --cg "$REL_CG" -- $cmd
		assert_errno_error "Resource temporarily unavailable" "nsrun: clone (new namespaces: "
		assert_cgroup_empty "$REL_CG"
		rel_pids_settle "$REL_CG"
	done
	# --init forks the command from the init: nsrun and the init fit, the
	# command does not.
	echo 2 >"$REL_CG/pids.max"
	rel_nsrun --cg "$REL_CG" -- -p -m --init -- true
	assert_errno_error "Resource temporarily unavailable" "--init: fork the command"
	assert_cgroup_empty "$REL_CG"
	rel_pids_settle "$REL_CG"
	echo 3 >"$REL_CG/pids.max"
	rel_nsrun --cg "$REL_CG" -- -p -m --init -- true
	[ "$status" -eq 0 ]
	assert_cgroup_empty "$REL_CG"
	assert_no_container_procs
}
