#!/usr/bin/env bats
# The two start-up paths: in place (nsrun becomes the command) and staged
# (a sealed init stage becomes PID 1 or the child, -p / -f). Descriptors,
# --block-fd and -v on both.

load helpers

setup_file() {
	nsrun_setup_file
	ensure_test_user
}

# --- PIDs -------------------------------------------------------------------

@test "-p: the command is PID 1 and has no parent in its namespace (root and uid 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" -Urp -- sh -c 'echo $$ $PPID'
		show_run $w "$NSRUN" -Urp
		[ "$status" -eq 0 ]
		[ "$output" = "1 0" ]
	done
}

@test "-p --mount-proc: /proc lists only the sandbox's processes (root and uid 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" -Urp --mount-proc -- ls /proc
		show_run $w "$NSRUN" -Urp --mount-proc -- ls /proc
		[ "$status" -eq 0 ]
		# ls itself is PID 1 and alone.
		[ "$(grep -xE '[0-9]+' <<<"$output" | tr '\n' ' ')" = "1 " ]
		[ -n "$(ls /proc | grep -xE '[0-9]+' | sed -n 3p)" ] # ours has many
	done
}

@test "-p: the command's PIDs start from 1 for its own children too" {
	run_t "$NSRUN" -Urp --mount-proc -- sh -c 'sh -c "echo \$\$ \$PPID"; ls /proc | grep -cxE "[0-9]+"'
	show_run "$NSRUN" -Urp --mount-proc
	[ "$status" -eq 0 ]
	# Its first child got PID 2, with parent 1.
	[ "${lines[0]}" = "2 1" ]
	# Then: sh, ls and perhaps grep already.
	[ "${lines[1]}" -ge 2 ] && [ "${lines[1]}" -le 3 ]
}

# The script for the in-place test: the outer shell prints its PID and
# parent, then replaces itself by nsrun, which replaces itself by an inner
# shell that prints its PID, parent and executable.
IN_PLACE_SCRIPT='echo $$ $PPID; exec "$0" -U -r -- sh -c "echo \$\$ \$PPID; readlink /proc/\$\$/exe"'

@test "in place: the command keeps the caller's PID and parent, no nsrun process remains (root)" {
	run sh -c "$IN_PLACE_SCRIPT" "$NSRUN"
	show_run sh -c "$IN_PLACE_SCRIPT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	# Same PID, same parent before and after the exec of nsrun.
	[ "${lines[0]}" = "${lines[1]}" ]
	# The process is the shell now, not nsrun.
	[ "${lines[2]}" = "$(readlink -f "$(command -v sh)")" ]
}

@test "in place: the command keeps the caller's PID and parent (uid 65534)" {
	run as_nobody sh -c "$IN_PLACE_SCRIPT" "$NSRUN"
	show_run as_nobody sh -c "$IN_PLACE_SCRIPT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[2]}" = "$(readlink -f "$(command -v sh)")" ]
}

@test "in place: while the command runs, no nsrun process is left behind" {
	bg_start inplace "$NSRUN" -Urn -- sleep 1000
	local pid=$BG_PID sleep_bin
	sleep_bin=$(readlink -f "$(command -v sleep)")
	retry 10 eval '[[ $(readlink /proc/$pid/exe) == "$sleep_bin" ]]'
	# The background process itself is now sleep, and it has no children.
	[ -z "$(children "$pid")" ]
	[ "$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status")" = "$BASHPID" ]
}

@test "-f: the command runs as the child of nsrun, in the caller's PID namespace" {
	# No user namespace: one would hide the launcher's /proc/PID/exe.
	run_t "$NSRUN" -f -u -- sh -c 'echo $$; readlink /proc/$PPID/exe'
	show_run "$NSRUN" -f -u
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 1 ]
	[ "${lines[1]}" = "$NSRUN" ]
}

# --- the sealed init stage --------------------------------------------------

# Start "$@" -- touch $TEST_TMP/ran with --block-fd 7 on a fifo; sets
# NSRUN_PID, INIT_PID and HOLD (the fd that releases it).
start_blocked() {
	mkfifo "$TEST_TMP/block"
	# Read-write: opening never blocks, and the read end below neither.
	exec {HOLD}<>"$TEST_TMP/block"
	bg_start blocked "$@" --block-fd 7 -- touch "$TEST_TMP/ran" 7<"$TEST_TMP/block" {HOLD}>&-
	NSRUN_PID=$BG_PID
	retry 10 eval '[[ -n $(staged_child $NSRUN_PID) ]]'
	INIT_PID=$(staged_child "$NSRUN_PID")
	# Wait until it has executed the init stage (it blocks there).
	retry 10 eval '[[ $(readlink /proc/$INIT_PID/exe) == /memfd:* ]]'
}

release_blocked() {
	echo go >&"$HOLD"
	exec {HOLD}>&-
	bg_wait "$NSRUN_PID" 10
	cat "$TEST_TMP/blocked.err"
	[ "$BG_STATUS" -eq 0 ]
	[ -e "$TEST_TMP/ran" ]
}

