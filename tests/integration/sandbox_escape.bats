#!/usr/bin/env bats
# Filesystem steps never reach outside the new root: destinations through
# symlinks (absolute or relative) and .. stay inside it, and nothing mounted
# inside shows in the host's mount table. Plus mount propagation.

load helpers
load sandbox_helpers

# make_evil_rootfs DIR [as_nobody]: a busybox rootfs whose symlinks point out
# of it when followed on the host:
#   etc  -> /                      the root itself
#   lnk  -> /root                  an absolute host path (DIR/root exists)
#   hlnk -> $TEST_TMP/hostdir      a host directory writable by everyone
#                                  (DIR$TEST_TMP/hostdir exists too)
#   dang -> $TEST_TMP/hostdir/dangling-target   missing on both sides
#   up   -> ../../../../../../../..             relative, past the top
# Owned by 65534 for as_nobody, so that its root may create paths in it.
make_evil_rootfs() {
	local dir=$1
	make_busybox_rootfs "$dir"
	rm -rf "${dir:?}/etc"
	ln -s / "$dir/etc"
	ln -s /root "$dir/lnk"
	ln -s "$TEST_TMP/hostdir" "$dir/hlnk"
	ln -s "$TEST_TMP/hostdir/dangling-target" "$dir/dang"
	ln -s ../../../../../../../.. "$dir/up"
	mkdir -p "$dir$TEST_TMP/hostdir"
	if [[ ${2:-} == as_nobody ]]; then
		chown -R -h "$NOBODY_UID:$NOBODY_GID" "$dir"
	fi
}

make_host_side() {
	mkdir -p "$TEST_TMP/hostdir" "$TEST_TMP/src"
	chmod 0777 "$TEST_TMP/hostdir" "$TEST_TMP/src"
	echo from-src >"$TEST_TMP/src/file"
	chmod 0644 "$TEST_TMP/src/file"
}

assert_host_mounts_unchanged() {
	local now
	now=$(cat /proc/self/mountinfo)
	assert_text "$HOST_MOUNTS_BEFORE" "$now"
}

# Every path in HOST_CANARIES is missing on the host; $TEST_TMP/hostdir is
# empty.
assert_host_untouched() {
	local p
	for p in "${HOST_CANARIES[@]}"; do
		if [[ -e $p || -L $p ]]; then
			echo "# created on the host: $p"
			return 1
		fi
	done
	[ -z "$(ls -A "$TEST_TMP/hostdir")" ]
	assert_host_mounts_unchanged
}

@test "escape: destinations through etc -> /, /root, a host directory, .. and ../.. links stay in the rootfs (root and 65534)" {
	make_host_side
	local name w root
	name=$(canary_name)
	HOST_CANARIES+=("/$name" "/x-$name" "/tmp/$name" "/tmp/$name-rel" "/$name-link" "/root/$name"
		"$TEST_TMP/$name-up" "/tmp/nsrun-it-$name")
	for w in "" as_nobody; do
		root=$TEST_TMP/root-$(who $w)
		make_evil_rootfs "$root" $w
		run_t $w "$NSRUN" $(userns_opts $w) -m --rootfs "$root" \
			--tmpfs "/etc/$name" \
			--bind "$TEST_TMP/src" "/etc/x-$name" \
			--dir "/../../../../../../tmp/$name" \
			--dir "/../$name-up" \
			--tmpfs "/lnk/$name" \
			--dir "/hlnk/$name" \
			--bind "$TEST_TMP/src/file" "/hlnk/file-$name" \
			--dir "/up/tmp/$name-rel" \
			--symlink /target "/etc/$name-link" \
			-- /bin/sh -c '
				n=$1
				stat -f -c %T /$n /root/$n
				cat /x-$n/file /hlnk/file-$n
				for d in /tmp/$n /$n-up /hlnk/$n /tmp/$n-rel; do [ -d $d ] && echo dir $d; done
				readlink /$n-link' sh "$name"
		show_run "$(who $w):" nsrun --rootfs EVIL ...
		[ "$status" -eq 0 ]
		assert_text "tmpfs
tmpfs
from-src
from-src
dir /tmp/$name
dir /$name-up
dir /hlnk/$name
dir /tmp/$name-rel
/target" "$output"
		# Created inside the rootfs directory instead.
		[ -d "$root/$name" ]
		[ -d "$root/x-$name" ]
		[ -d "$root/tmp/$name" ]
		[ -d "$root/$name-up" ]
		[ -d "$root/root/$name" ]
		[ -d "$root$TEST_TMP/hostdir/$name" ]
		[ -f "$root$TEST_TMP/hostdir/file-$name" ]
		[ -d "$root/tmp/$name-rel" ]
		[ "$(readlink "$root/$name-link")" = /target ]
		assert_host_untouched
	done
}

