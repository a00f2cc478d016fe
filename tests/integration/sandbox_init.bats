#!/usr/bin/env bats
# The first process: --init (PID 1 reaper, signal forwarding, exit status),
# --init-group, --die-with-parent and --json-status-fd.

load helpers
load sandbox_helpers

# --- --init -------------------------------------------------------------------

@test "--init with -p: PID 1 is nsrun:init, the command is PID 2, its child (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" -Urp --mount-proc --init -- sh -c 'echo $$ $PPID; cat /proc/1/comm'
		show_run "$(who $w):" nsrun -Urp --mount-proc --init
		[ "$status" -eq 0 ]
		assert_text $'2 1\nnsrun:init' "$output"
		run_t $w "$NSRUN" -Urp -m --rootfs "$ROOTFS" --proc /proc --init -- /bin/sh -c \
			'echo $$ $PPID; cat /proc/1/comm; ps -o pid,comm | awk "NR > 1 { print \$1, \$2 }" | sort -n'
		show_run "$(who $w):" nsrun -Urp --rootfs ROOTFS --proc /proc --init
		[ "$status" -eq 0 ]
		assert_text $'2 1\nnsrun:init\n1 nsrun:init\n2 sh' "$(head -4 <<<"$output")"
	done
}

# The command: two double-forked children (orphans at once) that wait for
# $1/go; prints each orphan's parent, lets them end, then waits (bounded)
# until both are gone from /proc (reaped: a zombie keeps its entry) and
# prints the number of zombies left.
ORPHAN_SCRIPT='
d=$1
(sh -c "while [ ! -e $d/go ]; do sleep 0.05; done" & echo $! >"$d/o1")
(sh -c "while [ ! -e $d/go ]; do sleep 0.05; done" & echo $! >"$d/o2")
o1=$(cat "$d/o1") o2=$(cat "$d/o2")
for o in $o1 $o2; do awk "/^PPid:/ { print \"orphan parent\", \$2 }" /proc/$o/status; done
: >"$d/go"
i=0
while [ -e /proc/$o1 ] || [ -e /proc/$o2 ]; do
	[ $i -lt 200 ] || { echo "not reaped:"; cat /proc/$o1/stat /proc/$o2/stat; exit 1; }
	sleep 0.05
	i=$((i + 1))
done
echo reaped
cat /proc/[0-9]*/stat 2>/dev/null | awk "{ sub(/.*\\) /, \"\"); if (\$1 == \"Z\") n++ } END { print n + 0, \"zombies\" }"
'

@test "--init reaps orphans: double-forked children end and leave no zombie (root and 65534)" {
	local w
	for w in "" as_nobody; do
		rm -f "$TEST_TMP"/o1 "$TEST_TMP"/o2 "$TEST_TMP"/go
		run_t $w "$NSRUN" -Urp --mount-proc --init -- sh -c "$ORPHAN_SCRIPT" sh "$TEST_TMP"
		show_run "$(who $w):" nsrun -Urp --mount-proc --init -- sh -c ORPHAN_SCRIPT
		[ "$status" -eq 0 ]
		assert_text $'orphan parent 1\norphan parent 1\nreaped\n0 zombies' "$output"
	done
}

@test "--init without -p: the init stage is a subreaper, orphans are reparented to it and reaped" {
	run_t "$NSRUN" -Ur --init -- sh -c 'echo "init $PPID"; '"$ORPHAN_SCRIPT" sh "$TEST_TMP"
	show_run nsrun -Ur --init -- sh -c ORPHAN_SCRIPT
	[ "$status" -eq 0 ]
	local init=${lines[0]#init }
	[[ $init =~ ^[0-9]+$ ]]
	[ "${lines[1]}" = "orphan parent $init" ]
	[ "${lines[2]}" = "orphan parent $init" ]
	[ "${lines[3]}" = reaped ]
}

# The command: traps SIG, writes "got SIG" into $3 and exits with CODE; creates
# $4 when the trap is in place.
TRAP_SCRIPT='trap "kill \$! 2>/dev/null; echo got $1 >\"$3\"; exit $2" "$1"; : >"$4"; sleep 1000 & wait $!'

# init_forward [as_nobody] SIG CODE: SIG sent to nsrun --init reaches the
# command's trap; nsrun exits with its CODE.
init_forward() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	local sig=$1 code=$2
	local got=$TEST_TMP/got-$sig ready=$TEST_TMP/ready-$sig
	bg_start "init-$sig" $w "$NSRUN" -Urp --init -- sh -c "$TRAP_SCRIPT" sh "$sig" "$code" "$got" "$ready"
	local pid=$BG_PID
	if ! retry 10 test -e "$ready"; then
		cat "$TEST_TMP/init-$sig.err"
		return 1
	fi
	kill -s "$sig" "$pid"
	bg_wait "$pid" 10
	echo "# $sig: status $BG_STATUS, stderr: $(cat "$TEST_TMP/init-$sig.err")"
	[ "$BG_STATUS" -eq "$code" ]
	[ "$(cat "$got")" = "got $sig" ]
}

