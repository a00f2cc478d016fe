#!/usr/bin/env bats
# Exhausting the host from inside: a memory hog under --memory is killed by
# its cgroup's OOM killer, a fork bomb stops at --pids. The host survives,
# and nothing is left (teardown checks processes and cgroups).

load helpers
load sandbox_helpers
load attack_helpers

@test "resources: a memory hog under --memory 32m --memory-swap 32m is killed (137), staged and in --sandbox; the host survives (root)" {
	bg_start bystander sleep 1000
	local bystander
	bystander=$(proc_id "$BG_PID")
	local opts
	for opts in "" "--sandbox --ro-bind $ATTACK_DIR $IN_ATTACK" "--sandbox --ro-bind $ATTACK_DIR $IN_ATTACK --init"; do
		local probe=$ATTACK_DIR/probe
		[[ -n $opts ]] && probe=$PROBE
		run_n $opts --memory 32m --memory-swap 32m -- "$probe" hog 512
		echo "# nsrun $opts --memory 32m --memory-swap 32m -- probe hog 512: status $status, last: ${lines[-1]}"
		[ "$status" -eq 137 ]
		# nsrun says why it ended; the probe ran, and got no further than
		# the limit.
		[[ ${lines[-1]} == "nsrun: killed by the out-of-memory killer"* ]]
		local last_hog
		last_hog=$(grep '^hog: ' <<<"$output" | tail -1)
		[[ $last_hog =~ ^hog:\ ([0-9]+)\ MiB$ ]]
		[ "${BASH_REMATCH[1]}" -ge 8 ]
		[ "${BASH_REMATCH[1]}" -le 32 ]
	done
	proc_id_alive "$bystander"
}

# fork_bomb NAME NSRUN-OPTION...: probe fork-hold 500 under --pids 20, in
# the background; once it has forked what it could, checks what the host
# sees in its pids cgroup, releases it and waits. Sets STARTED.
fork_bomb() {
	local name=$1 probe=$ATTACK_DIR/probe
	shift
	[[ $* == *--sandbox* ]] && probe=$PROBE
	mkdir -m 0777 "$TEST_TMP/$name"
	bg_n "$name" "$@" --bind "$TEST_TMP/$name" /tmp/sync --pids 20 -- \
		"$probe" fork-hold 500 /tmp/sync/release
	local nsrun_pid=$BG_PID
	retry 20 grep -q '^fork-hold: started' "$TEST_TMP/$name.out"
	cat "$TEST_TMP/$name.out"
	local line
	line=$(grep '^fork-hold: started' "$TEST_TMP/$name.out")
	[[ $line =~ ^fork-hold:\ started\ ([0-9]+)\ of\ 500,\ first\ errno\ 11\ \(EAGAIN\)$ ]]
	STARTED=${BASH_REMATCH[1]}
	# The cgroup nsrun made, as the host sees it.
	local cg
	cg=$(cgroup_path_of "$(staged_child "$nsrun_pid")" pids)
	echo "# cgroup $cg: pids.max $(cat "$cg/pids.max"), pids.current $(cat "$cg/pids.current")"
	[[ $cg == */nsrun-$nsrun_pid ]]
	[ "$(cat "$cg/pids.max")" = 20 ]
	[ "$(cat "$cg/pids.current")" -le 20 ]
	[ "$(wc -l <"$cg/cgroup.procs")" -le 20 ]
	# Many forks were refused: the bomb was real.
	[ "$STARTED" -ge 10 ]
	[ "$STARTED" -le 19 ]
	: >"$TEST_TMP/$name/release"
	bg_wait "$nsrun_pid" 20
	cat "$TEST_TMP/$name.err"
	[ "$BG_STATUS" -eq 0 ]
	grep -qx 'fork-hold: released' "$TEST_TMP/$name.out"
	[ ! -e "$cg" ]
}

@test "resources: a fork bomb stops at --pids 20 with EAGAIN, never more than 20 processes; everything ends with it (root: staged, --sandbox, --sandbox --init)" {
	bg_start bystander sleep 1000
	local bystander
	bystander=$(proc_id "$BG_PID")
	# The tmpfs root is the new root; the probe and the sync directory are
	# bound into it.
	fork_bomb plain -U -r --ro-bind "$ATTACK_DIR" "$ATTACK_DIR"
	[ "$STARTED" -eq 19 ]
	fork_bomb sandbox --sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK"
	[ "$STARTED" -eq 19 ]
	# The init stage counts too.
	fork_bomb init --sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK" --init
	[ "$STARTED" -eq 18 ]
	proc_id_alive "$bystander"
}
