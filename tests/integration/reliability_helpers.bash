# Shared set-up for the reliability tests (reliability_*.bats): nsrun under
# resource exhaustion, racing itself, and with its caller killed.
#
#   load reliability_helpers
#
# On top of oci_helpers (per-test bundle and state root, teardown that checks
# nothing of a container is left): cgroups that limit or track nsrun itself,
# a runner that puts nsrun under such limits, and one-line error checks.

load oci_helpers

rel_setup() {
	oci_setup
	REL_CGROUPS=()
}

# oci_teardown's checks, then the cgroups the test made: any process still
# in one is a leak (they hold nothing but nsrun and what it started).
rel_teardown() {
	local rc=0 cg
	oci_teardown || rc=1
	for cg in "${REL_CGROUPS[@]}"; do
		assert_cgroup_empty "$cg" kill || rc=1
		if ! retry 5 rmdir "$cg" >/dev/null 2>&1; then
			echo "# cannot remove $cg: procs '$(cat "$cg/cgroup.procs" | tr '\n' ' ')'," \
				"pids.current $(cat "$cg/pids.current" 2>/dev/null)"
		fi
	done
	return "$rc"
}

setup() { rel_setup; }

# known_bug TEXT: skip the test as "known bug: TEXT" while the bug is open
# in a file these tests do not own; NSRUN_REL_KNOWN_BUGS=1 runs it anyway
# (to check a fix).
known_bug() {
	[[ ${NSRUN_REL_KNOWN_BUGS:-0} == 1 ]] || skip "known bug: $1"
}
teardown() { rel_teardown; }

# --- cgroups around nsrun itself ------------------------------------------------

# rel_cgroup CONTROLLER: a new cgroup v1 of CONTROLLER below the one this
# shell is in (the host is hybrid: memory and pids are v1 controllers). Sets
# REL_CG; teardown removes it. Skips the test without the controller.
rel_cgroup() {
	local ctl=$1 own
	own=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		/proc/self/cgroup)
	if [[ -z $own || ! -e /sys/fs/cgroup/$ctl/cgroup.procs ]]; then
		skip "no cgroup v1 $ctl controller"
	fi
	REL_CG=/sys/fs/cgroup/$ctl${own%/}/nsrun-rel-${TEST_TMP##*.}-${#REL_CGROUPS[@]}
	mkdir "$REL_CG"
	REL_CGROUPS+=("$REL_CG")
}

rel_cgroup_empty() { [[ -z $(cat "$1/cgroup.procs" 2>/dev/null) ]]; }

# assert_cgroup_empty CG [kill]: every process nsrun started has gone from
# the cgroup CG (bounded wait); with "kill", those left are killed.
assert_cgroup_empty() {
	retry 5 rel_cgroup_empty "$1" >/dev/null && return 0
	echo "# processes left in $1:"
	local p
	for p in $(cat "$1/cgroup.procs" 2>/dev/null); do
		echo "#   $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		[[ ${2:-} != kill ]] || kill -KILL "$p" 2>/dev/null || true
	done
	return 1
}

# pids.current counts a process until it is reaped: wait until it is 0, so
# that the next run gets the whole pids.max.
rel_pids_settle() { retry 5 test "$(cat "$1/pids.current")" -eq 0; }

# --- running nsrun ----------------------------------------------------------------

