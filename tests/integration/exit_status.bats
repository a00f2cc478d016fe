#!/usr/bin/env bats
# nsrun's exit status: the command's own, 128+N for signal N, 126 when the
# command cannot run, 127 when it is not found; on the in-place path and on
# the staged paths (-p, -f).

load helpers

# Paths tested everywhere: in place, staged as PID 1, staged without PID ns.
PATHS=("" -p -f)

# expect_status STATUS MESSAGE CMD...: run CMD on every path as root and as
# 65534; nsrun must exit with STATUS. An empty MESSAGE: nothing on stderr;
# otherwise stderr is one line that starts with MESSAGE.
expect_status() {
	local want=$1 message=$2
	shift 2
	local w path
	for w in "" as_nobody; do
		for path in "${PATHS[@]}"; do
			run_t --separate-stderr $w "$NSRUN" -Ur $path -- "$@"
			show_run $w "$NSRUN" -Ur $path -- "$@"
			[ "$status" -eq "$want" ]
			if [[ -z $message ]]; then
				[ -z "$stderr" ]
			else
				[ "${#stderr_lines[@]}" -eq 1 ]
				[[ ${stderr_lines[0]} == "$message"* ]]
			fi
		done
	done
}

@test "the command's exit status is nsrun's: 0, 1, 7, 255" {
	expect_status 0 "" true
	expect_status 1 "" false
	expect_status 7 "" sh -c 'exit 7'
	expect_status 255 "" sh -c 'exit 255'
}

@test "the command's output passes through, with its status" {
	run_t "$NSRUN" -Urp -- sh -c 'echo out; echo err >&2; exit 3'
	show_run "$NSRUN" -Urp
	[ "$status" -eq 3 ]
	[ "$output" = "out"$'\n'"err" ]
}

# expect_killed SIG STATUS: the command kills itself with kill -SIG, in
# place and with -f, as root and as 65534; nsrun must exit with STATUS.
expect_killed() {
	local sig=$1 want=$2 w path
	for w in "" as_nobody; do
		for path in "" -f; do
			run_t $w "$NSRUN" -Ur $path -- sh -c "kill -$sig \$\$; sleep 5"
			show_run $w "$NSRUN" -Ur $path
			[ "$status" -eq "$want" ]
		done
	done
}

@test "killed by SIGUSR1: 138, in place and -f (root and uid 65534)" { expect_killed USR1 138; }

@test "killed by SIGKILL: 137, in place and -f (root and uid 65534)" { expect_killed 9 137; }

@test "-p: the PID 1 command killed from outside by SIGKILL: 137 (root and uid 65534)" {
	local w
	for w in "" as_nobody; do
		bg_start sandbox $w "$NSRUN" -Urp -- sleep 1000
		local pid=$BG_PID
		wait_staged_sleep "$pid"
		kill -KILL "$STAGED_PID"
		bg_wait "$pid" 10
		cat "$TEST_TMP/sandbox.err"
		[ "$BG_STATUS" -eq 137 ]
	done
}

@test "a file without execute permission: 126, message names it" {
	printf '#!/bin/sh\necho ran\n' >"$TEST_TMP/noexec"
	chmod 0644 "$TEST_TMP/noexec"
	expect_status 126 "nsrun: $TEST_TMP/noexec: " "$TEST_TMP/noexec"
	[[ $output != *ran* ]]
}

@test "a directory: 126, message names it (nsrun -U -- /tmp)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p -f; do
			run_t --separate-stderr $w "$NSRUN" -U $path -- /tmp
			show_run $w "$NSRUN" -U $path -- /tmp
			[ "$status" -eq 126 ]
			[ "${#stderr_lines[@]}" -eq 1 ]
			[[ ${stderr_lines[0]} == "nsrun: /tmp: "* ]]
		done
	done
}

@test "a command name not in PATH: 127, message names it" {
	# Only directories every user can search: execvp(3) reports EACCES, not
	# ENOENT, when one in PATH is not (as env(1) and sh(1) do too).
	local PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	expect_status 127 "nsrun: nsrun-it-no-such-command: " nsrun-it-no-such-command
}

@test "a command path that does not exist: 127, message names it" {
	expect_status 127 "nsrun: $TEST_TMP/no-such-file: " "$TEST_TMP/no-such-file"
	expect_status 127 "nsrun: $TEST_TMP/no-such-dir/cmd: " "$TEST_TMP/no-such-dir/cmd"
}

@test "the command is looked up in the PATH nsrun was given" {
	mkdir "$TEST_TMP/bin"
	printf '#!/bin/sh\necho found-in-path\n' >"$TEST_TMP/bin/nsrun-it-cmd"
	chmod 0755 "$TEST_TMP/bin/nsrun-it-cmd"
	local path
	for path in "" -p; do
		run_t env PATH="$TEST_TMP/bin:$PATH" "$NSRUN" -Ur $path -- nsrun-it-cmd
		show_run "$NSRUN" -Ur $path -- nsrun-it-cmd
		[ "$status" -eq 0 ]
		[ "$output" = found-in-path ]
	done
}
