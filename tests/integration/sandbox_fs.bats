#!/usr/bin/env bats
# The new root: --rootfs, --proc, --dev, --no-pivot, the bind steps and the
# other filesystem steps, in argument order. As root (no user namespace) and
# as uid 65534 (-r: root mapped in a new user namespace).

load helpers
load sandbox_helpers

# run_rootfs W [NSRUN OPTIONS...] -- CMD...: nsrun with W's user namespace
# options, a new mount and PID namespace and the shared ROOTFS.
run_rootfs() {
	local w=$1
	shift
	run_t $w "$NSRUN" $(userns_opts $w) -p -m --rootfs "$ROOTFS" "$@"
	show_run "$(who $w):" nsrun --rootfs ROOTFS "$@"
}

# --- the new root -----------------------------------------------------------

@test "--rootfs: / is the rootfs, with its own /etc/passwd (root and 65534, pivot_root and --no-pivot)" {
	local w piv want
	want=$(ls "$ROOTFS")
	for w in "" as_nobody; do
		for piv in "" --no-pivot; do
			run_rootfs "$w" $piv --proc /proc --dev /dev -- /bin/sh -c 'ls /; echo --; cat /etc/passwd'
			[ "$status" -eq 0 ]
			assert_text "$want"$'\n'--$'\n'"$(cat "$ROOTFS/etc/passwd")" "$output"
		done
	done
}

@test "--proc /proc with -p: a fresh proc in which the command is PID 1 and almost alone (root and 65534, both switches)" {
	local w piv
	for w in "" as_nobody; do
		for piv in "" --no-pivot; do
			run_rootfs "$w" $piv --proc /proc --dev /dev -- /bin/sh -c \
				'echo $$; stat -f -c %T /proc; ls /proc | grep -c "^[0-9][0-9]*$"; mountinfo-of /proc'
			[ "$status" -eq 0 ]
			[ "${lines[0]}" = 1 ]
			[ "${lines[1]}" = proc ]
			# sh, ls and grep at most; the host has far more.
			[ "${lines[2]}" -ge 1 ]
			[ "${lines[2]}" -le 3 ]
			[[ ${lines[3]} == "proc "* ]]
		done
	done
}

@test "--dev /dev: exactly null zero full random urandom tty pts ptmx shm fd stdin stdout stderr (root and 65534)" {
	local w piv want
	want=$(printf '%s\n' null zero full random urandom tty pts ptmx shm fd stdin stdout stderr | sort)
	for w in "" as_nobody; do
		for piv in "" --no-pivot; do
			run_rootfs "$w" $piv --proc /proc --dev /dev -- /bin/sh -c 'ls -A /dev | sort'
			[ "$status" -eq 0 ]
			assert_text "$want" "$output"
		done
	done
}

@test "--dev /dev: the nodes work, /dev/pts is a new devpts, std links lead to the descriptors (root and 65534)" {
	local w piv
	for w in "" as_nobody; do
		for piv in "" --no-pivot; do
			run_rootfs "$w" $piv --proc /proc --dev /dev -- /bin/sh -c '
				echo discard >/dev/null && echo null-ok
				head -c 5 /dev/zero | wc -c
				head -c 5 /dev/urandom | wc -c
				echo x 2>/dev/null >/dev/full || echo full-refuses
				stat -f -c %T /dev/pts
				ls /dev/pts
				for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done
				echo through-dev-stdin | cat /dev/stdin
				stat -c %a /dev/shm'
			[ "$status" -eq 0 ]
			local want
			want=$(printf '%s\n' null-ok 5 5 full-refuses devpts ptmx pts/ptmx /proc/self/fd \
				/proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 through-dev-stdin 1777)
			assert_text "$want" "$output"
		done
	done
}

@test "without --rootfs: the new root is an empty tmpfs holding only what the steps create" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" $(userns_opts $w) -m --ro-bind "$ROOTFS/bin" /bin --dir /made/here -- \
			/bin/sh -c 'ls -A /; stat -f -c %T /; ls -A /made'
		show_run "$(who $w):" nsrun -m --ro-bind ROOTFS/bin /bin --dir /made/here
		[ "$status" -eq 0 ]
		assert_text $'bin\nmade\ntmpfs\nhere' "$output"
	done
}

