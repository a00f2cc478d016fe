# Shared set-up and helpers for the nsrun integration tests.
#
# The runner sets NSRUN and NSRUN_DEMO to the binaries under test. setup_file
# copies both into a fresh directory every user can traverse (the build tree
# may not be readable by uid 65534) and points NSRUN/NSRUN_DEMO at the copies.
# Every test gets its own scratch directory, writable by every user, and the
# background processes it starts are killed in teardown.

bats_require_minimum_version 1.5.0

# Upper bound, in seconds, for any single nsrun run.
NSRUN_IT_TIMEOUT=${NSRUN_IT_TIMEOUT:-30}
NOBODY_UID=65534
NOBODY_GID=65534
TEST_USER=nsrun-test

# --- per file ---------------------------------------------------------------

nsrun_setup_file() {
	if [[ -z ${NSRUN:-} || -z ${NSRUN_DEMO:-} ]]; then
		echo "set NSRUN and NSRUN_DEMO to the nsrun and reexec-demo binaries" >&2
		return 1
	fi
	local bin
	for bin in "$NSRUN" "$NSRUN_DEMO"; do
		if [[ ! -f $bin || ! -x $bin ]]; then
			echo "not an executable file: $bin" >&2
			return 1
		fi
	done
	if [[ $(id -u) != 0 ]]; then
		echo "the integration tests run as root" >&2
		return 1
	fi
	NSRUN_IT_DIR=$(mktemp -d /tmp/nsrun-it.XXXXXX)
	chmod 0755 "$NSRUN_IT_DIR"
	install -m 0755 "$NSRUN" "$NSRUN_IT_DIR/nsrun"
	install -m 0755 "$NSRUN_DEMO" "$NSRUN_IT_DIR/reexec-demo"
	# Prints "TYPE LINK" for every namespace, as its readlink child sees
	# them (/proc/$$ would be wrong with a new PID namespace and the old /proc).
	cat >"$NSRUN_IT_DIR/ns-list" <<-'EOF'
		#!/bin/sh
		for n in /proc/self/ns/*; do
			n=${n##*/}
			printf '%s %s\n' "$n" "$(readlink "/proc/self/ns/$n")"
		done
	EOF
	chmod 0755 "$NSRUN_IT_DIR/ns-list"
	export NSRUN_ORIG=$NSRUN NSRUN_DEMO_ORIG=$NSRUN_DEMO NSRUN_IT_DIR
	export NSRUN="$NSRUN_IT_DIR/nsrun" NSRUN_DEMO="$NSRUN_IT_DIR/reexec-demo"
	export NS_LIST="$NSRUN_IT_DIR/ns-list"
}

nsrun_teardown_file() {
	if [[ -n ${NSRUN_IT_DIR:-} && -d $NSRUN_IT_DIR ]]; then
		rm -rf -- "$NSRUN_IT_DIR"
	fi
}

setup_file() { nsrun_setup_file; }
teardown_file() { nsrun_teardown_file; }

# The user for --map-auto: created once, with subordinate id ranges.
ensure_test_user() {
	if ! getent passwd "$TEST_USER" >/dev/null; then
		useradd --no-create-home --shell /usr/sbin/nologin "$TEST_USER"
	fi
	local file opt start
	for file in /etc/subuid /etc/subgid; do
		[[ -e $file ]] || install -m 0644 /dev/null "$file"
		if ! grep -q "^$TEST_USER:[0-9]*:[1-9]" "$file"; then
			# First id after every range already handed out.
			start=$(awk -F: 'BEGIN { m = 100000 } $2 + $3 > m { m = $2 + $3 } END { print m }' "$file")
			opt=--add-subuids
			[[ $file == /etc/subgid ]] && opt=--add-subgids
			usermod "$opt" "$start-$((start + 65535))" "$TEST_USER"
		fi
	done
	TEST_USER_UID=$(id -u "$TEST_USER")
	TEST_USER_GID=$(id -g "$TEST_USER")
	export TEST_USER_UID TEST_USER_GID
}

