#!/usr/bin/env bats
# Which namespaces the command ends up in: each flag creates exactly its own
# type, on the in-place path and on the staged path (-f); --join enters an
# existing one.

load helpers

# Root: -X alone, in place and staged.
check_flag_root() {
	assert_new_ns "$(ns_files_of "$1")" "$NSRUN" "-$1" --
	assert_new_ns "$(ns_files_of "$1")" "$NSRUN" "-$1" -f --
}

# Uid 65534 needs a user namespace for anything else: -Ur -X.
check_flag_nobody() {
	assert_new_ns "user $(ns_files_of "$1")" as_nobody "$NSRUN" -Ur "-$1" --
	assert_new_ns "user $(ns_files_of "$1")" as_nobody "$NSRUN" -Ur "-$1" -f --
}

@test "no flags: the command runs in all of our namespaces (in place and -f)" {
	assert_new_ns "" "$NSRUN" --
	assert_new_ns "" "$NSRUN" -f --
}

@test "-U: only a new user namespace (root)" { check_flag_root U; }
@test "-m: only a new mount namespace (root)" { check_flag_root m; }
@test "-n: only a new network namespace (root)" { check_flag_root n; }
@test "-u: only a new UTS namespace (root)" { check_flag_root u; }
@test "-i: only a new IPC namespace (root)" { check_flag_root i; }
@test "-C: only a new cgroup namespace (root)" { check_flag_root C; }
@test "-T: only a new time namespace (root)" { check_flag_root T; }
@test "-p: only a new PID namespace (root)" {
	assert_new_ns "$(ns_files_of p)" "$NSRUN" -p --
	assert_new_ns "$(ns_files_of p)" "$NSRUN" -p -f --
}

@test "-U: only a new user namespace (uid 65534, with and without -r)" {
	assert_new_ns user as_nobody "$NSRUN" -U --
	assert_new_ns user as_nobody "$NSRUN" -U -f --
	assert_new_ns user as_nobody "$NSRUN" -Ur --
	assert_new_ns user as_nobody "$NSRUN" -Ur -f --
}
@test "-Ur -m: user and mount namespaces (uid 65534)" { check_flag_nobody m; }
@test "-Ur -n: user and network namespaces (uid 65534)" { check_flag_nobody n; }
@test "-Ur -u: user and UTS namespaces (uid 65534)" { check_flag_nobody u; }
@test "-Ur -i: user and IPC namespaces (uid 65534)" { check_flag_nobody i; }
@test "-Ur -C: user and cgroup namespaces (uid 65534)" { check_flag_nobody C; }
@test "-Ur -T: user and time namespaces (uid 65534)" { check_flag_nobody T; }
@test "-Ur -p: user and PID namespaces (uid 65534)" { check_flag_nobody p; }

# The namespace files of every flag -a stands for.
all_ns_files() {
	local f
	for f in U m p n u i C T; do ns_files_of "$f"; done
}

@test "-a: every namespace type is new (root)" {
	assert_new_ns "$(all_ns_files)" "$NSRUN" -a --
}

@test "-a -r: every namespace type is new (root)" {
	assert_new_ns "$(all_ns_files)" "$NSRUN" -a -r --
}

@test "-a: every namespace type is new (uid 65534)" {
	assert_new_ns "$(all_ns_files)" as_nobody "$NSRUN" -a --
}

@test "-a -r: every namespace type is new (uid 65534)" {
	assert_new_ns "$(all_ns_files)" as_nobody "$NSRUN" -a -r --
}

# Without -r/-M/--map-auto the user namespace has no map. In place nsrun sets
# up (private mounts, loopback) before it executes anything; the staged path
# must manage the same.
@test "-U -m and -U -n without id maps work staged as in place (root and uid 65534)" {
	local w path ns
	for w in "" as_nobody; do
		for ns in m n; do
			for path in "" -f; do
				assert_new_ns "user $(ns_files_of $ns)" $w "$NSRUN" -U -$ns $path --
			done
		done
	done
}

@test "-u: the hostname set inside does not change the host's (root and uid 65534)" {
	local host
	host=$(uname -n)
	local -a who=("" as_nobody)
	local w path
	for w in "${who[@]}"; do
		for path in "" -f; do
			run_t $w "$NSRUN" -Uru $path -- sh -c 'hostname nsrun-uts-test && uname -n'
			show_run $w "$NSRUN" -Uru $path
			[ "$status" -eq 0 ]
			[ "$output" = nsrun-uts-test ]
			[ "$(uname -n)" = "$host" ]
		done
	done
}

