#!/usr/bin/env bats
# Reaching the host from inside --sandbox: signalling or tracing a host
# process, loading a kernel module, making and opening a block device, and
# the network.

load helpers
load sandbox_helpers
load attack_helpers

@test "host: kill -9 and ptrace of a host process fail with ESRCH (not visible) and it survives (4 variants)" {
	local v owner
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		# A victim of the uid the sandbox's root maps to, which could
		# signal it if it could see it.
		owner=""
		[[ $v == nobody ]] && owner=as_nobody
		bg_start victim $owner sleep 1000
		local victim=$BG_PID id
		retry 10 eval '[[ $(cat /proc/$victim/comm 2>/dev/null) == sleep ]]'
		id=$(proc_id "$victim")
		run_n $W "${SB[@]}" -- /bin/sh -c '
			p=$1
			[ -e "/proc/$p" ] && echo "visible"
			kill -9 "$p" 2>&1 || echo "kill status $?"
			"$0" kill "$p" 9 -- kill "$p" 0 -- ptrace "$p"' "$PROBE" "$victim"
		show_run "$v:" nsrun --sandbox -- kill -9 "$victim"
		[ "$status" -eq 1 ]
		assert_no_line_like visible
		[[ $output == *"No such process"* ]]
		assert_line_count 2 "kill: $E_SRCH"
		assert_line_is "ptrace: $E_SRCH"
		# Alive and not stopped by a trace.
		proc_id_alive "$id"
		[ "$(proc_state "$victim")" = S ]
		kill -KILL "$victim"
		bg_wait "$victim" 10
	done
}

@test "host: init_module and finit_module fail with EPERM (4 variants)" {
	local modules v
	modules=$(cat /proc/modules 2>/dev/null || true)
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- "$PROBE" init_module -- finit_module
		show_run "$v:" nsrun --sandbox -- probe init_module -- finit_module
		[ "$status" -eq 1 ]
		assert_line_is "init_module: $E_PERM"
		assert_line_is "finit_module: $E_PERM"
	done
	[ "$(cat /proc/modules 2>/dev/null || true)" = "$modules" ]
}

@test "host: mknod of a block device fails with EPERM in a writable /tmp and in /dev (4 variants)" {
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" --perms 1777 --tmpfs /tmp/w -- /bin/sh -c '
			"$0" mknod /tmp/w/sda b 8 0 -- mknod /dev/sda b 8 0 -- mknod /tmp/w/mem c 1 1
			mknod /tmp/w/sdb b 8 16 2>&1
			ls -A /tmp/w /dev | grep -E "^(sda|sdb|mem)$"
			awk "\$5 == \"/tmp/w\" { print \"mount:\", \$6 }" /proc/self/mountinfo' "$PROBE"
		show_run "$v:" nsrun --sandbox --perms 1777 --tmpfs /tmp/w -- probe mknod /tmp/w/sda b 8 0 ...
		[ "$status" -eq 0 ]
		# In /tmp/w, writable by all: EPERM, the missing CAP_MKNOD.
		[ "${lines[0]}" = "mknod: $E_PERM" ]
		[ "${lines[2]}" = "mknod: $E_PERM" ]
		# /dev belongs to root inside: 65534 may not even create there.
		[[ ${lines[1]} == "mknod: $E_PERM" || ${lines[1]} == "mknod: $E_ACCES" ]]
		[[ $output == *"Operation not permitted"* ]]
		assert_no_line_like sda
		assert_no_line_like sdb
		assert_no_line_like mem
		# nodev in any case.
		[[ $(grep '^mount: ' <<<"$output") == *nodev* ]]
	done
}

@test "host: a block device node the host made opens only through --dev-bind; --bind and --ro-bind are nodev (root)" {
	local devs=$TEST_TMP/devs
	mkdir "$devs"
	chmod 0755 "$devs"
	# sda: opening it needs no such disk (ENXIO says the kernel tried).
	mknod -m 0600 "$devs/sda" b 8 0
	local opt
	for opt in --bind --ro-bind --dev-bind; do
		run_n --sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK" "$opt" "$devs" /tmp/devs -- \
			"$PROBE" open /tmp/devs/sda r
		show_run nsrun --sandbox "$opt" DEVS /tmp/devs -- probe open /tmp/devs/sda r
		if [[ $opt == --dev-bind ]]; then
			# The control: the node itself would open.
			[[ $output == "open: ok" || $output == "open: errno 6 (ENXIO)" ]]
		else
			[ "$output" = "open: $E_ACCES" ]
		fi
	done
}

@test "host: only lo is visible inside --sandbox, in /proc/net/dev and to ip link (root and 65534)" {
	local host_ifs w
	host_ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | sort)
	echo "# the host's interfaces: $(tr '\n' ' ' <<<"$host_ifs")"
	# Not vacuous: the host has more than lo.
	[ "$(wc -l <<<"$host_ifs")" -gt 1 ]
	for w in "" as_nobody; do
		run_n $w --sandbox -- /bin/sh -c '
			awk -F: "NR > 2 { gsub(/ /, \"\", \$1); print \"dev:\", \$1 }" /proc/net/dev
			ip -o link | awk -F": " "{ print \"link:\", \$2 }"'
		show_run "$(who $w):" nsrun --sandbox -- 'cat /proc/net/dev; ip -o link'
		[ "$status" -eq 0 ]
		assert_text $'dev: lo\nlink: lo' "$output"
	done
}