# Opening PID's executable for writing (appending, so nothing is truncated
# even if it wrongly succeeded) must fail.
assert_exe_not_writable() {
	local pid=$1
	run sh -c 'exec 4>>"/proc/$1/exe"' sh "$pid"
	echo "# open /proc/$pid/exe for writing: status $status: $output"
	[ "$status" -ne 0 ]
	run sh -c 'printf x >>"/proc/$1/exe"' sh "$pid"
	echo "# append to /proc/$pid/exe: status $status: $output"
	[ "$status" -ne 0 ]
}

@test "-p: the init stage's /proc/PID/exe is a sealed memfd, not writable (root)" {
	local before
	before=$(cksum <"$NSRUN")
	start_blocked "$NSRUN" -Urp
	local exe
	exe=$(readlink "/proc/$INIT_PID/exe")
	echo "# init $INIT_PID exe: $exe"
	[[ $exe == /memfd:nsrun* ]]
	# Blocked before the exec: the command has not run.
	[ ! -e "$TEST_TMP/ran" ]
	assert_exe_not_writable "$INIT_PID"
	# The launcher runs the binary on disk; that one is unchanged.
	[ "$(readlink "/proc/$NSRUN_PID/exe")" = "$NSRUN" ]
	release_blocked
	[ "$(cksum <"$NSRUN")" = "$before" ]
	cmp "$NSRUN" "$NSRUN_ORIG"
}

@test "-p: the init stage of an unprivileged nsrun is a sealed memfd, not writable" {
	local before
	before=$(cksum <"$NSRUN")
	start_blocked as_nobody "$NSRUN" -Urp
	[[ $(readlink "/proc/$INIT_PID/exe") == /memfd:nsrun* ]]
	[ ! -e "$TEST_TMP/ran" ]
	assert_exe_not_writable "$INIT_PID"
	release_blocked
	[ "$(cksum <"$NSRUN")" = "$before" ]
}

@test "-f: the command's child stage also runs from the sealed memfd" {
	start_blocked "$NSRUN" -Ur -f
	[[ $(readlink "/proc/$INIT_PID/exe") == /memfd:nsrun* ]]
	[ ! -e "$TEST_TMP/ran" ]
	assert_exe_not_writable "$INIT_PID"
	release_blocked
}

@test "--block-fd in place: the command waits for data on the fd, then runs" {
	mkfifo "$TEST_TMP/block"
	exec {HOLD}<>"$TEST_TMP/block"
	bg_start blocked "$NSRUN" -Ur --block-fd 7 -- touch "$TEST_TMP/ran" 7<"$TEST_TMP/block" {HOLD}>&-
	NSRUN_PID=$BG_PID
	# Past the unshare it waits in read(2) on the fifo, still nsrun.
	retry 10 eval '[[ $(readlink /proc/$NSRUN_PID/ns/user) != "$(readlink /proc/self/ns/user)" ]]'
	# Give a command that does not wait the time to run.
	sleep 0.2
	[ "$(readlink "/proc/$NSRUN_PID/exe")" = "$NSRUN" ]
	[ ! -e "$TEST_TMP/ran" ]
	release_blocked
}

@test "--block-fd: EOF on the fd also releases the command (staged)" {
	start_blocked "$NSRUN" -Urp
	exec {HOLD}>&-
	bg_wait "$NSRUN_PID" 10
	[ "$BG_STATUS" -eq 0 ]
	[ -e "$TEST_TMP/ran" ]
}

# --- descriptors ------------------------------------------------------------

# The descriptors the command sees, as "0 1 2 3 ..." (ls opens one itself).
fds_inside() {
	run_t "$@" ls /proc/self/fd
	show_run "$@"
	[ "$status" -eq 0 ]
	FDS=$(tr '\n' ' ' <<<"$output" | sed 's/ $//')
	echo "# descriptors: $FDS"
}

@test "descriptors: only 0, 1 and 2 reach the command, on every path (root)" {
	local map='0 0 1,1 100000 65536'
	fds_inside "$NSRUN" -Ur -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
	fds_inside "$NSRUN" -Urn -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
	fds_inside "$NSRUN" -Ur -f -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
	fds_inside "$NSRUN" -Urp -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
	# Written from outside: a helper process in place, the launcher staged.
	fds_inside "$NSRUN" -M "$map" -G "$map" -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
	fds_inside "$NSRUN" -M "$map" -G "$map" -p -- 5</dev/null 6>/dev/null
	[ "$FDS" = "0 1 2 3" ]
}

@test "descriptors: only 0, 1 and 2 reach the command, on every path (uid 65534)" {
	local path
	for path in "" -f -p; do
		fds_inside as_nobody "$NSRUN" -Ur $path -- 5</dev/null
		[ "$FDS" = "0 1 2 3" ]
	done
}

@test "descriptors: only 0, 1 and 2 reach the command with --map-auto (nsrun-test)" {
	local path
	for path in "" -p; do
		fds_inside as_test_user "$NSRUN" --map-auto $path -- 5</dev/null
		[ "$FDS" = "0 1 2 3" ]
	done
}

