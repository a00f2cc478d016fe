#!/usr/bin/env bats
# Attacks of the CVE-2019-5736 class: from inside a sandbox, open the
# executable of nsrun's own process (/proc/1/exe of the --init stage, or of
# the stage waiting on --block-fd) or of the command (/proc/self/exe) for
# writing, to overwrite the host's nsrun binary. The init stage runs from a
# sealed memfd copy: its exe is that copy, it cannot be opened for writing,
# and the binary on disk never changes.

load helpers
load sandbox_helpers
load attack_helpers

# F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
SEALS_NEEDED=$((0x1 | 0x2 | 0x4 | 0x8))

# assert_sealed: the output has "seals: 0xN" with every seal of SEALS_NEEDED.
assert_sealed() {
	local l seals=""
	for l in "${lines[@]}"; do
		[[ $l == "seals: 0x"* ]] && seals=${l#seals: }
	done
	echo "# seals of /proc/1/exe: ${seals:-none}"
	[[ -n $seals ]]
	(((seals & SEALS_NEEDED) == SEALS_NEEDED))
}

@test "exe: inside --sandbox --init, PID 1 runs the sealed memfd and neither /proc/1/exe nor /proc/self/exe opens for writing (4 variants)" {
	local before v
	before=$(cksum <"$NSRUN")
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" --init -- /bin/sh -c '
			echo "pid 1 comm: $(cat /proc/1/comm)"
			echo "pid 1 exe: $(readlink /proc/1/exe)"
			exec "$0" seals /proc/1/exe -- open /proc/1/exe w -- open /proc/1/exe rw -- \
				open /proc/1/exe a -- reopen-write /proc/1/exe -- \
				open /proc/self/exe w -- open /proc/self/exe rw' "$PROBE"
		show_run "$v:" nsrun --sandbox --init -- probe open /proc/1/exe w ...
		# The probe exits 1: some step failed.
		[ "$status" -eq 1 ]
		assert_line_is "pid 1 comm: nsrun:init"
		# Five opens for writing and the reopen, all refused.
		local n
		n=$(grep -cE '^(open|reopen-write: (open|reopen|write)): errno ' <<<"$output")
		[ "$n" -eq 6 ]
		assert_no_line_like "open: ok"
		assert_no_line_like "reopen-write*: ok"
		if variant_is_root "$v"; then
			# PID 1 and the command share the uid: the exe is readable,
			# and it is the memfd, sealed against writes.
			assert_line_is "pid 1 exe: /memfd:nsrun (deleted)"
			assert_sealed
			# Busy: PID 1 runs it (the probe's own exe is busy too, or
			# not the inside uid's for 65534).
			[ "$(grep -c "^open: $E_TXTBSY" <<<"$output")" -ge 3 ]
			assert_line_is "reopen-write: reopen: $E_TXTBSY"
		else
			# Another uid: not even readable.
			assert_line_is "seals: open: $E_ACCES"
		fi
	done
	[ "$(cksum <"$NSRUN")" = "$before" ]
	cmp "$NSRUN" "$NSRUN_ORIG"
}

# start_blocked_sandbox [as_nobody]: --sandbox with --block-fd 7 on a fifo,
# the command /bin/true. Sets NSRUN_PID, INIT_PID and HOLD (writing to it
# releases the command).
start_blocked_sandbox() {
	mkfifo "$TEST_TMP/block"
	exec {HOLD}<>"$TEST_TMP/block"
	bg_n blocked $1 --sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK" --block-fd 7 -- /bin/true \
		7<"$TEST_TMP/block" {HOLD}>&-
	NSRUN_PID=$BG_PID
	retry 10 eval '[[ -n $(staged_child $NSRUN_PID) ]]'
	INIT_PID=$(staged_child "$NSRUN_PID")
	retry 10 eval '[[ $(readlink /proc/$INIT_PID/exe) == /memfd:* ]]'
	# Past the set-up: its root is the new one (only the new root has
	# $IN_ATTACK/probe).
	retry 10 test -x "/proc/$INIT_PID/root$PROBE"
}

release_blocked_sandbox() {
	echo go >&"$HOLD"
	exec {HOLD}>&-
	rm -f "$TEST_TMP/block"
	bg_wait "$NSRUN_PID" 10
	cat "$TEST_TMP/blocked.err"
	[ "$BG_STATUS" -eq 0 ]
}

@test "exe: while the init stage waits on --block-fd, a process that joins the sandbox cannot open /proc/1/exe for writing (root and 65534)" {
	local before w
	before=$(cksum <"$NSRUN")
	for w in "" as_nobody; do
		start_blocked_sandbox $w
		echo "# init stage $INIT_PID: $(readlink "/proc/$INIT_PID/exe")"
		# As a second process would, entering the sandbox's user, mount and
		# PID namespaces: root there, all capabilities.
		run_t $w nsenter --preserve-credentials -t "$INIT_PID" -U -m -p -- "$PROBE" \
			status -- seals /proc/1/exe -- open /proc/1/exe w -- open /proc/1/exe rw -- \
			open /proc/1/exe a -- reopen-write /proc/1/exe
		show_run "$(who $w):" nsenter -t INIT -U -m -p -- probe open /proc/1/exe w ...
		[ "$status" -eq 1 ]
		assert_line_is "uid 0 euid 0"
		assert_sealed
		assert_line_count 3 "open: $E_TXTBSY"
		assert_line_is "reopen-write: reopen: $E_TXTBSY"
		assert_no_line_like "open: ok"
		release_blocked_sandbox
	done
	[ "$(cksum <"$NSRUN")" = "$before" ]
	cmp "$NSRUN" "$NSRUN_ORIG"
}

@test "exe: without --init the command is PID 1: /proc/1/exe is the command's binary, never nsrun's, and not writable (4 variants)" {
	local before v
	before=$(cksum <"$NSRUN")
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- "$PROBE" open /proc/1/exe w -- open /proc/1/exe rw -- \
			open /proc/self/exe a
		show_run "$v:" nsrun --sandbox -- probe open /proc/1/exe w ...
		[ "$status" -eq 1 ]
		# ETXTBSY (a running binary), or EACCES for a uid that does not
		# own it.
		[ "$(grep -c '^open: errno ' <<<"$output")" -eq 3 ]
		assert_no_line_like "open: ok"
		run_n $W "${SB[@]}" -- /bin/sh -c 'readlink /proc/1/exe; readlink /proc/self/exe'
		show_run "$v:" nsrun --sandbox -- readlink /proc/1/exe
		[ "$status" -eq 0 ]
		# The shell (PID 1) and readlink (itself): host binaries, not nsrun.
		[[ ${lines[0]} == */sh || ${lines[0]} == */dash || ${lines[0]} == */bash ]]
		[[ ${lines[1]} == */readlink ]]
		[[ $output != *nsrun* ]]
	done
	[ "$(cksum <"$NSRUN")" = "$before" ]
}