@test "--init forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to the command" {
	local sig code=10
	for sig in TERM INT HUP QUIT USR1 USR2 WINCH; do
		init_forward "$sig" "$code"
		code=$((code + 1))
	done
}

@test "--init forwards signals to the command of an unprivileged nsrun (uid 65534)" {
	init_forward as_nobody TERM 21
	init_forward as_nobody INT 22
	init_forward as_nobody WINCH 23
}

# group.sh DIR: the command forks a child in its process group; on SIGUSR1 the
# command writes "parent" and sends SIGUSR2 to the child, which writes "usr2"
# and exits; a SIGUSR1 reaching the child makes it write "grandchild".
GROUP_SCRIPT='
d=$1
trap "echo parent >>\"$d/got\"; kill -USR2 \$child 2>/dev/null" USR1
sh -c "trap \"echo grandchild >>\\\"$d/got\\\"; exit 0\" USR1
	trap \"echo usr2 >>\\\"$d/got\\\"; exit 0\" USR2
	: >\"$d/ready\"
	while :; do sleep 0.05; done" &
child=$!
wait $child
wait $child
exit 0
'

# run_group [as_nobody] OPTION: nsrun -Urp OPTION with GROUP_SCRIPT, SIGUSR1
# to nsrun once the child is ready; sets GOT to what was written, sorted.
run_group() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	rm -f "$TEST_TMP/got" "$TEST_TMP/ready"
	bg_start group $w "$NSRUN" -Urp "$1" -- sh -c "$GROUP_SCRIPT" sh "$TEST_TMP"
	local pid=$BG_PID
	retry 10 test -e "$TEST_TMP/ready" || { cat "$TEST_TMP/group.err"; return 1; }
	kill -USR1 "$pid"
	bg_wait "$pid" 10
	echo "# $1: status $BG_STATUS, stderr: $(cat "$TEST_TMP/group.err")"
	[ "$BG_STATUS" -eq 0 ]
	GOT=$(sort "$TEST_TMP/got" | tr '\n' ' ')
	echo "# written: $GOT"
}

@test "--init-group delivers a forwarded signal to the command's process group; --init to the command only (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_group $w --init-group
		[[ $GOT == *grandchild* ]]
		[[ $GOT == *parent* ]]
		run_group $w --init
		[ "$GOT" = "parent usr2 " ]
	done
}

@test "--init-group: the command leads its own process group; with --init it shares the init's" {
	local pgrp='awk "{ sub(/.*\\) /, \"\"); print \$3 }"'
	run_t "$NSRUN" -Urp --mount-proc --init-group -- sh -c "echo \$\$; $pgrp /proc/\$\$/stat; $pgrp /proc/1/stat"
	show_run nsrun -Urp --mount-proc --init-group
	[ "$status" -eq 0 ]
	# The init's group is outside the namespace: 0 here.
	assert_text $'2\n2\n0' "$output"
	run_t "$NSRUN" -Urp --mount-proc --init -- sh -c "echo \$\$; $pgrp /proc/\$\$/stat; $pgrp /proc/1/stat"
	show_run nsrun -Urp --mount-proc --init
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = "${lines[2]}" ]
}

