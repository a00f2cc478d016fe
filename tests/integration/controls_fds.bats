#!/usr/bin/env bats
# Descriptor hygiene on every start-up path: the command gets 0, 1 and 2
# (plus what --keep-fd names), never one of the caller's others (a host
# directory, a file, /dev/null) nor one of nsrun's own (the sync socket,
# the sealed memfd, directory handles, the id-map helper's socket, the
# cgroup directory). The --init reaper, which the command can see as PID 1,
# holds nothing beyond 0, 1 and 2 either.

load helpers
load sandbox_helpers
load attack_helpers

# The paths: NAME RUNNER OPTIONS... (the probe path is chosen per path).
# in-place          -Ur                     unshare, maps written by itself
# in-place-helper   -M/-G (root)            maps written by a helper process
# in-place-newidmap --map-auto (nsrun-test) maps by newuidmap/newgidmap
# fork              -Ur -f                  staged, no PID namespace
# pid               -Urp                    staged, PID 1
# init              -Urp --init             staged, the command is PID 2
# cgroup            -Ur --pids 50 (root)    staged with a cgroup
# sandbox           --sandbox               the preset
fd_path() {
	W=""
	PROBE_AT=$ATTACK_DIR/probe
	case $1 in
	in-place) OPTS=(-Ur) ;;
	in-place-helper) OPTS=(-M '0 0 1,1 100000 65536' -G '0 0 1,1 100000 65536') ;;
	in-place-newidmap)
		W=as_test_user
		OPTS=(--map-auto)
		;;
	fork) OPTS=(-Ur -f) ;;
	pid) OPTS=(-Urp) ;;
	init) OPTS=(-Urp --init) ;;
	cgroup) OPTS=(-Ur --pids 50) ;;
	sandbox)
		OPTS=(--sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK")
		PROBE_AT=$PROBE
		;;
	esac
	[[ ${2:-} == as_nobody ]] && W=as_nobody
	return 0
}

ROOT_PATHS=(in-place in-place-helper in-place-newidmap fork pid init cgroup sandbox)
NOBODY_PATHS=(in-place fork pid init sandbox)

# fds_of_output: "N TARGET" lines of probe fds, up to "fds: end".
fds_of_output() { sed -n '/^[0-9]* /p; /^fds: end$/q' <<<"$output"; }

# check_fds WANT: the command's descriptors are exactly WANT ("0 1 2").
check_fds() {
	local got
	got=$(fds_of_output | cut -d' ' -f1 | tr '\n' ' ')
	echo "# descriptors: $(fds_of_output | tr '\n' ';')"
	[ "$got" = "$1 " ]
}

@test "descriptors: the caller's 3 (/), 4 (a directory), 5 (a file) and 9 never reach the command, nor nsrun's own, on every path (root)" {
	mkdir -m 0777 "$TEST_TMP/dir"
	local p
	for p in "${ROOT_PATHS[@]}"; do
		fd_path "$p"
		run_n $W "${OPTS[@]}" -- "$PROBE_AT" fds 3</ 4<"$TEST_TMP/dir" 5>"$TEST_TMP/out" 9</dev/null
		show_run "$p:" nsrun "${OPTS[@]}" -- probe fds 3\</ 4\<DIR 5\>OUT 9\</dev/null
		[ "$status" -eq 0 ]
		check_fds "0 1 2"
	done
}

@test "descriptors: the same for uid 65534 on every path it can take" {
	mkdir -m 0777 "$TEST_TMP/dir"
	local p
	for p in "${NOBODY_PATHS[@]}"; do
		fd_path "$p" as_nobody
		run_n $W "${OPTS[@]}" -- "$PROBE_AT" fds 3</ 4<"$TEST_TMP/dir" 5>"$TEST_TMP/out" 9</dev/null
		show_run "65534 $p:" nsrun "${OPTS[@]}" -- probe fds
		[ "$status" -eq 0 ]
		check_fds "0 1 2"
	done
}

@test "descriptors: --keep-fd 5 and --keep-fd 9: exactly those, on every path (root and 65534)" {
	mkdir -m 0777 "$TEST_TMP/dir"
	local p w paths
	for w in "" as_nobody; do
		paths=("${ROOT_PATHS[@]}")
		[[ $w == as_nobody ]] && paths=("${NOBODY_PATHS[@]}")
		for p in "${paths[@]}"; do
			fd_path "$p" $w
			run_n $W "${OPTS[@]}" --keep-fd 5 --keep-fd 9 -- "$PROBE_AT" fds \
				3</ 4<"$TEST_TMP/dir" 5>"$TEST_TMP/out" 9</dev/null
			show_run "$(who $w) $p:" nsrun "${OPTS[@]}" --keep-fd 5 --keep-fd 9 -- probe fds
			[ "$status" -eq 0 ]
			[ "$(fds_of_output | cut -d' ' -f1 | tr '\n' ' ')" = "0 1 2 5 9 " ]
			[[ $(fds_of_output | grep '^5 ') == "5 "*/out ]]
			[[ $(fds_of_output | grep '^9 ') == "9 /dev/null" ]]
		done
	done
}

@test "descriptors: the --init reaper (PID 1, visible to the command) holds only 0, 1 and 2 (root and 65534)" {
	mkdir -m 0777 "$TEST_TMP/dir"
	local w
	for w in "" as_nobody; do
		run_n $w --sandbox --init -- /bin/sh -c 'ls /proc/1/fd | sort -n | tr "\n" " "; echo' \
			3</ 4<"$TEST_TMP/dir" 5>"$TEST_TMP/out" 9</dev/null
		show_run "$(who $w):" nsrun --sandbox --init -- ls /proc/1/fd
		[ "$status" -eq 0 ]
		[ "$output" = "0 1 2 " ]
	done
}