# "START COUNT" of the first range of the test user in /etc/subuid or
# /etc/subgid, the one --map-auto takes.
subid_range() {
	awk -F: -v name="$TEST_USER" -v id="$TEST_USER_UID" \
		'($1 == name || $1 == id) && $3 > 0 { print $2, $3; exit }' "$1"
}

# --- per test ---------------------------------------------------------------

nsrun_setup() {
	TEST_TMP=$(mktemp -d "$NSRUN_IT_DIR/test.XXXXXX")
	chmod 0777 "$TEST_TMP"
	# A directory every sandbox has: from elsewhere (the repository) nsrun
	# warns that the command starts in $HOME, which tests of the output
	# would read. Tests of the working directory cd themselves.
	cd /
	BG_PIDS=()
}

nsrun_teardown() {
	local pid d
	for pid in "${BG_PIDS[@]}"; do
		for d in $(descendants "$pid"); do
			kill -KILL "$d" 2>/dev/null || true
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
	if [[ -n ${TEST_TMP:-} ]]; then
		rm -rf -- "$TEST_TMP"
	fi
}

setup() { nsrun_setup; }
teardown() { nsrun_teardown; }

# assert_mounts_same BEFORE AFTER: two readings of the host's mount table
# (or of the part a test may not change), from before and after the test;
# shows what changed and fails if anything did.
assert_mounts_same() {
	[[ $2 == "$1" ]] && return 0
	echo "# the host's mount table changed during the test:"
	diff <(echo "$1") <(echo "$2") | sed 's/^/#   /'
	return 1
}

# --- running ----------------------------------------------------------------

as_nobody() {
	setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups "$@"
}

as_test_user() {
	setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --clear-groups "$@"
}

# CMD=(...) from a command line whose first word may be as_nobody or
# as_test_user, so that programs like timeout and env can run it.
_expand_cmd() {
	case $1 in
	as_nobody)
		shift
		CMD=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups "$@")
		;;
	as_test_user)
		shift
		CMD=(setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --clear-groups "$@")
		;;
	*) CMD=("$@") ;;
	esac
}