@test "exit status through --init: the command's own, 128+N when killed by signal N, 127 when not found (root and 65534)" {
	# Only directories every user can search in PATH: execvp(3) reports
	# EACCES, not ENOENT, when one is not (see exit_status.bats).
	local PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	local w pidns
	for w in "" as_nobody; do
		for pidns in -p ""; do
			run_t --separate-stderr $w "$NSRUN" -Ur $pidns --init -- sh -c 'exit 7'
			show_run "$(who $w):" nsrun -Ur $pidns --init -- exit 7
			[ "$status" -eq 7 ]
			[ -z "$stderr" ]
			run_t --separate-stderr $w "$NSRUN" -Ur $pidns --init -- sh -c 'kill -KILL $$'
			show_run "$(who $w):" nsrun -Ur $pidns --init -- kill -KILL '$$'
			[ "$status" -eq 137 ]
			run_t --separate-stderr $w "$NSRUN" -Ur $pidns --init -- sh -c 'kill -TERM $$'
			show_run "$(who $w):" nsrun -Ur $pidns --init -- kill -TERM '$$'
			[ "$status" -eq 143 ]
			run_t --separate-stderr $w "$NSRUN" -Ur $pidns --init -- nsrun-no-such-command
			show_run "$(who $w):" nsrun -Ur $pidns --init -- nsrun-no-such-command
			[ "$status" -eq 127 ]
			[ "${#stderr_lines[@]}" -eq 1 ]
			[[ ${stderr_lines[0]} == "nsrun"*": "*nsrun-no-such-command* ]]
		done
		run_t --separate-stderr $w "$NSRUN" -Urp -m --rootfs "$ROOTFS" --init -- /bin/no-such-command
		show_run "$(who $w):" nsrun -Urp --rootfs ROOTFS --init -- /bin/no-such-command
		[ "$status" -eq 127 ]
		[[ ${stderr_lines[0]} == *"/bin/no-such-command"* ]]
	done
}

# --- --die-with-parent ------------------------------------------------------

# start_under_parent [as_nobody] NSRUN-OPTIONS...: a shell runs nsrun
# NSRUN-OPTIONS -- sleep 1000 in the background and waits; returns once the
# sleep runs. Sets PARENT (the shell) and IDS (proc_ids of every process
# below it).
start_under_parent() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	bg_start parent $w sh -c '"$@" & wait' sh "$NSRUN" "$@" -- sleep 1000
	PARENT=$BG_PID
	# shellcheck disable=SC2016
	if ! retry 10 eval '[[ $(for d in $(descendants $PARENT); do cat /proc/$d/comm; done 2>/dev/null |
		grep -cx sleep) -ge 1 ]]'; then
		cat "$TEST_TMP/parent.err"
		return 1
	fi
	local d id
	IDS=()
	for d in $(descendants "$PARENT"); do
		id=$(proc_id "$d") || continue
		IDS+=("$id")
		STRAY_PIDS+=("$d")
	done
	echo "# under the parent shell: ${IDS[*]}"
}

kill_parent() {
	kill -KILL "$PARENT"
	bg_wait "$PARENT" 10
	[ "$BG_STATUS" -eq 137 ]
}

assert_all_gone() {
	local id
	for id in "${IDS[@]}"; do
		if ! retry 5 eval '! proc_id_alive "$id"'; then
			echo "# still alive: $id ($(tr '\0' ' ' <"/proc/${id%%:*}/cmdline"))"
			return 1
		fi
	done
}

@test "--die-with-parent: the sandbox ends when the shell that started nsrun is killed (staged and in place, root and 65534)" {
	local w path
	for w in "" as_nobody; do
		for path in -p ""; do
			start_under_parent $w -Ur $path --die-with-parent
			[ "${#IDS[@]}" -ge 1 ]
			kill_parent
			assert_all_gone
		done
	done
}

@test "--die-with-parent survives the --as user switch (in place on the host, staged in a user namespace)" {
	start_under_parent --die-with-parent --as nobody
	kill_parent
	assert_all_gone
	start_under_parent -U -M "$AS_MAP" -G "$AS_MAP" -p -m --rootfs "$ROOTFS" --die-with-parent --as app
	kill_parent
	assert_all_gone
}

@test "without --die-with-parent, an in-place sandbox outlives the killed parent shell (the control)" {
	start_under_parent -Ur
	kill_parent
	sleep 0.3
	local id alive=0
	for id in "${IDS[@]}"; do
		proc_id_alive "$id" && alive=$((alive + 1))
	done
	[ "$alive" -ge 1 ]
}

# --- --json-status-fd -------------------------------------------------------

