#!/usr/bin/env bats
# --mask and --ro on chosen paths: a masked file reads empty and nothing
# written to it reaches the file; a masked directory is empty and
# read-only; a --ro directory keeps its content, read-only, recursively.
# Missing paths are skipped. Without a new root (in place and staged) and
# in one (--rootfs, --sandbox).

load helpers
load sandbox_helpers
load attack_helpers

# The host side, D: file, dir/inner, ro/file and ro/sub/file, writable by
# everyone; HOST_BEFORE records it.
make_paths() {
	D=$TEST_TMP/paths
	mkdir -p "$D/dir" "$D/ro/sub"
	echo file-content >"$D/file"
	echo inner-content >"$D/dir/inner"
	echo ro-content >"$D/ro/file"
	echo sub-content >"$D/ro/sub/file"
	chmod -R a+rwX "$D"
	HOST_BEFORE=$(cd "$D" && find . -printf '%p %y %s\n' | sort; cat file dir/inner ro/file ro/sub/file)
}

assert_host_paths_unchanged() {
	assert_text "$HOST_BEFORE" "$(cd "$D" && find . -printf '%p %y %s\n' | sort; cat file dir/inner ro/file ro/sub/file)"
}

# The command: reads and writes each path; $1 is where D is inside. try
# CMD LABEL prints "LABEL: ok" or "LABEL: " and the error's last part.
PATHS_SCRIPT='
	d=$1
	try() { if out=$( (eval "$1") 2>&1 ); then echo "$2: ok"; else echo "$2: ${out##*: }"; fi; }
	echo "file: [$(cat $d/file)]"
	try "echo overwritten >$d/file" "file write"
	echo "file after: [$(cat $d/file)]"
	echo "dir: [$(ls -A $d/dir | tr "\n" " ")]"
	try ": >$d/dir/new" "dir create"
	echo "ro: [$(cat $d/ro/file) $(cat $d/ro/sub/file)]"
	try "echo x >>$d/ro/file" "ro write"
	try ": >$d/ro/sub/new" "ro sub create"
	try ": >$d/ro/new" "ro create"
	echo end'

# A masked file takes writes (it is /dev/null) and still reads empty.
PATHS_EXPECTED='file: []
file write: ok
file after: []
dir: []
dir create: Read-only file system
ro: [ro-content sub-content]
ro write: Read-only file system
ro sub create: Read-only file system
ro create: Read-only file system
end'

@test "--mask and --ro without a new root: a file reads empty and keeps its content, a directory is empty and read-only, --ro is read-only recursively; missing paths skipped (root and 65534, in place and staged)" {
	make_paths
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			run_n $w -Ur $path --mask "$D/file" --mask "$D/dir" --ro "$D/ro" \
				--mask "$D/missing" --ro "$D/missing/too" --mask /no/such/path -- \
				/bin/sh -c "$PATHS_SCRIPT" sh "$D"
			show_run "$(who $w):" nsrun -Ur $path --mask FILE --mask DIR --ro RO --mask MISSING ...
			[ "$status" -eq 0 ]
			assert_text "$PATHS_EXPECTED" "$output"
			assert_host_paths_unchanged
			# Not created by the skipped steps either.
			[ ! -e "$D/missing" ]
			[ ! -e /no/such/path ]
		done
	done
}

@test "--mask and --ro in a new root (--sandbox, and --rootfs with a bind): paths resolved inside it (root and 65534)" {
	make_paths
	local w
	for w in "" as_nobody; do
		run_n $w --sandbox --bind "$D" /tmp/paths --mask /tmp/paths/file --mask /tmp/paths/dir \
			--ro /tmp/paths/ro --mask /tmp/paths/missing --ro /no/such/path -- \
			/bin/sh -c "$PATHS_SCRIPT" sh /tmp/paths
		show_run "$(who $w):" nsrun --sandbox --bind D /tmp/paths --mask ... --ro ...
		[ "$status" -eq 0 ]
		assert_text "$PATHS_EXPECTED" "$output"
		assert_host_paths_unchanged
		run_n $w -r -m --rootfs "$ROOTFS" --bind "$D" /mnt --mask /mnt/file --mask /mnt/dir --ro /mnt/ro \
			--mask /mnt/missing -- /bin/sh -c "$PATHS_SCRIPT" sh /mnt
		show_run "$(who $w):" nsrun --rootfs ROOTFS --bind D /mnt --mask ... --ro ...
		[ "$status" -eq 0 ]
		assert_text "$PATHS_EXPECTED" "$output"
		assert_host_paths_unchanged
		[ ! -e "$ROOTFS/mnt/missing" ]
	done
}

@test "--mask and --ro name paths inside the new root: the same host path outside is left alone" {
	make_paths
	# In --rootfs, $D does not exist: skipped, and the host's stays writable.
	run_n -r -m --rootfs "$ROOTFS" --mask "$D/file" --ro "$D/ro" -- /bin/sh -c 'echo ran; ls /'
	show_run nsrun --rootfs ROOTFS --mask "$D/file" --ro "$D/ro"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ran ]
	[[ ! -e $ROOTFS$D ]]
	assert_host_paths_unchanged
}
