# Shared set-up for the attack and control tests (attack_*.bats,
# controls_*.bats). Load after helpers and sandbox_helpers:
#
#   load helpers
#   load sandbox_helpers
#   load attack_helpers
#
# setup_file builds the busybox ROOTFS (sandbox_helpers) and compiles the
# attack program attack/probe.c, static so that it runs in ROOTFS too, into
# ATTACK_DIR (readable by every user); ROOTFS gets a copy as /bin/probe.
#
# Every nsrun these tests start (run_n, bg_n) carries NSRUN_IT_MARK=RUN_MARK
# in its environment, a value of its own per test, which its init stage and
# the command inherit. Teardown does what sandbox_teardown does, and fails
# when, after a bounded wait,
#   - a process with that mark is still alive,
#   - an nsrun-* directory exists anywhere under /sys/fs/cgroup (but one
#     of a live nsrun that is not this test's),
#   - the host's mount table has a line more or less where a sandbox of
#     these tests could have put or taken one (host_mount_changes),
#   - ROOTFS changed, or a path in HOST_CANARIES exists,
# and removes what it found.

# Inside a --sandbox (whose /tmp is its own tmpfs), ATTACK_DIR is bound here.
IN_ATTACK=/tmp/attack
PROBE=$IN_ATTACK/probe

attack_setup_file() {
	sandbox_setup_file
	export ATTACK_DIR="$NSRUN_IT_DIR/attack"
	mkdir -p "$ATTACK_DIR"
	chmod 0755 "$ATTACK_DIR"
	if ! gcc -static -O1 -Wall -Wextra -o "$ATTACK_DIR/probe" \
		"$BATS_TEST_DIRNAME/attack/probe.c"; then
		echo "cannot compile attack/probe.c" >&2
		return 1
	fi
	chmod 0755 "$ATTACK_DIR/probe"
	install -m 0755 "$ATTACK_DIR/probe" "$ROOTFS/bin/probe"
	# An OCI profile that allows everything.
	printf '{ "defaultAction": "SCMP_ACT_ALLOW" }\n' >"$ATTACK_DIR/allow-all.json"
	chmod 0644 "$ATTACK_DIR/allow-all.json"
	export ATTACK_MARK_BASE="nsrun-it-${NSRUN_IT_DIR##*.}"
}

attack_teardown_file() {
	sandbox_teardown_file
}

setup_file() { attack_setup_file; }
teardown_file() { attack_teardown_file; }

attack_setup() {
	sandbox_setup
	RUN_MARK="$ATTACK_MARK_BASE-${TEST_TMP##*.}"
}

attack_teardown() {
	local rc=0
	# Here a canary left on the host fails the test.
	sandbox_cleanup || rc=1
	assert_host_mounts_unchanged || rc=1
	assert_rootfs_unchanged || rc=1
	assert_no_marked_processes || rc=1
	assert_no_nsrun_cgroups || rc=1
	return "$rc"
}

setup() { attack_setup; }
teardown() { attack_teardown; }

# --- running nsrun ------------------------------------------------------------

# run_n [RUN-OPTION...] [as_nobody|as_test_user] NSRUN-ARG...: run_t of
# nsrun with the test's mark in its environment.
run_n() {
	local opts=() w=()
	while [[ $1 == --separate-stderr || $1 == --keep-empty-lines ]]; do
		opts+=("$1")
		shift
	done
	if [[ $1 == as_nobody || $1 == as_test_user ]]; then
		w=("$1")
		shift
	fi
	run_t "${opts[@]}" "${w[@]}" env "NSRUN_IT_MARK=$RUN_MARK" "$NSRUN" "$@"
}

# bg_n NAME [as_nobody|as_test_user] NSRUN-ARG...: bg_start of a marked
# nsrun; BG_PID is nsrun's PID.
bg_n() {
	local name=$1 w=()
	shift
	if [[ $1 == as_nobody || $1 == as_test_user ]]; then
		w=("$1")
		shift
	fi
	bg_start "$name" "${w[@]}" env "NSRUN_IT_MARK=$RUN_MARK" "$NSRUN" "$@"
}