@test "escape: a bind or tmpfs on a dangling link to a host path never creates the host path (root and 65534)" {
	make_host_side
	local w root step
	HOST_CANARIES+=("$TEST_TMP/hostdir/dangling-target")
	for w in "" as_nobody; do
		root=$TEST_TMP/root-$(who $w)
		make_evil_rootfs "$root" $w
		for step in "--bind $TEST_TMP/src/file /dang" "--bind $TEST_TMP/src /dang" "--tmpfs /dang" \
			"--dir /dang/sub" "--symlink /x /dang/sub"; do
			run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -m --rootfs "$root" $step -- /bin/true
			show_run "$(who $w):" nsrun --rootfs EVIL $step
			# Refused, or done inside the root: either way not on the host.
			if [ "$status" -ne 0 ]; then
				assert_one_error_line "${step%% *}" /dang
			fi
			assert_host_untouched
			[ -L "$root/dang" ]
		done
	done
}

@test "escape: --chmod and --remount-ro through links act inside the rootfs only (root)" {
	make_host_side
	local root=$TEST_TMP/root
	make_evil_rootfs "$root"
	chmod 0711 "$root/root"
	local host_mode
	host_mode=$(stat -c %a /root)
	run_t "$NSRUN" -m --rootfs "$root" --chmod 0750 /lnk --chmod 0700 /hlnk --tmpfs /lnk/t \
		--remount-ro /lnk/t -- /bin/sh -c 'stat -c %a /root; touch /root/t/x'
	show_run nsrun --rootfs EVIL --chmod 0750 /lnk --chmod 0700 /hlnk
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 750 ]
	[[ $output == *"/root/t/x: Read-only file system"* ]]
	[ "$(stat -c %a /root)" = "$host_mode" ]
	[ "$(stat -c %a "$TEST_TMP/hostdir")" = 777 ]
	[ "$(stat -c %a "$root/root")" = 750 ]
	[ "$(stat -c %a "$root$TEST_TMP/hostdir")" = 700 ]
	assert_host_untouched
}

@test "escape: in the tmpfs root, --symlink / and --symlink to a host path lead nowhere outside (root and 65534)" {
	make_host_side
	local name w
	name=$(canary_name)
	HOST_CANARIES+=("/$name" "/tmp/$name")
	for w in "" as_nobody; do
		run_t $w "$NSRUN" $(userns_opts $w) -m --ro-bind "$ROOTFS/bin" /bin --symlink / /etc \
			--symlink "$TEST_TMP/hostdir" /h --tmpfs "/etc/$name" --dir "/etc/tmp/$name" \
			--dir "/../../tmp/x" -- /bin/sh -c 'ls -A /; ls /tmp'
		show_run "$(who $w):" nsrun --symlink / /etc --tmpfs /etc/$name ...
		[ "$status" -eq 0 ]
		assert_text "bin
etc
h
$name
tmp
$name
x" "$output"
		# /h leads to a path missing inside: refused, not created on the host.
		run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -m --ro-bind "$ROOTFS/bin" /bin \
			--symlink "$TEST_TMP/hostdir" /h --dir "/h/$name" -- /bin/true
		show_run "$(who $w):" nsrun --symlink "$TEST_TMP/hostdir" /h --dir "/h/$name"
		if [ "$status" -ne 0 ]; then
			assert_one_error_line --dir "/h/$name"
		fi
		assert_host_untouched
	done
}