@test "steps on / itself: --tmpfs /, --bind DIR / and --remount-ro / (root and 65534)" {
	local w
	for w in "" as_nobody; do
		# A tmpfs over the rootfs: only what later steps put there.
		run_t $w "$NSRUN" $(userns_opts $w) -m --rootfs "$ROOTFS" --tmpfs / --ro-bind "$ROOTFS/bin" /bin -- \
			/bin/sh -c 'ls -A /; stat -f -c %T /'
		show_run "$(who $w):" nsrun --rootfs ROOTFS --tmpfs / --ro-bind ROOTFS/bin /bin
		[ "$status" -eq 0 ]
		assert_text $'bin\ntmpfs' "$output"
		# Without --rootfs: the bound directory becomes the root.
		run_t $w "$NSRUN" $(userns_opts $w) -m --ro-bind "$ROOTFS" / --tmpfs /tmp -- /bin/sh -c \
			'ls /; touch /tmp/ok && echo tmp-ok; touch /new'
		show_run "$(who $w):" nsrun --ro-bind ROOTFS / --tmpfs /tmp
		[ "$status" -ne 0 ]
		assert_text "$(ls "$ROOTFS")"$'\ntmp-ok' "$(head -n -1 <<<"$output")"
		[[ ${lines[-1]} == *"/new: Read-only file system"* ]]
		# The whole rootfs read-only.
		run_t $w "$NSRUN" $(userns_opts $w) -m --rootfs "$ROOTFS" --remount-ro / -- /bin/touch /new
		show_run "$(who $w):" nsrun --rootfs ROOTFS --remount-ro /
		[ "$status" -ne 0 ]
		[[ $output == *"/new: Read-only file system"* ]]
	done
}

# --- binds ------------------------------------------------------------------

make_src() {
	SRC=$TEST_TMP/src
	mkdir -p "$SRC/sub"
	echo hello >"$SRC/file"
	chmod 0777 "$SRC" "$SRC/sub"
	chmod 0666 "$SRC/file"
}

@test "--bind: the source's files, writable, writes reach the host source (root and 65534)" {
	make_src
	local w owner
	for w in "" as_nobody; do
		run_rootfs "$w" --bind "$SRC" /mnt -- /bin/sh -c 'cat /mnt/file; ls /mnt; echo written >/mnt/new'
		[ "$status" -eq 0 ]
		assert_text $'hello\nfile\nsub' "$output"
		[ "$(cat "$SRC/new")" = written ]
		owner=0
		[[ -n $w ]] && owner=$NOBODY_UID
		[ "$(stat -c %u "$SRC/new")" = "$owner" ]
		rm -f "$SRC/new"
	done
}

@test "--ro-bind: reads work, a write fails with EROFS (root and 65534)" {
	make_src
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --ro-bind "$SRC" /mnt -- /bin/sh -c 'cat /mnt/file; echo x >/mnt/new'
		[ "$status" -ne 0 ]
		[ "${lines[0]}" = hello ]
		[[ $output == *"/mnt/new: Read-only file system"* ]]
		# Even the owner of a file cannot write it through the bind.
		run_rootfs "$w" --ro-bind "$SRC" /mnt -- /bin/sh -c 'echo x >>/mnt/file'
		[ "$status" -ne 0 ]
		[[ $output == *"Read-only file system"* ]]
		[ ! -e "$SRC/new" ]
		[ "$(cat "$SRC/file")" = hello ]
	done
}

@test "--ro-bind is recursive: a tmpfs mounted below the source is read-only too (root)" {
	make_src
	# The submount lives in a private mount namespace of its own.
	local script
	script=$(write_script submount.sh <<-'EOF'
		#!/bin/sh
		mount -t tmpfs -o mode=0777 none "$1/sub" || exit 99
		echo on-the-host-side >"$1/sub/host-file"
		exec "$2" -p -m --rootfs "$3" --proc /proc --ro-bind "$1" /mnt -- /bin/sh -c '
			cat /mnt/sub/host-file
			mountinfo-of /mnt/sub
			echo x >/mnt/sub/new'
	EOF
	)
	run_t unshare -m --propagation private "$script" "$SRC" "$NSRUN" "$ROOTFS"
	show_run unshare -m "$script"
	[ "$status" -ne 0 ]
	[ "$status" -ne 99 ]
	[ "${lines[0]}" = on-the-host-side ]
	[[ ${lines[1]} == "tmpfs ro,"* ]]
	[[ $output == *"/mnt/sub/new: Read-only file system"* ]]
}