# The ways an attack is run from inside --sandbox. sandbox_variant NAME sets
# W (the runner: empty for root, as_nobody or as_test_user) and SB (the
# nsrun options, ATTACK_DIR bound read-only on IN_ATTACK):
#   root            root runs --sandbox: root inside is the host's root
#   nobody          uid 65534 runs --sandbox: root inside is 65534
#   root-as-nobody  root runs --sandbox with every fixture id mapped to
#                   itself, --cap-drop ALL --as nobody
#   user-as-nobody  nsrun-test runs --sandbox --map-auto --cap-drop ALL
#                   --as nobody (65534 inside is one of its subordinate ids)
SANDBOX_VARIANTS=(root nobody root-as-nobody user-as-nobody)

sandbox_variant() {
	W=""
	SB=(--sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK")
	case $1 in
	root) ;;
	nobody) W=as_nobody ;;
	root-as-nobody) SB+=(-M "$AS_MAP" -G "$AS_MAP" --cap-drop ALL --as nobody) ;;
	user-as-nobody)
		W=as_test_user
		SB+=(--map-auto --cap-drop ALL --as nobody)
		;;
	*)
		echo "# unknown sandbox variant $1"
		return 1
		;;
	esac
	echo "# --- variant $1: ${W:-root} runs nsrun ${SB[*]}"
}

# True for the variants whose command is root inside (and keeps its
# capabilities in the sandbox's user namespace).
variant_is_root() { [[ $1 == root || $1 == nobody ]]; }

# --- output -------------------------------------------------------------------

# assert_line_is TEXT: some line of $output is exactly TEXT.
assert_line_is() {
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$1" ]] && return 0
	done
	echo "# no line '$1' in the output"
	return 1
}

# assert_line_count N TEXT: exactly N lines of $output are TEXT.
assert_line_count() {
	local l n=0
	for l in "${lines[@]}"; do
		[[ $l == "$2" ]] && n=$((n + 1))
	done
	if [[ $n != "$1" ]]; then
		echo "# $n lines '$2' in the output, expected $1"
		return 1
	fi
}

# assert_no_line_like PATTERN: no line of $output matches the glob PATTERN.
assert_no_line_like() {
	local l
	for l in "${lines[@]}"; do
		if [[ $l == $1 ]]; then
			echo "# unexpected line: $l"
			return 1
		fi
	done
}

# "errno N (NAME)" as probe prints it.
E_PERM="errno 1 (EPERM)"
E_SRCH="errno 3 (ESRCH)"
E_BADF="errno 9 (EBADF)"
E_AGAIN="errno 11 (EAGAIN)"
E_ACCES="errno 13 (EACCES)"
E_TXTBSY="errno 26 (ETXTBSY)"
E_ROFS="errno 30 (EROFS)"
E_NOSYS="errno 38 (ENOSYS)"

# --- the host -----------------------------------------------------------------

# Paths below /tmp that the sandboxes of these tests use inside (their /tmp
# is their own); the same paths on the host are where a leaked mount would
# show.
SANDBOX_TMP_NAMES=(attack sync w new mnt paths suid devs escape p)