# Waits for $1/go, then exits with $2; says whether fd 5 reached it.
JSON_CMD='[ -e /proc/self/fd/5 ] && echo fd-5-leaked; while [ ! -e "$1/go" ]; do sleep 0.05; done; exit $2'

# json_start [as_nobody] CODE NSRUN-OPTIONS...: nsrun OPTIONS --json-status-fd 5
# in the background, fd 5 on $TEST_TMP/status.json; waits for the first line.
json_start() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	local code=$1
	shift
	rm -f "$TEST_TMP/go"
	: >"$TEST_TMP/status.json"
	chmod 0666 "$TEST_TMP/status.json"
	bg_start json $w "$NSRUN" "$@" --json-status-fd 5 -- sh -c "$JSON_CMD" sh "$TEST_TMP" "$code" \
		5>"$TEST_TMP/status.json"
	NSRUN_PID=$BG_PID
	retry 10 grep -q . "$TEST_TMP/status.json"
	JSON_CHILD=$(head -1 "$TEST_TMP/status.json" | jq -r '."child-pid" // empty')
	echo "# first line: $(head -1 "$TEST_TMP/status.json")"
	[ -n "$JSON_CHILD" ]
}

# json_child_line PID NS...: the first line for PID, with the inode of each
# namespace NS it was given (in bwrap's order, as nsrun writes them).
json_child_line() {
	local pid=$1 ns line
	shift
	line="{\"child-pid\": $pid"
	for ns in "$@"; do
		line+=", \"$ns-namespace\": $(stat -L -c %i "/proc/$pid/ns/$ns")"
	done
	echo "$line}"
}

json_finish() {
	: >"$TEST_TMP/go"
	bg_wait "$NSRUN_PID" 10
	echo "# status $BG_STATUS; stdout: $(cat "$TEST_TMP/json.out"); stderr: $(cat "$TEST_TMP/json.err")"
	echo "# status.json:"
	sed 's/^/#   /' "$TEST_TMP/status.json"
	[ -z "$(cat "$TEST_TMP/json.out")" ]
}

@test "--json-status-fd, staged: child-pid is the host PID of the sandbox's PID 1, then exit-code (root and 65534)" {
	local w
	for w in "" as_nobody; do
		json_start $w 3 -Urp
		[ "$JSON_CHILD" = "$(staged_child "$NSRUN_PID")" ]
		# The same process is PID 1 inside.
		[ "$(awk '/^NSpid:/ { print $2, $3 }' "/proc/$JSON_CHILD/status")" = "$JSON_CHILD 1" ]
		local first
		first=$(json_child_line "$JSON_CHILD" pid user)
		json_finish
		[ "$BG_STATUS" -eq 3 ]
		assert_text "$first
{\"exit-code\": 3}" "$(cat "$TEST_TMP/status.json")"
	done
}

@test "--json-status-fd with --init: child-pid is the init's host PID, exit-code the command's status" {
	json_start 5 -Urp --init
	[ "$JSON_CHILD" = "$(staged_child "$NSRUN_PID")" ]
	[ "$(cat "/proc/$JSON_CHILD/comm")" = nsrun:init ]
	local first
	first=$(json_child_line "$JSON_CHILD" pid user)
	json_finish
	[ "$BG_STATUS" -eq 5 ]
	assert_text "$first
{\"exit-code\": 5}" "$(cat "$TEST_TMP/status.json")"
	# Killed by a signal: 128+N in both places.
	run_t "$NSRUN" -Urp --init --json-status-fd 5 -- sh -c 'kill -KILL $$' 5>"$TEST_TMP/status.json"
	show_run nsrun -Urp --init --json-status-fd 5 -- kill -KILL '$$'
	[ "$status" -eq 137 ]
	[ "$(sed -n 2p "$TEST_TMP/status.json")" = '{"exit-code": 137}' ]
}

@test "--json-status-fd in place: child-pid is nsrun's own PID, which the command keeps" {
	json_start 4 -Ur
	[ "$JSON_CHILD" = "$NSRUN_PID" ]
	local first
	first=$(json_child_line "$NSRUN_PID" user)
	json_finish
	[ "$BG_STATUS" -eq 4 ]
	[ "$(head -1 "$TEST_TMP/status.json")" = "$first" ]
}