@test "escape: /proc magic links (PID 1's root and cwd, fds) in destinations are refused (root and 65534)" {
	make_host_side
	local name w dest step
	name=$(canary_name)
	HOST_CANARIES+=("/tmp/$name" "/$name" "$TEST_TMP/$name")
	echo secret >"$TEST_TMP/victim"
	chmod 0600 "$TEST_TMP/victim"
	for w in "" as_nobody; do
		# PID 1 is the init stage, still in the host's root while it sets up.
		for dest in "/proc/1/root/tmp/$name" "/proc/self/root/tmp/$name" "/proc/1/cwd/$name" \
			"/proc/self/fd/0/$name"; do
			for step in "--dir $dest" "--tmpfs $dest" "--bind $TEST_TMP/src/file $dest" "--symlink /x $dest"; do
				run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -p -m --rootfs "$ROOTFS" --proc /proc \
					$step -- /bin/touch "/tmp/$name"
				show_run "$(who $w):" nsrun -p --rootfs ROOTFS --proc /proc $step
				assert_one_error_line "${step%% *}" "$dest"
			done
		done
		for step in "--chmod 0666 /proc/1/root$TEST_TMP/victim" "--remount-ro /proc/1/root$TEST_TMP"; do
			run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -p -m --rootfs "$ROOTFS" --proc /proc \
				$step -- /bin/true
			show_run "$(who $w):" nsrun -p --rootfs ROOTFS --proc /proc $step
			assert_one_error_line "${step%% *}" "/proc/1/root$TEST_TMP"
		done
		[ "$(stat -c %a "$TEST_TMP/victim")" = 600 ]
		assert_host_untouched
	done
}

@test "escape: nothing a sandbox mounts shows in the host's mount table, even while it runs (root and 65534)" {
	make_host_side
	local w
	for w in "" as_nobody; do
		bg_start sandbox $w "$NSRUN" $(userns_opts $w) -p -m --rootfs "$ROOTFS" --proc /proc --dev /dev \
			--tmpfs /tmp --bind "$TEST_TMP/src" /mnt -- /bin/sh -c ': >/tmp/up; exec sleep 1000'
		local pid=$BG_PID
		retry 10 eval '[[ -n $(staged_child $pid) ]]'
		local init
		init=$(staged_child "$pid")
		retry 10 test -e "/proc/$init/root/tmp/up"
		# The sandbox's own view has the mounts; ours does not.
		grep -q ' /mnt ' "/proc/$init/mountinfo"
		assert_host_mounts_unchanged
		kill -KILL "$pid"
		bg_wait "$pid" 10
	done
}

# --- propagation ------------------------------------------------------------