@test "--ro-bind / / is recursive: the host's /dev/shm mount is read-only, a later --tmpfs /tmp is not (root and 65534)" {
	mountpoint -q /dev/shm
	[ "$(stat -c %a /dev/shm)" = 1777 ]
	local name w
	name=$(canary_name)
	HOST_CANARIES+=("/dev/shm/$name")
	for w in "" as_nobody; do
		run_t $w "$NSRUN" $(userns_opts $w) -m --ro-bind / / --tmpfs /tmp -- sh -c '
			if echo x >"/dev/shm/$1"; then echo shm-written; fi
			echo y >/tmp/ok && cat /tmp/ok' sh "$name"
		show_run "$(who $w):" nsrun -m --ro-bind / / --tmpfs /tmp
		[ "$status" -eq 0 ]
		[[ $output == *"/dev/shm/$name: Read-only file system"* ]]
		[[ $output != *shm-written* ]]
		[ "${lines[-1]}" = y ]
		[ ! -e "/dev/shm/$name" ]
	done
}

@test "--dev-bind allows opening devices; --bind and a --bind of a node are nodev (root)" {
	run_rootfs "" --dev /dev --tmpfs /mnt --bind /dev /mnt/nodev --dev-bind /dev /mnt/dev \
		--bind /dev/null /mnt/null -- /bin/sh -c '
		head -c 4 /mnt/dev/zero | wc -c
		echo x >/mnt/dev/null && echo dev-null-ok
		if head -c 4 /mnt/nodev/zero >/dev/null; then echo nodev-opened; fi
		if echo x >/mnt/null; then echo null-node-opened; fi
		stat -c %F /mnt/null'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 4 ]
	[ "${lines[1]}" = dev-null-ok ]
	[[ $output != *opened* ]]
	[[ $output == *"/mnt/nodev/zero: Permission denied"* ]]
	[[ $output == *"/mnt/null: Permission denied"* ]]
	[ "${lines[-1]}" = "character special file" ]
}

@test "--bind-try, --ro-bind-try, --dev-bind-try: a missing source is skipped, an existing one bound (root and 65534)" {
	make_src
	local w missing=$TEST_TMP/no/such/source
	for w in "" as_nobody; do
		run_rootfs "$w" --tmpfs /mnt --bind-try "$missing" /mnt/a --ro-bind-try "$missing" /mnt/b \
			--dev-bind-try "$missing" /mnt/c --ro-bind-try "$SRC" /mnt/d -- \
			/bin/sh -c 'ls -A /mnt; cat /mnt/d/file; echo x >/mnt/d/new'
		[ "$status" -ne 0 ]
		# Skipped steps create no destination.
		assert_text $'d\nhello' "$(head -2 <<<"$output")"
		[[ $output == *"Read-only file system"* ]]
		[ ! -e "$missing" ]
		[ ! -e "$SRC/new" ]
	done
}

@test "--bind, --ro-bind, --dev-bind of a missing source: 125, one line naming it, the command does not run" {
	local w opt missing=$TEST_TMP/no/such/source
	for w in "" as_nobody; do
		for opt in --bind --ro-bind --dev-bind; do
			run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -m --rootfs "$ROOTFS" --tmpfs /mnt \
				"$opt" "$missing" /mnt/x -- /bin/touch "$TEST_TMP/ran"
			show_run "$(who $w):" nsrun "$opt" "$missing" /mnt/x
			assert_one_error_line "$opt" "$missing"
			[ ! -e "$TEST_TMP/ran" ]
		done
	done
}

@test "missing destinations are created: a file for a file source, a directory for a directory source (root and 65534)" {
	make_src
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --tmpfs /mnt --bind "$SRC/file" /mnt/a/b/file --bind "$SRC" /mnt/c/d -- \
			/bin/sh -c 'stat -c %F /mnt/a/b/file /mnt/a/b /mnt/c/d; cat /mnt/a/b/file; ls /mnt/c/d'
		[ "$status" -eq 0 ]
		assert_text $'regular file\ndirectory\ndirectory\nhello\nfile\nsub' "$output"
	done
}