# rel_nsrun [--cg DIR] [--nofile N] [--] ARG...: nsrun ARG..., bounded, inside
# the cgroup DIR and with RLIMIT_NOFILE N:N when asked, stdin /dev/null,
# stdout and stderr on files (a container inherits them). Sets status,
# output, stderr and stderr_lines.
rel_nsrun() {
	local wrap=()
	while [[ $# -gt 0 ]]; do
		case $1 in
		--cg) wrap+=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$2"); shift 2 ;;
		--nofile) wrap+=(prlimit "--nofile=$2:$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	OCI_N=$((OCI_N + 1))
	local out=$TEST_TMP/rel.$OCI_N.out err=$TEST_TMP/rel.$OCI_N.err
	status=0
	timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" "${wrap[@]}" "$NSRUN" "$@" \
		</dev/null >"$out" 2>"$err" 3>&- || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	if [[ -n $stderr ]]; then mapfile -t stderr_lines <"$err"; else stderr_lines=(); fi
	echo "# ${wrap[*]} nsrun $*"
	echo "#   status: $status"
	[[ -z $output ]] || head -20 "$out" | sed 's/^/#   out: /'
	[[ -z $stderr ]] || head -20 "$err" | sed 's/^/#   err: /'
	return 0
}

# rel_oci [rel_nsrun options] ARG...: nsrun --root OCI_ROOT ARG...
rel_oci() {
	local opts=()
	while [[ $1 == --cg || $1 == --nofile ]]; do
		opts+=("$1" "$2")
		shift 2
	done
	rel_nsrun "${opts[@]}" -- --root "$OCI_ROOT" "$@"
}

# --- assertions -------------------------------------------------------------------

# assert_nsrun_error STATUS TEXT...: exit status STATUS, nothing on stdout,
# exactly one line on stderr that starts with "nsrun: " and holds every
# TEXT (runc's own texts, which clients match, have no <why>).
assert_nsrun_error() {
	local want=$1 s
	shift
	if [[ $status != "$want" ]]; then
		echo "# expected status $want, got $status"
		return 1
	fi
	[ -z "$output" ]
	if [[ ${#stderr_lines[@]} -ne 1 ]]; then
		echo "# expected one error line, got ${#stderr_lines[@]}"
		return 1
	fi
	[[ ${stderr_lines[0]} == "nsrun: "?* ]]
	for s in "$@"; do
		if [[ ${stderr_lines[0]} != *"$s"* ]]; then
			echo "# the error does not contain '$s'"
			return 1
		fi
	done
}

# assert_errno_error WHY [TEXT...]: status 125 and one line
# "nsrun: <what>: WHY" (WHY: strerror's text), holding every TEXT.
assert_errno_error() {
	local why=$1
	shift
	assert_nsrun_error 125 "$@"
	if [[ ! ${stderr_lines[0]} =~ ^nsrun:\ .+:\ "$why"$ ]]; then
		echo "# not 'nsrun: <what>: $why'"
		return 1
	fi
}

# Nothing of container ID in the state root: no directory, and no stray
# file (a temporary state file) next to where it would be.
assert_no_state() {
	[ ! -e "$OCI_ROOT/$1" ]
	local stray
	stray=$(find "$OCI_ROOT" -mindepth 1 -maxdepth 1 -name "*$1*" 2>/dev/null || true)
	if [[ -n $stray ]]; then
		echo "# left in the state root: $stray"
		return 1
	fi
}

# No cgroup directory named after ID in any hierarchy.
assert_no_cgroup() {
	local left
	# find fails when a cgroup of someone else goes while it walks.
	left=$(oci_cgroup_dirs "$1" || true)
	if [[ -n $left ]]; then
		echo "# cgroups left: $left"
		return 1
	fi
}

# --- races --------------------------------------------------------------------------

# race_start NAME ARG...: nsrun --root OCI_ROOT ARG... in the background,
# held until race_go releases every racer at once. Its stdout, stderr and
# exit status land in TEST_TMP/NAME.out, .err and .rc.
race_start() {
	local name=$1 go=$TEST_TMP/race-go
	shift
	rm -f "$TEST_TMP/$name.rc"
	(
		# Spin, not sleep: the racers must leave within microseconds.
		while [[ ! -e $go ]]; do :; done
		rc=0
		timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" "$NSRUN" --root "$OCI_ROOT" "$@" \
			</dev/null >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" || rc=$?
		echo "$rc" >"$TEST_TMP/$name.rc"
	) 3>&- &
	RACE_PIDS+=("$!")
	BG_PIDS+=("$!")
}

# race_go: release the racers and wait for all of them.
race_go() {
	local p
	touch "$TEST_TMP/race-go"
	for p in "${RACE_PIDS[@]}"; do
		wait "$p" || true
	done
	RACE_PIDS=()
	rm -f "$TEST_TMP/race-go"
}

race_rc() { cat "$TEST_TMP/$1.rc"; }
race_err() { cat "$TEST_TMP/$1.err"; }

# race_result NAME: status, output, stderr and stderr_lines of a racer, as
# the assertions above read them.
race_result() {
	status=$(race_rc "$1")
	output=$(cat "$TEST_TMP/$1.out")
	stderr=$(race_err "$1")
	if [[ -n $stderr ]]; then mapfile -t stderr_lines <"$TEST_TMP/$1.err"; else stderr_lines=(); fi
	echo "# $1: status $status${stderr:+, err: $stderr}"
}

# assert_ok_or_error TEXT...: the racer succeeded (no error output), or
# failed with exactly one line that is one of the TEXTs ("nsrun: TEXT").
assert_ok_or_error() {
	if [[ $status == 0 ]]; then
		[ -z "$stderr" ]
		return
	fi
	assert_nsrun_error 125
	local t
	for t in "$@"; do
		[[ ${stderr_lines[0]} == "nsrun: $t" ]] && return 0
	done
	echo "# unexpected error: ${stderr_lines[0]}"
	return 1
}
