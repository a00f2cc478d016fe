#!/usr/bin/env bats
# --sandbox: -a -r, --ro-bind / /, --proc /proc, --dev /dev, --tmpfs /tmp,
# --hostname nsrun, loopback only; later options add to it or override it.

load helpers
load sandbox_helpers

# The ns-list script's text: the script itself lives under /tmp, which the
# preset covers with a tmpfs.
ns_list_text() { cat "$NS_LIST"; }

@test "--sandbox: all eight namespaces are new (root and 65534)" {
	local w outside got want
	want=$(sorted_words "user mnt pid pid_for_children net uts ipc cgroup time time_for_children")
	outside=$("$NS_LIST")
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox -- sh -c "$(ns_list_text)"
		show_run "$(who $w):" nsrun --sandbox -- ns-list
		[ "$status" -eq 0 ]
		got=$(ns_changed "$outside" "$output")
		echo "# new: '$got'"
		[ "$got" = "$want" ]
	done
}

@test "--sandbox: root inside, hostname nsrun, only lo and it is UP (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox -- sh -c 'id -u; id -g; hostname; /bin/busybox ip -o link'
		show_run "$(who $w):" nsrun --sandbox
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 4 ]
		assert_text $'0\n0\nnsrun' "$(head -3 <<<"$output")"
		[[ ${lines[3]} =~ ^1:\ lo:\ \<([A-Z_,]+)\> ]]
		[[ ,${BASH_REMATCH[1]}, == *,UP,* ]]
	done
}

@test "--sandbox: the host's files are readable, a write to /usr or /etc fails with EROFS (root and 65534)" {
	local name w
	name=$(canary_name)
	HOST_CANARIES+=("/usr/$name" "/etc/$name")
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox -- sh -c '
			cat /etc/os-release
			touch "/usr/$1"
			touch "/etc/$1"' sh "$name"
		show_run "$(who $w):" nsrun --sandbox -- touch /usr/... /etc/...
		[ "$status" -ne 0 ]
		[[ $output == "$(cat /etc/os-release)"* ]]
		[[ $output == *"/usr/$name"*"Read-only file system"* ]]
		[[ $output == *"/etc/$name"*"Read-only file system"* ]]
		[ ! -e "/usr/$name" ]
		[ ! -e "/etc/$name" ]
	done
}

@test "--sandbox: /tmp is an empty, writable tmpfs that the host never sees (root and 65534)" {
	local name w
	name=$(canary_name)
	HOST_CANARIES+=("/tmp/$name")
	# Something in the host's /tmp that must not show inside.
	[ -n "$(ls -A /tmp)" ]
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox -- sh -c '
			ls -A /tmp | wc -l
			stat -f -c %T /tmp
			echo data >"/tmp/$1" && cat "/tmp/$1"' sh "$name"
		show_run "$(who $w):" nsrun --sandbox -- /tmp
		[ "$status" -eq 0 ]
		assert_text $'0\ntmpfs\ndata' "$output"
		[ ! -e "/tmp/$name" ]
	done
}

@test "--sandbox: /proc shows only the sandbox's processes, /dev is the minimal one (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox -- sh -c '
			echo $$
			ls /proc | grep -c "^[0-9][0-9]*$"
			ls -A /dev | sort | tr "\n" " "'
		show_run "$(who $w):" nsrun --sandbox -- ls /proc /dev
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = 1 ]
		# sh, ls and grep at most.
		[ "${lines[1]}" -ge 1 ]
		[ "${lines[1]}" -le 3 ]
		[ "${lines[2]}" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
	done
}

@test "--sandbox --hostname x: a later option overrides the preset's hostname (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox --hostname x -- hostname
		show_run "$(who $w):" nsrun --sandbox --hostname x
		[ "$status" -eq 0 ]
		[ "$output" = x ]
	done
}

@test "--sandbox --share-net: the host's network namespace and interfaces (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox --share-net -- sh -c 'readlink /proc/self/ns/net; /bin/busybox ip -o link'
		show_run "$(who $w):" nsrun --sandbox --share-net
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
		assert_text "$(/bin/busybox ip -o link | link_names)" "$(tail -n +2 <<<"$output" | link_names)"
	done
}

@test "--sandbox with more steps: a --bind under its /tmp adds to the preset, a --tmpfs over a read-only host path is writable" {
	mkdir -m 0777 "$TEST_TMP/work"
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" --sandbox --bind "$TEST_TMP/work" /tmp/work-dir --tmpfs /usr/local -- sh -c '
			echo out >/tmp/work-dir/from-inside
			touch /usr/local/x && echo usr-local-writable
			touch /usr/y 2>/dev/null || echo usr-still-ro'
		show_run "$(who $w):" nsrun --sandbox --bind work /tmp/work-dir --tmpfs /usr/local
		[ "$status" -eq 0 ]
		assert_text $'usr-local-writable\nusr-still-ro' "$output"
		[ "$(cat "$TEST_TMP/work/from-inside")" = out ]
		rm -f "$TEST_TMP/work/from-inside"
	done
	[ ! -e /usr/local/x ]
}

@test "--sandbox --map-auto (nsrun-test): the subordinate range replaces the root-only map" {
	run_t as_test_user "$NSRUN" --sandbox --map-auto -- sh -c 'id -u; cat /proc/self/uid_map'
	show_run as_test_user nsrun --sandbox --map-auto
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(tail -n +2 <<<"$output" | norm_map)" = "0 $TEST_USER_UID 1"$'\n'"1 $(subid_range /etc/subuid)" ]
}

@test "--boot without --rootfs: 125, one line naming --boot and --rootfs, nothing runs" {
	run_t --separate-stderr "$NSRUN" --boot -- touch "$TEST_TMP/ran"
	show_run nsrun --boot -- touch
	assert_one_error_line --boot --rootfs
	[ ! -e "$TEST_TMP/ran" ]
}

@test "--boot: the sandbox systemd expects (tmpfs /run, /run/lock, /tmp; container=nsrun; PID 1; a cgroup of its own), here with a shell as COMMAND" {
	run_t --separate-stderr "$NSRUN" --boot --rootfs "$ROOTFS" -- /bin/sh -c '
		echo "pid $$ container=$container"
		for d in /run /run/lock /tmp /sys/fs/cgroup; do
			awk -v d="$d" '\''$5 == d { i = 7; while ($i != "-") i++; print d, $(i + 1) }'\'' \
				/proc/self/mountinfo | tail -n 1
		done
		cat /proc/self/cgroup | sed -n "s|^[0-9]*:[^:]*:||p" | sort -u'
	show_run nsrun --boot --rootfs ROOTFS -- sh
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pid 1 container=nsrun" ]
	[ "${lines[1]}" = "/run tmpfs" ]
	[ "${lines[2]}" = "/run/lock tmpfs" ]
	[ "${lines[3]}" = "/tmp tmpfs" ]
	[[ ${lines[4]} == "/sys/fs/cgroup "* ]]
	# In its cgroup namespace, the cgroup of its own is its root.
	[ "${lines[5]}" = / ]
	[ "${#lines[@]}" -eq 6 ]
}