@test "missing destinations are created in the rootfs directory itself (root and 65534)" {
	make_src
	local w root
	for w in "" as_nobody; do
		root=$TEST_TMP/root-$(who $w)
		make_busybox_rootfs "$root"
		[[ -n $w ]] && chown -R "$NOBODY_UID:$NOBODY_GID" "$root"
		run_t $w "$NSRUN" $(userns_opts $w) -m --rootfs "$root" --bind "$SRC/file" /new/dir/file \
			--ro-bind "$SRC" /newdir -- /bin/cat /new/dir/file /newdir/file
		show_run "$(who $w):" nsrun --rootfs "$root" --bind ... /new/dir/file --ro-bind ... /newdir
		[ "$status" -eq 0 ]
		[ "$output" = $'hello\nhello' ]
		# Left behind as mount points, empty.
		[ -f "$root/new/dir/file" ]
		[ ! -s "$root/new/dir/file" ]
		[ -d "$root/newdir" ]
		[ -z "$(ls -A "$root/newdir")" ]
	done
}

# --- other steps ------------------------------------------------------------

@test "--tmpfs with --size and --perms: the mode, the size in mountinfo and df, a write past it fails (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --proc /proc --dev /dev --size 2m --perms 1770 --tmpfs /mnt --tmpfs /tmp -- /bin/sh -c '
			stat -c %a /mnt /tmp
			df -k /mnt | awk "NR == 2 { print \$2 }"
			mountinfo-of /mnt
			head -c 3000000 /dev/zero >/mnt/big 2>/dev/null || echo write-failed
			wc -c </mnt/big'
		[ "$status" -eq 0 ]
		# --perms and --size are for the next --tmpfs only.
		[ "${lines[0]}" = 1770 ]
		[ "${lines[1]}" = 755 ]
		[ "${lines[2]}" = 2048 ]
		local fstype opts super
		read -r fstype opts super <<<"${lines[3]}"
		[ "$fstype" = tmpfs ]
		[[ ,$super, == *,size=2048k,* && ,$super, == *,mode=1770,* ]]
		[ "${lines[4]}" = write-failed ]
		[ "${lines[5]}" -le $((2 * 1024 * 1024)) ]
	done
}

@test "--dir with --perms: the mode of that directory only; parents and later ones are 0755 (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --tmpfs /mnt --perms 0711 --dir /mnt/d --dir /mnt/e --perms 0700 --dir /mnt/f/g -- \
			/bin/stat -c '%a %F %n' /mnt/d /mnt/e /mnt/f /mnt/f/g
		[ "$status" -eq 0 ]
		assert_text "711 directory /mnt/d
755 directory /mnt/e
755 directory /mnt/f
700 directory /mnt/f/g" "$output"
	done
}

@test "--symlink: the link inside; an identical existing one is fine, a different one an error (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --tmpfs /mnt --symlink /etc/passwd /mnt/pw --symlink ../etc /mnt/rel \
			--symlink /etc/passwd /mnt/pw -- /bin/sh -c 'readlink /mnt/pw; readlink /mnt/rel; grep -c "^app:" /mnt/pw /mnt/rel/passwd'
		[ "$status" -eq 0 ]
		assert_text $'/etc/passwd\n../etc\n/mnt/pw:1\n/mnt/rel/passwd:1' "$output"
		run_t --separate-stderr $w "$NSRUN" $(userns_opts $w) -m --rootfs "$ROOTFS" --tmpfs /mnt \
			--symlink /a /mnt/l --symlink /b /mnt/l -- /bin/touch "$TEST_TMP/ran"
		show_run "$(who $w):" nsrun --symlink /a /mnt/l --symlink /b /mnt/l
		assert_one_error_line --symlink /mnt/l
		[ ! -e "$TEST_TMP/ran" ]
	done
}

