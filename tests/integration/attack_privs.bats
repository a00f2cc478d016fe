#!/usr/bin/env bats
# Regaining privileges after --cap-drop ALL --as nobody: executing a
# setuid-root binary and a file-capability binary (no_new_privs, nosuid or
# the empty bounding set stop each), and seccomp: a denied call returns the
# profile's errno.

load helpers
load sandbox_helpers
load attack_helpers

# The capability lines of probe's "status" output following the line
# "== NAME", as "CapPrm CapEff"; empty if that run printed none.
caps_after() {
	sed -n "/^== $1\$/,/^== /p" <<<"$output" | awk '/^CapPrm:/ { p = $2 } /^CapEff:/ { e = $2 } END { if (p != "") print p, e }'
}

# check_exec_result NAME: the probe run after "== NAME" either was refused
# (exec failed with EPERM: a file capability the kernel could not grant) or
# ran with no capability in its permitted and effective sets.
check_exec_result() {
	local caps block
	block=$(sed -n "/^== $1\$/,/^== /p" <<<"$output")
	caps=$(caps_after "$1")
	echo "# $1: ${caps:-no status: $(tr '\n' ' ' <<<"$block")}"
	if [[ -z $caps ]]; then
		[[ $block == *"Operation not permitted"* ]]
	else
		[ "$caps" = "0000000000000000 0000000000000000" ]
	fi
}

# SUID_DIR: suid-probe (setuid, owned by OWNER) and, if setcap works,
# fcap-probe with cap_net_raw,cap_sys_admin+ep. FCAP is 1 if it does.
make_suid_dir() {
	local owner=$1
	SUID_DIR=$TEST_TMP/suid
	mkdir -p "$SUID_DIR"
	chmod 0755 "$SUID_DIR"
	install -m 0755 "$ATTACK_DIR/probe" "$SUID_DIR/suid-probe"
	chown "$owner" "$SUID_DIR/suid-probe"
	chmod 4755 "$SUID_DIR/suid-probe"
	install -m 0755 "$ATTACK_DIR/probe" "$SUID_DIR/fcap-probe"
	chown "$owner" "$SUID_DIR/fcap-probe"
	FCAP=0
	if ! command -v setcap >/dev/null; then
		apt-get install -y libcap2-bin >/dev/null 2>&1 || true
	fi
	if command -v setcap >/dev/null && setcap cap_net_raw,cap_sys_admin+ep "$SUID_DIR/fcap-probe"; then
		FCAP=1
	else
		echo "# setcap is not available: the file-capability binary is not tested" >&3
	fi
	[ "$(stat -c %a "$SUID_DIR/suid-probe")" = 4755 ]
}

# The command for the sandboxes: mount flags of /tmp and of the bound
# directory, then each binary's "status" after "== NAME".
EXEC_SCRIPT='
	awk "\$5 == \"/tmp\" || \$5 == \"/tmp/suid\" { print \"mount\", \$5, \$6 }" /proc/self/mountinfo
	echo "== self"; "$0" status
	echo "== suid"; /tmp/suid/suid-probe status 2>&1
	if [ -e /tmp/suid/fcap-probe ]; then echo "== fcap"; /tmp/suid/fcap-probe status 2>&1; fi
	echo "== end"'

# assert_no_regain FCAP: the sandbox's /tmp is nosuid and nodev, the bound
# directory is not nosuid (so the setuid bit counts, mount-wise), and
# neither binary got a capability.
assert_no_regain() {
	[[ $(grep '^mount /tmp ' <<<"$output") == *nosuid*nodev* ]]
	[[ $(grep '^mount /tmp/suid ' <<<"$output") != *nosuid* ]]
	[ "$(caps_after self)" = "0000000000000000 0000000000000000" ]
	check_exec_result suid
	if [[ $1 == 1 ]]; then
		check_exec_result fcap
	fi
}

@test "privs: after --cap-drop ALL --as nobody a setuid-root and a file-capability binary gain nothing (root: --sandbox, and without seccomp, where no_new_privs is off)" {
	make_suid_dir 0:0
	# --sandbox: seccomp without CAP_SYS_ADMIN sets no_new_privs.
	run_n --sandbox -M "$AS_MAP" -G "$AS_MAP" --ro-bind "$ATTACK_DIR" "$IN_ATTACK" \
		--bind "$SUID_DIR" /tmp/suid --cap-drop ALL --as nobody -- /bin/sh -c "$EXEC_SCRIPT" "$PROBE"
	show_run nsrun --sandbox -M AS_MAP --bind SUID /tmp/suid --cap-drop ALL --as nobody
	[ "$status" -eq 0 ]
	assert_line_is "NoNewPrivs:	1"
	assert_line_is "uid 65534 euid 65534"
	assert_no_regain "$FCAP"
	# The same sandbox without seccomp: no no_new_privs; the setuid bit
	# makes euid 0, the empty bounding set keeps the capabilities away.
	run_n -a -M "$AS_MAP" -G "$AS_MAP" --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp \
		--ro-bind "$ATTACK_DIR" "$IN_ATTACK" --bind "$SUID_DIR" /tmp/suid --cap-drop ALL --as nobody -- \
		/bin/sh -c "$EXEC_SCRIPT" "$PROBE"
	show_run nsrun -a -M AS_MAP --ro-bind / / ... --cap-drop ALL --as nobody
	[ "$status" -eq 0 ]
	assert_line_is "NoNewPrivs:	0"
	[[ $(sed -n '/^== suid$/,/^== /p' <<<"$output") == *"euid 0"* ]]
	assert_no_regain "$FCAP"
}