# run, bounded by a timeout (status 124 when it expired). Leading run options
# (--separate-stderr, --keep-empty-lines) are passed to run. The status is
# carried through a file so that bats does not warn about 127, which some
# tests expect.
run_t() {
	local opts=()
	while [[ $# -gt 0 && ( $1 == --separate-stderr || $1 == --keep-empty-lines ) ]]; do
		opts+=("$1")
		shift
	done
	local CMD
	_expand_cmd "$@"
	# A previous run's stderr must not show up in show_run.
	unset stderr stderr_lines
	run "${opts[@]}" _run_t_status timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" "${CMD[@]}"
	status=$(cat "$TEST_TMP/.run-status")
	rm -f "$TEST_TMP/.run-status"
	if [[ $status == 124 ]]; then
		echo "# timed out after ${NSRUN_IT_TIMEOUT}s: $*"
	fi
}

_run_t_status() {
	local s=0
	"$@" || s=$?
	echo "$s" >"$TEST_TMP/.run-status"
}

# Show what a run did; call before assertions so a failure explains itself.
show_run() {
	echo "# command: $*"
	echo "# status: $status"
	echo "# output:"
	printf '%s\n' "$output" | sed 's/^/#   /'
	if [[ -n ${stderr+set} ]]; then
		echo "# stderr:"
		printf '%s\n' "$stderr" | sed 's/^/#   /'
	fi
}

# bg_start NAME CMD...: start CMD in the background with default signal
# dispositions (a non-interactive shell would otherwise start it with SIGINT
# and SIGQUIT ignored), stdout and stderr in $TEST_TMP/NAME.out and .err.
# Sets BG_PID; teardown kills it if it is still there.
bg_start() {
	local name=$1
	shift
	local CMD
	_expand_cmd "$@"
	env --default-signal "${CMD[@]}" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_wait PID [SECONDS]: wait (bounded) for a background process to end;
# sets BG_STATUS. Returns 1 if it is still running.
bg_wait() {
	local pid=$1 tries=$(( ${2:-10} * 20 ))
	while ((tries-- > 0)); do
		if [[ ! -e /proc/$pid || $(proc_state "$pid") == Z ]]; then
			BG_STATUS=0
			wait "$pid" || BG_STATUS=$?
			return 0
		fi
		sleep 0.05
	done
	echo "# pid $pid still running after ${2:-10}s"
	return 1
}

# retry SECONDS CMD...: run CMD every 50 ms until it succeeds; 1 on timeout.
retry() {
	local tries=$(( $1 * 20 ))
	shift
	while ((tries-- > 0)); do
		if "$@"; then
			return 0
		fi
		sleep 0.05
	done
	echo "# gave up waiting for: $*"
	return 1
}

# --- processes --------------------------------------------------------------

# Field N (1-based, as in proc(5)) of /proc/PID/stat; empty if gone.
proc_stat_field() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	rest=${stat##*) } # fields from 3 on; comm may contain spaces
	local -a f=($rest)
	echo "${f[$(($2 - 3))]}"
}

proc_state() { proc_stat_field "$1" 3; }

# PID plus start time: identifies a process even if its PID is reused.
proc_id() {
	local start
	start=$(proc_stat_field "$1" 22)
	[[ -n $start ]] && echo "$1:$start"
}

# True while the process of a proc_id is alive (not gone, not a zombie).
proc_id_alive() {
	local pid=${1%%:*} start=${1#*:}
	[[ $(proc_stat_field "$pid" 22) == "$start" && $(proc_state "$pid") != Z ]]
}

children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}

descendants() {
	local c
	for c in $(children "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# The init stage (or command) of a staged nsrun: its only child.
staged_child() {
	local c
	c=$(children "$1")
	[[ -n $c && $c != *$'\n'* ]] && echo "$c"
}

# wait_staged_sleep PID: wait (bounded) until the staged nsrun PID has its
# one child and that child runs sleep(1); sets STAGED_PID to the child.
wait_staged_sleep() {
	local pid=$1 sleep_bin
	sleep_bin=$(readlink -f "$(command -v sleep)")
	retry 10 eval '[[ -n $(staged_child $pid) ]]' || return 1
	STAGED_PID=$(staged_child "$pid")
	retry 10 eval '[[ $(readlink /proc/$STAGED_PID/exe) == "$sleep_bin" ]]'
}

# --- namespaces -------------------------------------------------------------

# NAME for each namespace file a flag creates.
ns_files_of() {
	case $1 in
	U) echo user ;;
	m) echo mnt ;;
	p) echo pid pid_for_children ;;
	n) echo net ;;
	u) echo uts ;;
	i) echo ipc ;;
	C) echo cgroup ;;
	T) echo time time_for_children ;;
	esac
}

sorted_words() { printf '%s\n' $* | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'; }

# The namespace files whose link differs between two ns-list outputs.
ns_changed() {
	join <(sort <<<"$1") <(sort <<<"$2") | awk '$2 != $3 { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# assert_new_ns "NAMES" CMD...: CMD (an nsrun invocation ending in --) runs
# ns-list; exactly the namespace files NAMES must differ from ours.
assert_new_ns() {
	local want outside got
	want=$(sorted_words "$1")
	shift
	outside=$("$NS_LIST")
	run_t "$@" "$NS_LIST"
	show_run "$@"
	[ "$status" -eq 0 ]
	# Same set of namespace files on both sides.
	[ "$(cut -d' ' -f1 <<<"$output" | sort)" = "$(cut -d' ' -f1 <<<"$outside" | sort)" ]
	got=$(ns_changed "$outside" "$output")
	echo "# outside:"
	sed 's/^/#   /' <<<"$outside"
	echo "# expected new: '$want'"
	echo "# actual new:   '$got'"
	[ "$got" = "$want" ]
}

# Normalise /proc/PID/[ug]id_map text: "I O C" lines, single spaces.
norm_map() { awk 'NF { print $1, $2, $3 }'; }

# assert_one_error_line SUBSTRING...: status 125, nothing on stdout, one line
# on stderr that starts with "nsrun: " and contains every SUBSTRING.
assert_one_error_line() {
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "nsrun: "* ]]
	local s
	for s in "$@"; do
		if [[ ${stderr_lines[0]} != *"$s"* ]]; then
			echo "# message does not contain '$s'"
			return 1
		fi
	done
}
