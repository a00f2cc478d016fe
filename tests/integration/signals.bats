#!/usr/bin/env bats
# Signals on the staged path: nsrun forwards them to the command; when nsrun
# itself is killed, nothing of the sandbox survives.

load helpers

# The command: a shell that traps SIG, says so and exits with CODE; it
# creates READY once the trap is in place. The trap also ends its sleep, which
# would outlive it without a PID namespace.
TRAP_SCRIPT='trap "kill \$! 2>/dev/null; echo got $1; exit $2" "$1"; : >"$3"; sleep 1000 & wait $!'

# forward_one [as_nobody] SIG CODE [NSRUN OPTIONS...]: start the trapping
# shell under nsrun, wait until it is ready, send SIG to nsrun, expect the
# trap's output and CODE as nsrun's status.
forward_one() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	local sig=$1 code=$2
	shift 2
	local opts=("$@")
	[[ ${#opts[@]} -gt 0 ]] || opts=(-Urp)
	local ready=$TEST_TMP/ready-$sig
	bg_start "fwd-$sig" $w "$NSRUN" "${opts[@]}" -- sh -c "$TRAP_SCRIPT" sh "$sig" "$code" "$ready"
	local pid=$BG_PID
	if ! retry 10 test -e "$ready"; then
		cat "$TEST_TMP/fwd-$sig.err"
		return 1
	fi
	kill -s "$sig" "$pid"
	bg_wait "$pid" 10
	echo "# $sig: status $BG_STATUS"
	echo "# stdout: $(cat "$TEST_TMP/fwd-$sig.out")"
	echo "# stderr: $(cat "$TEST_TMP/fwd-$sig.err")"
	[ "$BG_STATUS" -eq "$code" ]
	[ "$(cat "$TEST_TMP/fwd-$sig.out")" = "got $sig" ]
}

@test "SIGTERM to nsrun reaches the -p command's trap; its exit status is nsrun's" {
	forward_one TERM 3
}

@test "SIGINT to nsrun reaches the -p command's trap" {
	forward_one INT 4
}

@test "SIGHUP to nsrun reaches the -p command's trap" {
	forward_one HUP 5
}

@test "SIGUSR1 to nsrun reaches the -p command's trap" {
	forward_one USR1 6
}

@test "SIGUSR2 to nsrun reaches the -p command's trap" {
	forward_one USR2 7
}

@test "SIGQUIT and SIGWINCH to nsrun reach the -p command's trap" {
	forward_one QUIT 8
	forward_one WINCH 9
}

@test "signals to an unprivileged nsrun reach the -p command (uid 65534)" {
	forward_one as_nobody TERM 3
	forward_one as_nobody INT 4
	forward_one as_nobody USR1 6
}

@test "-f: forwarded signals reach the command too" {
	forward_one TERM 3 -Ur -f
	forward_one HUP 5 -Ur -f
}

@test "-f: an untrapped forwarded SIGTERM kills the command: 143" {
	bg_start sandbox "$NSRUN" -Ur -f -- sleep 1000
	local pid=$BG_PID child
	wait_staged_sleep "$pid"
	child=$STAGED_PID
	kill -TERM "$pid"
	bg_wait "$pid" 10
	cat "$TEST_TMP/sandbox.err"
	[ "$BG_STATUS" -eq 143 ]
	[ ! -e "/proc/$child" ] || [ "$(proc_state "$child")" = Z ]
}

# --- nsrun killed -------------------------------------------------------------

# kill_launcher [as_nobody] SCRIPT NSLEEP: run sh -c SCRIPT under nsrun -Urp,
# wait until NSLEEP sleep processes run in it, SIGKILL nsrun, and check that
# every process of the sandbox is gone within a few seconds.
kill_launcher() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	local script=$1 nsleep=$2
	bg_start sandbox $w "$NSRUN" -Urp -- sh -c "$script"
	local pid=$BG_PID
	# shellcheck disable=SC2016
	if ! retry 10 eval '[[ $(for d in $(descendants $pid); do cat /proc/$d/comm; done 2>/dev/null |
		grep -cx sleep) -ge $nsleep ]]'; then
		cat "$TEST_TMP/sandbox.err"
		return 1
	fi
	local d id ids=()
	for d in $(descendants "$pid"); do
		id=$(proc_id "$d") || continue
		ids+=("$id")
	done
	echo "# sandbox processes (pid:start): ${ids[*]}"
	[ "${#ids[@]}" -ge "$nsleep" ]
	kill -KILL "$pid"
	bg_wait "$pid" 10
	[ "$BG_STATUS" -eq 137 ]
	for id in "${ids[@]}"; do
		if ! retry 5 eval '! proc_id_alive "$id"'; then
			echo "# still alive: $id ($(cat "/proc/${id%%:*}/cmdline" | tr '\0' ' '))"
			return 1
		fi
	done
}

@test "nsrun killed: the -p command does not survive it" {
	kill_launcher 'exec sleep 1000' 1
}

@test "nsrun killed: the -p command and its child do not survive it" {
	kill_launcher 'sleep 1000 & sleep 1000' 2
}

@test "nsrun killed: an unprivileged sandbox does not survive it (uid 65534)" {
	kill_launcher as_nobody 'sleep 1000 & sleep 1000' 2
}