@test "privs: the same for nsrun-test with --map-auto, whose own setuid file is setuid-root inside (--sandbox and without seccomp)" {
	make_suid_dir "$TEST_USER_UID:$TEST_USER_GID"
	local sb
	for sb in with-seccomp without-seccomp; do
		local opts=(--sandbox)
		[[ $sb == without-seccomp ]] && opts=(-a --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp)
		run_n as_test_user "${opts[@]}" --map-auto --ro-bind "$ATTACK_DIR" "$IN_ATTACK" \
			--bind "$SUID_DIR" /tmp/suid --cap-drop ALL --as nobody -- \
			/bin/sh -c 'ls -ln /tmp/suid/suid-probe | awk "{ print \"owner\", \$3 }"; '"$EXEC_SCRIPT" "$PROBE"
		show_run "nsrun-test $sb:" nsrun "${opts[@]}" --map-auto --bind SUID /tmp/suid --cap-drop ALL --as nobody
		[ "$status" -eq 0 ]
		# Root's inside: the setuid bit would make euid 0.
		assert_line_is "owner 0"
		assert_line_is "uid 65534 euid 65534"
		assert_no_regain "$FCAP"
		if [[ $sb == without-seccomp ]]; then
			[[ $(sed -n '/^== suid$/,/^== /p' <<<"$output") == *"euid 0"* ]]
		fi
	done
}

@test "privs: a setuid-root copy made in the sandbox's own /tmp (nosuid) gives a user switched to 65534 nothing (root and nsrun-test)" {
	local w opts
	for w in "" as_test_user; do
		opts=(-M "$AS_MAP" -G "$AS_MAP")
		[[ $w == as_test_user ]] && opts=(--map-auto)
		# Root inside (every capability, no no_new_privs) copies the probe,
		# makes it setuid-root, switches to 65534 and runs it.
		# CAP_SYS_ADMIN back: without it the seccomp filter would set
		# no_new_privs, and this is about nosuid alone.
		run_n $w --sandbox --cap-add SYS_ADMIN "${opts[@]}" --ro-bind "$ATTACK_DIR" "$IN_ATTACK" -- /bin/sh -c '
			cp "$0" /tmp/p && chmod 4755 /tmp/p && ls -ln /tmp/p | awk "{ print \$1, \$3 }"
			awk "\$5 == \"/tmp\" { print \"mount\", \$5, \$6 }" /proc/self/mountinfo
			grep "^NoNewPrivs:" /proc/self/status
			echo "== copy"; setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/p status
			echo "== end"' "$PROBE"
		show_run "$(who $w):" nsrun --sandbox "${opts[@]}" -- 'cp probe /tmp/p; chmod 4755 /tmp/p; setpriv --reuid=65534 /tmp/p'
		[ "$status" -eq 0 ]
		assert_line_is "-rwsr-xr-x 0"
		assert_line_is "NoNewPrivs:	0"
		[[ $(grep '^mount /tmp ' <<<"$output") == *nosuid* ]]
		# nosuid: the setuid bit is ignored.
		assert_line_is "uid 65534 euid 65534"
		check_exec_result copy
	done
}

# --- seccomp --------------------------------------------------------------------

@test "seccomp: a custom profile denying getcwd and uname with errnoRet 42: the program sees errno 42, other calls work (4 variants)" {
	cat >"$TEST_TMP/e42.json" <<-'EOF'
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [
				{ "names": ["getcwd", "uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42 }
			]
		}
	EOF
	chmod 0644 "$TEST_TMP/e42.json"
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		# A later --seccomp replaces --sandbox's default profile.
		run_n $W "${SB[@]}" --seccomp "$TEST_TMP/e42.json" -- "$PROBE" getcwd -- uname -- getpid -- status
		show_run "$v:" nsrun --sandbox --seccomp e42.json -- probe getcwd -- uname -- getpid
		[ "$status" -eq 1 ]
		assert_line_is "getcwd: errno 42 (ENOMSG)"
		assert_line_is "uname: errno 42 (ENOMSG)"
		assert_line_is "getpid: ok"
		assert_line_is "Seccomp:	2"
	done
	# Without --sandbox too, in place.
	run_n -Ur --seccomp "$TEST_TMP/e42.json" -- "$ATTACK_DIR/probe" getcwd -- uname -- getpid
	show_run nsrun -Ur --seccomp e42.json
	assert_text $'getcwd: errno 42 (ENOMSG)\nuname: errno 42 (ENOMSG)\ngetpid: ok' "$output"
}

@test "seccomp: the default profile gives EPERM for mount and unshare, ENOSYS for an unknown system call number (4 variants, and --seccomp-default alone)" {
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- "$PROBE" mount-tmpfs /tmp -- unshare -- syscall 1023 -- syscall 511 -- getpid
		show_run "$v:" nsrun --sandbox -- probe mount-tmpfs /tmp -- unshare -- syscall 1023
		[ "$status" -eq 1 ]
		assert_text "mount: $E_PERM
unshare: $E_PERM
syscall: $E_NOSYS
syscall: $E_NOSYS
getpid: ok" "$output"
	done
	local w
	for w in "" as_nobody; do
		run_n $w -Ur --seccomp-default -- "$ATTACK_DIR/probe" mount-tmpfs /tmp -- unshare -- syscall 1023
		show_run "$(who $w):" nsrun -Ur --seccomp-default
		assert_text "mount: $E_PERM
unshare: $E_PERM
syscall: $E_NOSYS" "$output"
	done
}