# propagation.sh NSRUN DIR [OPTION...]: in a private mount namespace of its
# own (unshare -m) this script plays the host: DIR becomes a shared tmpfs
# mount. The sandbox (nsrun -m OPTION...) mounts DIR/in and, once the outer
# side has mounted DIR/out, reports whether it sees it (bounded wait); then
# the outer side reports whether it sees DIR/in.
PROPAGATION_SCRIPT='
set -e
nsrun=$1 d=$2
shift 2
mount -t tmpfs -o mode=0755 prop "$d"
mount --make-shared "$d"
mkdir "$d/in" "$d/out"
"$nsrun" -m "$@" -- sh -c "
	mount -t tmpfs inside \"$d/in\"
	: >\"$d/ready\"
	i=0
	while [ ! -e \"$d/out-done\" ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
	echo inside sees out: \$(grep -c \" $d/out \" /proc/self/mountinfo)" &
i=0
while [ ! -e "$d/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
mount -t tmpfs outside "$d/out"
: >"$d/out-done"
wait $!
echo outside sees in: $(grep -c " $d/in " /proc/self/mountinfo || true)
'

# run_propagation [OPTION...]: sets INSIDE and OUTSIDE (0 or 1).
run_propagation() {
	mkdir -p "$TEST_TMP/prop"
	run_t unshare -m --propagation private sh -c "$PROPAGATION_SCRIPT" sh "$NSRUN" "$TEST_TMP/prop" "$@"
	show_run unshare -m propagation.sh nsrun -m "$@"
	[ "$status" -eq 0 ]
	INSIDE=$(sed -n 's/^inside sees out: //p' <<<"$output")
	OUTSIDE=$(sed -n 's/^outside sees in: //p' <<<"$output")
	[ -n "$INSIDE" ]
	[ -n "$OUTSIDE" ]
}

@test "propagation: private by default and with --propagation private: no mount crosses either way (root)" {
	run_propagation
	[ "$OUTSIDE" = 0 ]
	[ "$INSIDE" = 0 ]
	run_propagation --propagation private
	[ "$OUTSIDE" = 0 ]
	[ "$INSIDE" = 0 ]
}

@test "propagation: --propagation shared: mounts cross both ways (root)" {
	run_propagation --propagation shared
	[ "$OUTSIDE" = 1 ]
	[ "$INSIDE" = 1 ]
}

@test "propagation: --propagation slave: the host's mounts come in, the sandbox's stay in (root)" {
	run_propagation --propagation slave
	[ "$OUTSIDE" = 0 ]
	[ "$INSIDE" = 1 ]
}

@test "propagation: --propagation unbindable: / is unbindable inside, no mount crosses (root)" {
	run_propagation --propagation unbindable
	[ "$OUTSIDE" = 0 ]
	[ "$INSIDE" = 0 ]
	run_t "$NSRUN" -m --propagation unbindable -- awk '$5 == "/" { print }' /proc/self/mountinfo
	show_run nsrun -m --propagation unbindable
	[ "$status" -eq 0 ]
	[[ $output == *" unbindable "* ]]
}

# check_propagation VALUE FLAG: --propagation VALUE works as root and as
# 65534, without a new root (the / line of mountinfo then shows FLAG, or no
# optional field for an empty FLAG) and with one: --rootfs, --proc and a bind.
# Whatever is mounted inside stays there.
check_propagation() {
	local p=$1 flag=$2 w
	mkdir -p "$TEST_TMP/m" "$TEST_TMP/src"
	chmod 0777 "$TEST_TMP/m" "$TEST_TMP/src"
	for w in "" as_nobody; do
		run_t $w "$NSRUN" $(userns_opts $w) -m --propagation "$p" -- sh -c '
			mount -t tmpfs inside "$1" && grep -c " $1 " /proc/self/mountinfo
			awk "\$5 == \"/\" { print \$7 }" /proc/self/mountinfo' sh "$TEST_TMP/m"
		show_run "$(who $w):" nsrun -m --propagation "$p"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = 1 ]
		if [[ -z $flag ]]; then
			[ "${lines[1]}" = - ]
		else
			[[ ${lines[1]} == "$flag"* ]]
		fi
		run_t $w "$NSRUN" $(userns_opts $w) -p -m --propagation "$p" --rootfs "$ROOTFS" --proc /proc \
			--ro-bind "$TEST_TMP/src" /mnt -- /bin/sh -c 'mountinfo-of /proc; mountinfo-of /mnt'
		show_run "$(who $w):" nsrun -p -m --propagation "$p" --rootfs ROOTFS --proc /proc --ro-bind SRC /mnt
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "proc "* ]]
		[[ ${lines[1]} == *" ro,"* ]]
		assert_host_mounts_unchanged
	done
}

@test "propagation: --propagation private works with and without a new root (root and 65534)" {
	check_propagation private ""
}

@test "propagation: --propagation slave works with and without a new root (root and 65534)" {
	# Slave of a private mount: private.
	check_propagation slave ""
}

@test "propagation: --propagation shared works with and without a new root (root and 65534)" {
	check_propagation shared shared:
}

@test "propagation: --propagation unbindable works with and without a new root (root and 65534)" {
	check_propagation unbindable unbindable
}

@test "propagation: an unknown value is an error naming it" {
	run_t --separate-stderr "$NSRUN" -m --propagation sideways -- touch "$TEST_TMP/ran"
	show_run nsrun -m --propagation sideways
	assert_one_error_line --propagation sideways
	[ ! -e "$TEST_TMP/ran" ]
}