@test "--keep-fd 5: the command inherits fd 5 and reads from it (root and uid 65534)" {
	echo kept-fd-content >"$TEST_TMP/data"
	chmod 0644 "$TEST_TMP/data"
	local w path
	for w in "" as_nobody; do
		for path in "" -p -f; do
			fds_inside $w "$NSRUN" -Ur $path --keep-fd 5 -- 5<"$TEST_TMP/data" 6</dev/null
			[ "$FDS" = "0 1 2 3 5" ]
			run_t $w "$NSRUN" -Ur $path --keep-fd 5 -- sh -c 'cat <&5' 5<"$TEST_TMP/data"
			show_run $w "$NSRUN" -Ur $path --keep-fd 5
			[ "$status" -eq 0 ]
			[ "$output" = kept-fd-content ]
			# Without --keep-fd it is gone.
			run_t $w "$NSRUN" -Ur $path -- sh -c 'cat <&5' 5<"$TEST_TMP/data"
			show_run $w "$NSRUN" -Ur $path
			[ "$status" -ne 0 ]
			[[ $output != *kept-fd-content* ]]
		done
	done
}

# --- -v -----------------------------------------------------------------------

@test "-v, staged: clone, maps, stage entered, exec and the end on stderr, in order, each with its duration" {
	run_t --separate-stderr "$NSRUN" -v -Urp -- sh -c 'echo hello'
	show_run "$NSRUN" -v -Urp
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	local uid gid
	uid=$(id -u)
	gid=$(id -g)
	local -a want=(
		"^nsrun: clone: pid ([0-9]+) in new namespaces: user,pid; the init stage (runs in it|re-executes nsrun) \\([0-9]+\\.[0-9]{3} ms\\)$"
		"^nsrun: uid_map written: 0 $uid 1 \\([0-9]+\\.[0-9]{3} ms\\)$"
		"^nsrun: gid_map written: 0 $gid 1 \\([0-9]+\\.[0-9]{3} ms\\)$"
		"^nsrun:init: stage entered as pid 1 \\([0-9]+\\.[0-9]{3} ms\\)$"
		"^nsrun:init: exec sh( \\(/.*/sh\\) through the exec shim)? \\([0-9]+\\.[0-9]{3} ms\\)$"
		"^nsrun: pid ([0-9]+) ended, exit status 0 \\([0-9]+\\.[0-9]{3} ms\\)$"
	)
	local i=0 line clone_pid="" end_pid=""
	for line in "${stderr_lines[@]}"; do
		if ((i < ${#want[@]})) && [[ $line =~ ${want[i]} ]]; then
			((i == 0)) && clone_pid=${BASH_REMATCH[1]}
			((i == 5)) && end_pid=${BASH_REMATCH[1]}
			i=$((i + 1))
		fi
	done
	echo "# matched $i of ${#want[@]} steps in order"
	[ "$i" -eq "${#want[@]}" ]
	[ "$clone_pid" = "$end_pid" ]
	# Nothing but trace lines.
	local other
	other=$(printf '%s\n' "${stderr_lines[@]}" | grep -v '^nsrun\(:init\)\?: ' || true)
	[ -z "$other" ]
}

@test "-v, in place: unshare, maps and exec on stderr, in order (root and uid 65534)" {
	local w uid
	for w in "" as_nobody; do
		uid=$(id -u)
		[[ -n $w ]] && uid=$NOBODY_UID
		run_t --separate-stderr $w "$NSRUN" -v -Urn -- true
		show_run $w "$NSRUN" -v -Urn
		[ "$status" -eq 0 ]
		local -a want=(
			"^nsrun: unshare: user,net \\([0-9]+\\.[0-9]{3} ms\\)$"
			"^nsrun: uid_map written: 0 $uid 1 \\([0-9]+\\.[0-9]{3} ms\\)$"
			"^nsrun: exec true \\([0-9]+\\.[0-9]{3} ms\\)$"
		)
		local i=0 line
		for line in "${stderr_lines[@]}"; do
			if ((i < ${#want[@]})) && [[ $line =~ ${want[i]} ]]; then
				i=$((i + 1))
			fi
		done
		echo "# matched $i of ${#want[@]} steps in order"
		[ "$i" -eq "${#want[@]}" ]
		# In place: no stage, no clone.
		[[ $stderr != *"nsrun:init"* && $stderr != *clone* ]]
	done
}

@test "-v, --map-auto: the maps are written by newuidmap and newgidmap" {
	run_t --separate-stderr as_test_user "$NSRUN" -v --map-auto -- true
	show_run as_test_user "$NSRUN" -v --map-auto
	[ "$status" -eq 0 ]
	[[ $stderr == *"nsrun: uid_map written by newidmap: 0 $TEST_USER_UID 1,1 $(subid_range /etc/subuid)"* ]]
	[[ $stderr == *"nsrun: gid_map written by newidmap: 0 $TEST_USER_GID 1,1 $(subid_range /etc/subgid)"* ]]
}

@test "without -v: nothing on stderr (in place and staged)" {
	local path
	for path in "" -p; do
		run_t --separate-stderr "$NSRUN" -Ur $path -- true
		show_run "$NSRUN" -Ur $path
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
	done
}