@test "--remount-ro: a tmpfs and a bind become read-only inside, the host source stays writable (root and 65534)" {
	make_src
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --proc /proc --tmpfs /mnt --bind "$SRC" /mnt/src --remount-ro /mnt/src \
			--remount-ro /mnt -- /bin/sh -c '
			mountinfo-of /mnt; mountinfo-of /mnt/src
			touch /mnt/new; touch /mnt/src/new'
		[ "$status" -ne 0 ]
		[[ ${lines[0]} == "tmpfs ro,"* ]]
		[[ ${lines[1]} == *" ro,"* ]]
		[[ $output == *"/mnt/new: Read-only file system"* ]]
		[[ $output == *"/mnt/src/new: Read-only file system"* ]]
		[ ! -e "$SRC/new" ]
		touch "$SRC/new" && rm "$SRC/new"
	done
}

@test "--chmod: the mode of a directory made by an earlier step and of a tmpfs root (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_rootfs "$w" --tmpfs /mnt --dir /mnt/d --chmod 0700 /mnt/d --chmod 1777 /mnt -- \
			/bin/stat -c '%a %n' /mnt/d /mnt
		[ "$status" -eq 0 ]
		assert_text $'700 /mnt/d\n1777 /mnt' "$output"
	done
}

@test "--mqueue: a message queue filesystem at DEST (root; 65534 with its own IPC namespace)" {
	local w ipc
	for w in "" as_nobody; do
		ipc=""
		[[ -n $w ]] && ipc=-i
		run_rootfs "$w" $ipc --proc /proc --dev /dev --mqueue /dev/mqueue -- /bin/sh -c \
			'mountinfo-of /dev/mqueue; ls -A /dev/mqueue | wc -l'
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == "mqueue "* ]]
		[ "${lines[1]}" = 0 ]
	done
}

@test "steps apply in argument order: a --tmpfs hides an earlier --bind, a later --bind shows over a --tmpfs" {
	make_src
	local w
	for w in "" as_nobody; do
		# The --bind creates /mnt/a/b (and /mnt/a); the --tmpfs on /mnt/a hides it.
		run_rootfs "$w" --tmpfs /mnt --bind "$SRC" /mnt/a/b --tmpfs /mnt/a -- /bin/ls -A /mnt/a
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		run_rootfs "$w" --tmpfs /mnt --tmpfs /mnt/a --bind "$SRC" /mnt/a -- /bin/ls -A /mnt/a
		[ "$status" -eq 0 ]
		assert_text $'file\nsub' "$output"
		# A --dir after a --ro-bind cannot create inside it.
		run_rootfs "$w" --tmpfs /mnt --ro-bind "$SRC" /mnt/a --dir /mnt/a/new -- /bin/true
		[ "$status" -eq 125 ]
		[[ $output == *"--dir /mnt/a/new"*"Read-only file system"* ]]
		[ ! -e "$SRC/new" ]
	done
}

# options.c: "--perms and --size apply to the next step that takes them";
# --help: "--perms MODE  octal mode of the next --tmpfs or --dir".
@test "--perms and --size pass over steps that do not take them to the next --tmpfs or --dir" {
	make_src
	run_rootfs "" --proc /proc --tmpfs /mnt --perms 0700 --size 1m --bind "$SRC" /mnt/b \
		--tmpfs /mnt/t -- /bin/sh -c 'stat -c %a /mnt/t; mountinfo-of /mnt/t'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 700 ]
	[[ ${lines[1]} == *,size=1024k* ]]
	run_rootfs "" --tmpfs /mnt --perms 0700 --symlink x /mnt/l --dir /mnt/d -- /bin/stat -c %a /mnt/d
	[ "$status" -eq 0 ]
	[ "$output" = 700 ]
}

@test "bad --perms, --size and --chmod values, and a dangling --perms: 125 naming the option" {
	local args
	for args in "--perms 800 --tmpfs /mnt" "--perms x --dir /mnt/d" "--size 0 --tmpfs /mnt" \
		"--size 5q --tmpfs /mnt" "--chmod 9 /mnt" "--tmpfs /mnt --perms 0700" "--tmpfs /mnt --size 1m"; do
		run_t --separate-stderr "$NSRUN" -m --rootfs "$ROOTFS" $args -- /bin/touch "$TEST_TMP/ran"
		show_run nsrun $args
		local opt=${args%% *}
		[[ $args == "--tmpfs /mnt --"* ]] && opt="--perms or --size"
		assert_one_error_line "$opt"
		[ ! -e "$TEST_TMP/ran" ]
	done
}