@test "-n: the new network namespace has only a loopback device (root and uid 65534)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -f; do
			run_t $w "$NSRUN" -Urn $path -- cat /proc/net/dev
			show_run $w "$NSRUN" -Urn $path
			[ "$status" -eq 0 ]
			[ "$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' <<<"$output")" = lo ]
		done
	done
}

@test "-m: a mount made inside does not appear outside (root, both paths)" {
	local path dir=$TEST_TMP/mnt
	mkdir "$dir"
	for path in "" -f; do
		run_t "$NSRUN" -m $path -- sh -c \
			'mount -t tmpfs nsrun-it "$1" && grep -c " $1 " /proc/self/mountinfo' sh "$dir"
		show_run "$NSRUN" -m $path
		# Should it have leaked, do not leave it behind.
		if grep -q " $dir " /proc/self/mountinfo; then
			umount -l "$dir" || true
			echo "# the mount leaked to the caller's namespace"
			return 1
		fi
		[ "$status" -eq 0 ]
		[ "$output" = 1 ]
	done
}

# --- --join -----------------------------------------------------------------

# Wait until PID runs BINARY (after its set-up) in a net namespace not ours.
target_ready() {
	local pid=$1 bin=$2
	[[ $(readlink "/proc/$pid/exe") == "$bin" &&
		$(readlink "/proc/$pid/ns/net") != "$(readlink /proc/self/ns/net)" ]]
}

@test "--join net: of an 'unshare -n' process, in place and staged (root)" {
	bg_start target unshare -n sleep 1000
	local target=$BG_PID
	retry 10 target_ready "$target" "$(readlink -f "$(command -v sleep)")"
	local want path
	want=$(readlink "/proc/$target/ns/net")
	for path in "" -f -p; do
		run_t "$NSRUN" --join "net:/proc/$target/ns/net" $path -- readlink /proc/self/ns/net
		show_run "$NSRUN" --join "net:/proc/$target/ns/net" $path
		echo "# want $want"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done
}

@test "--join net: of an 'nsrun -n' process (root)" {
	bg_start target "$NSRUN" -n -- sleep 1000
	local target=$BG_PID
	retry 10 target_ready "$target" "$(readlink -f "$(command -v sleep)")"
	local want
	want=$(readlink "/proc/$target/ns/net")
	run_t "$NSRUN" --join "net:/proc/$target/ns/net" -- readlink /proc/self/ns/net
	show_run "$NSRUN" --join "net:/proc/$target/ns/net"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
}

@test "--join uts: the command sees the joined namespace's hostname (root)" {
	bg_start target "$NSRUN" -u -- sh -c 'hostname nsrun-joined && exec sleep 1000'
	local target=$BG_PID
	local sleep_bin
	sleep_bin=$(readlink -f "$(command -v sleep)")
	retry 10 eval '[[ $(readlink /proc/$target/exe) == "$sleep_bin" ]]'
	run_t "$NSRUN" --join "uts:/proc/$target/ns/uts" -- uname -n
	show_run "$NSRUN" --join "uts:/proc/$target/ns/uts"
	[ "$status" -eq 0 ]
	[ "$output" = nsrun-joined ]
	[ "$(uname -n)" != nsrun-joined ]
}

@test "--join user: and net: of an unprivileged sandbox (uid 65534, in place and -p)" {
	bg_start target as_nobody "$NSRUN" -Urn -- sleep 1000
	local target=$BG_PID
	retry 10 target_ready "$target" "$(readlink -f "$(command -v sleep)")"
	local want
	want="$(readlink "/proc/$target/ns/user") $(readlink "/proc/$target/ns/net")"
	local path
	for path in "" -p; do
		run_t as_nobody "$NSRUN" --join "user:/proc/$target/ns/user" \
			--join "net:/proc/$target/ns/net" $path -- \
			sh -c 'echo $(readlink /proc/self/ns/user) $(readlink /proc/self/ns/net)'
		show_run as_nobody "$NSRUN" --join user:... --join net:... $path
		echo "# want $want"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done
}
