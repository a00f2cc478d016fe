#!/usr/bin/env bats
# What a sandboxed program must not do to its caller, and what the user is
# told when nsrun has to deviate from what was asked: keystrokes typed into
# the caller's terminal (TIOCSTI), the uid a mapped root gets in place, a
# working directory that is not in the sandbox, a command the OOM killer
# ended.

load helpers

# A program that tries to type into its terminal and reports each ioctl's
# result: "TIOCSTI ok" or "TIOCSTI <errno name>", then the same for
# TIOCLINUX and for an ordinary ioctl that must keep working.
write_tty_probe() {
	cat >"$TEST_TMP/tty-probe.py" <<-'EOF'
		import ctypes, errno, termios
		libc = ctypes.CDLL(None, use_errno=True)
		for name, req, arg in (("TIOCSTI", termios.TIOCSTI, ctypes.c_char_p(b"#")),
		                       ("TIOCLINUX", 0x541C, ctypes.c_char_p(b"\x02")),
		                       ("TIOCGWINSZ", termios.TIOCGWINSZ, ctypes.create_string_buffer(8))):
		    r = libc.ioctl(0, req, arg)
		    e = ctypes.get_errno()
		    print(name, "ok" if r == 0 else errno.errorcode.get(e, str(e)))
	EOF
	chmod 0644 "$TEST_TMP/tty-probe.py"
	chmod 0755 "$TEST_TMP"
}

# in_pty CMD...: run CMD with a pseudo-terminal as its stdin, stdout and
# controlling terminal (util-linux script), output in $output.
in_pty() {
	local CMD
	_expand_cmd "$@"
	run_t script -qec "$(printf '%q ' "${CMD[@]}")" /dev/null </dev/null
	output=${output//$'\r'/}
}

@test "--seccomp-default: TIOCSTI and TIOCLINUX on the caller's terminal fail with EPERM (root and uid 65534)" {
	write_tty_probe
	local who
	for who in "" as_nobody; do
		in_pty $who "$NSRUN" -Ur --seccomp-default -- /usr/bin/python3 "$TEST_TMP/tty-probe.py"
		show_run $who nsrun -Ur --seccomp-default
		[ "$status" -eq 0 ]
		[[ $output == *"TIOCSTI EPERM"* ]]
		[[ $output == *"TIOCLINUX EPERM"* ]]
		[[ $output == *"TIOCGWINSZ ok"* ]]
	done
}

@test "without the default profile or a new session, the terminal is the caller's: TIOCSTI works (the hole --sandbox closes)" {
	# The probe: without protection the injection reaches the terminal,
	# so the tests above check something real on this kernel.
	[[ $(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null) == 1 ]] ||
		skip "TIOCSTI is off in this kernel (dev.tty.legacy_tiocsti)"
	write_tty_probe
	in_pty "$NSRUN" -Ur -- /usr/bin/python3 "$TEST_TMP/tty-probe.py"
	show_run nsrun -Ur
	[[ $output == *"TIOCSTI ok"* ]]
}

@test "in place, a user namespace whose map holds 0 runs the command as root there, as the staged path does" {
	local path
	for path in "" -p; do
		run_t "$NSRUN" -U -M '0 100000 65536' -G '0 100000 65536' $path -- id -u
		show_run nsrun -U -M '0 100000 65536' -G '0 100000 65536' $path
		[ "$status" -eq 0 ]
		[ "$output" = 0 ]
	done
}

@test "a working directory not in the sandbox: one warning, and the command starts in \$HOME, else /" {
	mkdir -p "$TEST_TMP/elsewhere"
	cd "$TEST_TMP/elsewhere"
	run_t --separate-stderr env HOME=/root "$NSRUN" --sandbox -- pwd
	show_run nsrun --sandbox -- pwd
	[ "$status" -eq 0 ]
	[ "$output" = /root ]
	[ "$stderr" = "nsrun: warning: the working directory $TEST_TMP/elsewhere is not in the sandbox: the command starts in /root" ]
	run_t --separate-stderr env HOME=/no/such/home "$NSRUN" --sandbox -- pwd
	[ "$output" = / ]
	[[ $stderr == *"the command starts in /" ]]
	# A directory that is there says nothing.
	cd /
	run_t --separate-stderr "$NSRUN" --sandbox -- pwd
	[ "$output" = / ]
	[ -z "$stderr" ]
}

@test "a command the out-of-memory killer ends: nsrun says so and keeps its status" {
	run_t --separate-stderr "$NSRUN" -Ur --memory 24m -- \
		/usr/bin/python3 -c 'b = bytearray(200 << 20); print("allocated")'
	show_run nsrun -Ur --memory 24m
	[ "$status" -eq 137 ]
	[ "$stderr" = "nsrun: killed by the out-of-memory killer (memory limit 24 MiB)" ]
	# A command killed otherwise is not blamed on memory.
	run_t --separate-stderr "$NSRUN" -Ur --memory 24m -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	[ -z "$stderr" ]
}

@test "--new-session (on with --sandbox): TIOCSTI on the terminal fails, in place and staged, root and uid 65534; --no-new-session keeps it" {
	[[ $(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null) == 1 ]] ||
		skip "TIOCSTI is off in this kernel (dev.tty.legacy_tiocsti)"
	write_tty_probe
	local who path
	for who in "" as_nobody; do
		for path in "" -p; do
			in_pty $who "$NSRUN" -Ur $path --new-session -- /usr/bin/python3 "$TEST_TMP/tty-probe.py"
			show_run $who nsrun -Ur $path --new-session
			[ "$status" -eq 0 ]
			[[ $output == *"TIOCSTI EPERM"* ]]
		done
		# --sandbox has both: the new session and the profile.
		in_pty $who "$NSRUN" --sandbox --ro-bind "$TEST_TMP" "$TEST_TMP" -- \
			/usr/bin/python3 "$TEST_TMP/tty-probe.py"
		show_run $who nsrun --sandbox
		[[ $output == *"TIOCSTI EPERM"* ]]
		[[ $output == *"TIOCGWINSZ"* ]]
		# Without the session nor the profile, for a job-control shell.
		echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$TEST_TMP/allow-all.json"
		chmod 0644 "$TEST_TMP/allow-all.json"
		in_pty $who "$NSRUN" --sandbox --ro-bind "$TEST_TMP" "$TEST_TMP" --no-new-session \
			--seccomp "$TEST_TMP/allow-all.json" -- \
			/usr/bin/python3 "$TEST_TMP/tty-probe.py"
		show_run $who nsrun --sandbox --no-new-session
		[[ $output == *"TIOCSTI ok"* ]]
	done
}
