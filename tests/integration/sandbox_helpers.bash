# Shared set-up for the sandbox tests (sandbox_*.bats). Load after helpers:
#
#   load helpers
#   load sandbox_helpers
#
# setup_file builds a busybox-static root filesystem, ROOTFS, readable by
# every user. Each test checks in its teardown that nothing mounted inside a
# sandbox shows in the host's mount table and that the shared ROOTFS is
# unchanged: a test that needs to create paths in a root filesystem builds
# its own under TEST_TMP.

# The ids of the fixture's /etc/passwd and /etc/group.
APP_UID=1000
APP_GID=1000
EXTRA_GID=2000

# The user namespace map the --as tests use as root: every id the fixture
# names, mapped to itself.
AS_MAP='0 0 1,1000 1000 1,2000 2000 1,65534 65534 1'

# make_busybox_rootfs DIR: a minimal root filesystem in DIR (created), mode
# 0755 throughout: bin/busybox with every applet as a relative symlink,
# etc/passwd and etc/group, bin/mountinfo-of (below) and empty directories
# to mount on.
make_busybox_rootfs() {
	local dir=$1 applet
	mkdir -p "$dir"
	(cd "$dir" && mkdir -p bin etc proc dev tmp mnt root run sys usr home/app)
	cp /bin/busybox "$dir/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[[ -e $dir/bin/$applet || -L $dir/bin/$applet ]] || ln -s busybox "$dir/bin/$applet"
	done
	cat >"$dir/etc/passwd" <<-EOF
		root:x:0:0:root:/root:/bin/sh
		app:x:$APP_UID:$APP_GID:app:/home/app:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$dir/etc/group" <<-EOF
		root:x:0:
		app:x:$APP_GID:
		extra:x:$EXTRA_GID:app
		nogroup:x:65534:
	EOF
	install -m 0755 "$MOUNTINFO_OF" "$dir/bin/mountinfo-of"
	chmod -R u=rwX,go=rX "$dir"
	chmod 0755 "$dir/bin/busybox"
}

# mountinfo-of PATH, a script for inside the sandboxes (host tree or ROOTFS):
# prints "FSTYPE MOUNT-OPTIONS SUPER-OPTIONS" of the top mount on PATH, from
# /proc/self/mountinfo; status 1 if nothing is mounted there.
write_mountinfo_of() {
	cat >"$1" <<-'EOF'
		#!/bin/sh
		awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++) ; l = $(i + 1) " " $6 " " $(i + 3) }
			END { if (l == "") exit 1; print l }' /proc/self/mountinfo
	EOF
	chmod 0755 "$1"
}

sandbox_setup_file() {
	nsrun_setup_file
	ensure_test_user
	export MOUNTINFO_OF="$NSRUN_IT_DIR/mountinfo-of"
	write_mountinfo_of "$MOUNTINFO_OF"
	export ROOTFS="$NSRUN_IT_DIR/rootfs"
	make_busybox_rootfs "$ROOTFS"
}

sandbox_teardown_file() {
	nsrun_teardown_file
}

setup_file() { sandbox_setup_file; }
teardown_file() { sandbox_teardown_file; }

# --- per test ---------------------------------------------------------------

# Inventory of a tree: path, type, mode, owner, size (for symlinks, their
# target).
tree_listing() {
	find "$1" -printf '%P %y %m %u:%g %s %l\n' | sort
}

sandbox_setup() {
	nsrun_setup
	HOST_MOUNTS_BEFORE=$(cat /proc/self/mountinfo)
	ROOTFS_BEFORE=$(tree_listing "$ROOTFS")
	# Processes a test leaves outside BG_PIDS' trees, killed in teardown.
	STRAY_PIDS=()
	# Host paths that must not exist; removed in teardown if a bug made them.
	HOST_CANARIES=()
}

# The first part of teardown, here and in attack_helpers: kill STRAY_PIDS,
# then what nsrun_teardown does, then remove every path of HOST_CANARIES
# that exists. Returns 1 if one did.
sandbox_cleanup() {
	local pid p rc=0
	for pid in "${STRAY_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	nsrun_teardown
	for p in "${HOST_CANARIES[@]}"; do
		if [[ -e $p || -L $p ]]; then
			echo "# left on the host: $p"
			rm -rf -- "$p"
			rc=1
		fi
	done
	return "$rc"
}

assert_rootfs_unchanged() {
	[[ $(tree_listing "$ROOTFS") == "$ROOTFS_BEFORE" ]] && return 0
	echo "# the shared ROOTFS changed during the test:"
	diff <(echo "$ROOTFS_BEFORE") <(tree_listing "$ROOTFS") | sed 's/^/#   /'
	return 1
}

sandbox_teardown() {
	local rc=0
	# A canary left behind is removed without failing here: the tests that
	# set canaries check them themselves.
	sandbox_cleanup || true
	assert_mounts_same "$HOST_MOUNTS_BEFORE" "$(cat /proc/self/mountinfo)" || rc=1
	assert_rootfs_unchanged || rc=1
	return "$rc"
}

setup() { sandbox_setup; }
teardown() { sandbox_teardown; }

# --- helpers ------------------------------------------------------------------

# The options that let a runner set up a sandbox in ROOTFS: root needs none,
# uid 65534 a user namespace with itself mapped to root.
userns_opts() {
	[[ $1 == as_nobody ]] && echo -r
	return 0
}

# Interface names from "ip -o link" output on stdin, sorted.
link_names() { awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort; }

# Name of the runner for messages.
who() { [[ -n $1 ]] && echo "$1" || echo root; }

# A per-test name for host paths that must never be created.
canary_name() { echo "nsrun-canary-${TEST_TMP##*.}"; }

# assert_text EXPECTED ACTUAL: compare two texts, showing both on a mismatch.
assert_text() {
	if [[ $1 != "$2" ]]; then
		echo "# expected:"
		printf '%s\n' "$1" | sed 's/^/#   /'
		echo "# actual:"
		printf '%s\n' "$2" | sed 's/^/#   /'
		return 1
	fi
}

# write_script NAME: a script in TEST_TMP from stdin, readable by everyone;
# prints its path.
write_script() {
	local path=$TEST_TMP/$1
	cat >"$path"
	chmod 0755 "$path"
	echo "$path"
}