# mount_point_is_ours PATH: whether a sandbox of these tests could have
# mounted on PATH, or unmounted it, had its mounts leaked to the host: /,
# /tmp, /proc, /dev, /sys, /mnt, /var/tmp and below, the test directory,
# and SANDBOX_TMP_NAMES below /tmp.
mount_point_is_ours() {
	local mp=$1 first n
	case $mp in
	/ | /tmp | /proc | /proc/* | /dev | /dev/* | /sys | /sys/* | /mnt | /mnt/* | /var/tmp | /var/tmp/*)
		return 0
		;;
	"$NSRUN_IT_DIR" | "$NSRUN_IT_DIR"/*) return 0 ;;
	/tmp/*)
		first=${mp#/tmp/}
		first=${first%%/*}
		for n in "${SANDBOX_TMP_NAMES[@]}"; do
			[[ $first == "$n" ]] && return 0
		done
		;;
	esac
	return 1
}

# The lines of the host's mount table added (>) or removed (<) since the
# test began whose mount point is ours. Other changes come from the rest of
# the host (another program mounting its own things meanwhile): they are
# shown, not counted.
host_mount_changes() {
	local sign id parent dev root mp rest
	diff <(echo "$HOST_MOUNTS_BEFORE") /proc/self/mountinfo | grep '^[<>]' |
		while read -r sign id parent dev root mp rest; do
			if mount_point_is_ours "$mp"; then
				echo "$sign $id $parent $dev $root $mp $rest"
			else
				echo "# (not counted: a change elsewhere on the host: $sign $mp)" >&2
			fi
		done
}

assert_host_mounts_unchanged() {
	local changes
	changes=$(host_mount_changes 2>&1)
	[[ -n $changes ]] && sed 's/^/# /' <<<"$changes"
	! grep -q '^[<>]' <<<"$changes" || {
		echo "# the host's mount table changed during the test"
		return 1
	}
}

# PIDs of the live processes that carry the test's mark.
marked_pids() {
	grep -lzxF "NSRUN_IT_MARK=$RUN_MARK" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|^/proc/||; s|/environ$||'
}

assert_no_marked_processes() {
	[[ -n ${RUN_MARK:-} ]] || return 0
	local tries=100 left
	while left=$(marked_pids) && [[ -n $left ]] && ((tries-- > 0)); do
		sleep 0.05
	done
	[[ -z $left ]] && return 0
	local p
	echo "# processes of this test left behind:"
	for p in $left; do
		echo "#   $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null || true
	done
	return 1
}

nsrun_cgroup_dirs() {
	find /sys/fs/cgroup -type d -name 'nsrun-*' 2>/dev/null
}

# The nsrun-PID cgroup directories that count: all but those of a live
# nsrun that is not this test's (another user of nsrun on the host, whose
# cgroup is in use and none of our business).
counted_nsrun_cgroups() {
	local d pid
	for d in $(nsrun_cgroup_dirs); do
		pid=${d##*/nsrun-}
		# nsrun's own are nsrun-PID; another program's nsrun-* is not ours.
		[[ $pid =~ ^[0-9]+$ ]] || continue
		if [[ -e /proc/$pid ]] &&
			! grep -qzxF "NSRUN_IT_MARK=$RUN_MARK" "/proc/$pid/environ" 2>/dev/null; then
			echo "# (not counted: $d belongs to a live nsrun of someone else)" >&2
			continue
		fi
		echo "$d"
	done
}

assert_no_nsrun_cgroups() {
	local tries=100 left
	while left=$(counted_nsrun_cgroups) && [[ -n $left ]] && ((tries-- > 0)); do
		sleep 0.05
	done
	[[ -z $left ]] && return 0
	echo "# nsrun cgroups left behind:"
	local d p
	# Deepest first.
	for d in $(sort -r <<<"$left"); do
		echo "#   $d"
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		retry 5 rmdir "$d" 2>/dev/null || true
	done
	return 1
}

# cgroup_path_of PID CONTROLLER: the directory of PID's cgroup in the
# hierarchy that holds CONTROLLER (v1 here; the unified one where cgroup2
# has it), from the host's view of /proc/PID/cgroup.
cgroup_path_of() {
	local pid=$1 ctl=$2 line path
	if [[ -r /sys/fs/cgroup/unified/cgroup.controllers ]] &&
		grep -qw "$ctl" /sys/fs/cgroup/unified/cgroup.controllers; then
		path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup/unified$path"
		return
	fi
	line=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	[[ -n $line ]] || return 1
	echo "/sys/fs/cgroup/$ctl${line%/}"
}

# The host's hard RLIMIT_NOFILE, as this shell has it.
host_hard_nofile() { ulimit -Hn; }
