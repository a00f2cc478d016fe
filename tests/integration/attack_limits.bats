#!/usr/bin/env bats
# Lifting limits from inside: raising a hard rlimit (which needs
# CAP_SYS_RESOURCE in the initial user namespace), leaving the sandbox's
# cgroup for a parent one, or writing its limits (--sandbox's /sys is
# read-only).

load helpers
load sandbox_helpers
load attack_helpers

@test "rlimit: the hard RLIMIT_NOFILE cannot be raised inside, by ulimit -Hn or setrlimit (4 variants)" {
	local hard v
	hard=$(host_hard_nofile)
	[[ $hard =~ ^[0-9]+$ ]]
	local want=$((hard + 10000))
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- /bin/sh -c '
			ulimit -H -n "$1" 2>&1 || echo "ulimit status $?"
			echo "hard: $(ulimit -H -n)"
			"$0" setrlimit NOFILE "$1" "$1" -- setrlimit NOFILE 100 "$1" -- setrlimit NOFILE 100 unlimited -- \
				getrlimit NOFILE' "$PROBE" "$want"
		show_run "$v:" nsrun --sandbox -- ulimit -Hn "$want"
		[ "$status" -eq 1 ]
		assert_line_is "hard: $hard"
		[[ $output == *"ulimit status "* ]]
		assert_line_count 3 "setrlimit: $E_PERM"
		[[ $(grep '^NOFILE ' <<<"$output") == "NOFILE "*" $hard" ]]
	done
}

@test "rlimit: --rlimit NOFILE=100:200: the command sees 100 and 200, may lower but not raise the hard limit (in place, staged, --sandbox; root and 65534)" {
	local w opts
	for w in "" as_nobody; do
		for opts in "-r" "-rp" "--sandbox --ro-bind $ATTACK_DIR $IN_ATTACK" "-r --init"; do
			local probe=$ATTACK_DIR/probe
			[[ $opts == --sandbox* ]] && probe=$PROBE
			run_n $w $opts --rlimit NOFILE=100:200 -- /bin/sh -c '
				echo "soft $(ulimit -S -n) hard $(ulimit -H -n)"
				ulimit -H -n 300 2>/dev/null || echo "ulimit -Hn 300 refused"
				"$0" getrlimit NOFILE -- setrlimit NOFILE 100 300 -- setrlimit NOFILE 200 200 -- \
					getrlimit NOFILE -- setrlimit NOFILE 150 150 -- getrlimit NOFILE -- setrlimit NOFILE 150 200' \
				"$probe"
			show_run "$(who $w):" nsrun $opts --rlimit NOFILE=100:200
			[ "$status" -eq 1 ]
			assert_text "soft 100 hard 200
ulimit -Hn 300 refused
NOFILE 100 200
setrlimit: $E_PERM
setrlimit: ok
NOFILE 200 200
setrlimit: ok
NOFILE 150 150
setrlimit: $E_PERM" "$output"
		done
	done
}

# --sandbox binds the host's /sys read-only, cgroup hierarchies included: a
# cgroup's host path is its path inside too.

@test "cgroup: from inside --sandbox --memory 64m --pids 50, moving to a parent cgroup or raising the limits fails (read-only /sys); the command stays in its cgroup (root and --as nobody)" {
	local opts_variant
	mkdir -m 0777 "$TEST_TMP/sync"
	local own_mem own_pids
	own_mem=$(cgroup_path_of $$ memory)
	own_pids=$(cgroup_path_of $$ pids)
	echo "# our memory cgroup: $own_mem, pids: $own_pids"
	for opts_variant in root root-as-nobody; do
		sandbox_variant "$opts_variant"
		rm -f "$TEST_TMP/sync/"*
		bg_n attack "${SB[@]}" --memory 64m --pids 50 --bind "$TEST_TMP/sync" /tmp/sync -- /bin/sh -c '
			p=$0 mem=$1 pids=$2
			$p write /sys/fs/cgroup/memory/cgroup.procs $$ -- write "$mem/cgroup.procs" $$ -- \
				write /sys/fs/cgroup/pids/cgroup.procs $$ -- write "$pids/cgroup.procs" $$
			# Its own cgroups: the cgroup namespace is rooted there, so they are
			# found in the read-only host tree by the pid they list.
			d=$(dirname "$(grep -lx "$$" "$mem"/nsrun-*/cgroup.procs | head -n 1)")
			$p write "$d/memory.limit_in_bytes" 1073741824 -- write "$d/memory.memsw.limit_in_bytes" -1
			d=$(dirname "$(grep -lx "$$" "$pids"/nsrun-*/cgroup.procs | head -n 1)")
			$p write "$d/pids.max" max
			: >/tmp/sync/ready
			i=0
			while [ ! -e /tmp/sync/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
			echo end' "$PROBE" "$own_mem" "$own_pids"
		local nsrun_pid=$BG_PID
		retry 20 test -e "$TEST_TMP/sync/ready"
		local cmd
		cmd=$(staged_child "$nsrun_pid")
		echo "# nsrun $nsrun_pid, command $cmd"
		cat "$TEST_TMP/attack.out"
		local out
		out=$(cat "$TEST_TMP/attack.out")
		# Seven writes, all refused: EROFS (or EACCES for 65534 inside).
		[ "$(grep -cE '^write: open: errno (30 \(EROFS\)|13 \(EACCES\))$' <<<"$out")" -eq 7 ]
		if [[ $opts_variant == root ]]; then
			[ "$(grep -c "^write: open: $E_ROFS" <<<"$out")" -eq 7 ]
		fi
		[[ $out != *"write: ok"* ]]
		# Still in its own cgroups, with their limits.
		[ "$(cgroup_path_of "$cmd" memory)" = "$own_mem/nsrun-$nsrun_pid" ]
		[ "$(cgroup_path_of "$cmd" pids)" = "$own_pids/nsrun-$nsrun_pid" ]
		[ "$(cat "$own_mem/nsrun-$nsrun_pid/memory.limit_in_bytes")" -eq $((64 << 20)) ]
		[ "$(cat "$own_pids/nsrun-$nsrun_pid/pids.max")" = 50 ]
		: >"$TEST_TMP/sync/go"
		bg_wait "$nsrun_pid" 20
		cat "$TEST_TMP/attack.err"
		[ "$BG_STATUS" -eq 0 ]
		[ "$(tail -1 "$TEST_TMP/attack.out")" = end ]
		# Removed when it ended.
		[ ! -e "$own_mem/nsrun-$nsrun_pid" ]
		[ ! -e "$own_pids/nsrun-$nsrun_pid" ]
	done
}

@test "cgroup: inside --sandbox --memory 64m --pids 50 the cgroup namespace is rooted at the sandbox's own cgroup, not at its parent (root)" {
	run_n --sandbox --memory 64m --pids 50 -- /bin/sh -c \
		'awk -F: "\$2 == \"memory\" || \$2 == \"pids\" { print \$2, \$3 }" /proc/self/cgroup'
	show_run nsrun --sandbox --memory 64m --pids 50 -- cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	# "/nsrun-PID" would mean the namespace's root is the parent cgroup:
	# the sandbox could name it, and leave its limits for it.
	assert_text $'pids /\nmemory /' "$output"
}
