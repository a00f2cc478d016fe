#!/usr/bin/env bats
# Mount attacks from inside --sandbox: mounting, unmounting /proc or the
# root, pivot_root back out. The default seccomp profile refuses them with
# EPERM. With a profile that allows everything they run, but only in the
# sandbox's own mount namespace: the host's mount table is unchanged and
# the old root (the host's tree, writable) is detached, so that nothing
# leads back to it, and the host's files stay read-only.

load helpers
load sandbox_helpers
load attack_helpers

@test "mounts: mount, umount /proc, umount / and pivot_root fail with EPERM under the default profile; the sandbox's mounts stay (4 variants)" {
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" --perms 1777 --tmpfs /tmp/w -- /bin/sh -c '
			before=$(cat /proc/self/mountinfo)
			"$0" mount-tmpfs /tmp/w -- umount /proc -- umount-detach /proc -- umount / -- \
				umount-detach / -- pivot_root /tmp/w /tmp/w -- remount-rw / -- setattr-rw / -- \
				unshare -- chroot /tmp/w
			echo "probe status $?"
			[ "$before" = "$(cat /proc/self/mountinfo)" ] && echo "mounts unchanged"
			awk "\$5 == \"/proc\" { print \"proc:\", \$9 }" /proc/self/mountinfo' "$PROBE"
		show_run "$v:" nsrun --sandbox -- probe mount-tmpfs /tmp/w -- umount /proc ...
		[ "$status" -eq 0 ]
		assert_line_is "mount: $E_PERM"
		assert_line_is "umount: $E_PERM"
		assert_line_count 2 "umount: $E_PERM"
		assert_line_count 2 "umount-detach: $E_PERM"
		assert_line_is "pivot_root: $E_PERM"
		assert_line_is "remount-rw: $E_PERM"
		assert_line_is "setattr-rw: $E_PERM"
		assert_line_is "unshare: $E_PERM"
		# chroot is allowed by the profile (a capability in the sandbox's
		# user namespace, for root inside only).
		if variant_is_root "$v"; then
			assert_line_is "chroot: ok"
		else
			assert_line_is "chroot: $E_PERM"
		fi
		assert_line_is "probe status 1"
		assert_line_is "mounts unchanged"
		assert_line_is "proc: proc"
	done
	assert_host_mounts_unchanged
}

@test "mounts: the chroot escape (chroot deeper, climb .., chroot .) stays in the sandbox, with pivot_root and with --no-pivot (root and 65534)" {
	local w np name
	name=$(canary_name)
	# Writable on the host (mode 1777), read-only inside: a file created
	# there from inside would mean the climb reached the host's tree.
	HOST_CANARIES+=("/var/tmp/$name" "/dev/shm/$name")
	for w in "" as_nobody; do
		for np in "" --no-pivot; do
			run_n $w --sandbox $np --ro-bind "$ATTACK_DIR" "$IN_ATTACK" -- "$PROBE" \
				chroot-escape /tmp "/var/tmp/$name" -- chroot-escape /tmp "/dev/shm/$name"
			show_run "$(who $w):" nsrun --sandbox $np -- probe chroot-escape
			assert_line_count 2 "chroot-escape: chroot escape: ok"
			assert_line_count 2 "chroot-escape: chroot .: ok"
			# /var/tmp is the read-only host bind; /dev/shm is the sandbox's
			# own tmpfs, where the file may be created.
			assert_line_is "chroot-escape: create the path: $E_ROFS"
			[ ! -e "/var/tmp/$name" ]
			[ ! -e "/dev/shm/$name" ]
		done
	done
	assert_host_mounts_unchanged
}

@test "mounts: with a profile allowing everything, mount, umount and pivot_root work inside only; the old root is gone and the host's mount table unchanged (root and 65534)" {
	local w name
	name=$(canary_name)
	HOST_CANARIES+=("/var/tmp/$name")
	for w in "" as_nobody; do
		# --sandbox drops CAP_SYS_ADMIN: give it back, so the attack has
		# every power a permissive profile leaves.
		run_n $w --sandbox --cap-add SYS_ADMIN --seccomp "$ATTACK_DIR/allow-all.json" --ro-bind "$ATTACK_DIR" "$IN_ATTACK" -- \
			/bin/sh -c '
			p=$0 canary=$1
			dev=$(awk "\$5 == \"/\" { print \$3 }" /proc/self/mountinfo)
			# The old root would be a writable mount of the host root device.
			echo "writable mounts of the root device: $(awk -v d="$dev" "\$3 == d && \$6 !~ /^ro/" /proc/self/mountinfo | wc -l)"
			mkdir /tmp/new /tmp/mnt
			$p mount-tmpfs /tmp/mnt -- umount /tmp/mnt -- umount-detach /proc -- mount-tmpfs /tmp/new
			$p chroot-escape /tmp/new "$canary" -- create "$canary"
			cd /tmp/new && mkdir old
			# Pivot into the new tmpfs, detach the old root there, pivot again.
			$p pivot_root /tmp/new /tmp/new/old
			cd /
			/old$p create "$canary" -- umount-detach /old -- pivot_root . . -- umount-detach . -- \
				chroot-escape / "$canary" -- create "$canary"
			echo done' "$PROBE" "/var/tmp/$name"
		show_run "$(who $w):" nsrun --sandbox --seccomp allow-all.json -- 'mount, umount, pivot_root ...'
		[ "$status" -eq 0 ]
		assert_line_is "writable mounts of the root device: 0"
		# The calls ran: the profile allowed them, and they worked inside.
		assert_line_count 2 "mount: ok"
		assert_line_is "umount: ok"
		assert_line_is "umount-detach: ok"
		assert_line_is "pivot_root: ok"
		assert_line_is "chroot-escape: chroot .: ok"
		assert_line_is done
		# No way back to a writable host tree: the canary is never created
		# on the host.
		assert_no_line_like "create: ok"
		[ ! -e "/var/tmp/$name" ]
		assert_host_mounts_unchanged
	done
}

@test "mounts: with a profile allowing everything, the host's files stay read-only: remounting the read-only bind read-write writes nothing to the host (root and 65534)" {
	local w name failed=()
	name=$(canary_name)
	HOST_CANARIES+=("/var/tmp/$name" "/var/tmp/$name-setattr")
	for w in "" as_nobody; do
		run_n $w --sandbox --seccomp "$ATTACK_DIR/allow-all.json" --ro-bind "$ATTACK_DIR" "$IN_ATTACK" -- \
			"$PROBE" create "/var/tmp/$name" -- remount-rw / -- create "/var/tmp/$name" -- \
			remount-rw /var/tmp -- create "/var/tmp/$name" -- setattr-rw / -- create "/var/tmp/$name-setattr"
		show_run "$(who $w):" nsrun --sandbox --seccomp allow-all.json -- probe remount-rw / -- create /var/tmp/CANARY
		# The first attempt, before any remount: read-only.
		[ "${lines[0]}" = "create: $E_ROFS" ]
		[[ $output == *"remount-rw: "* && $output == *"setattr-rw: "* ]]
		local created=()
		[[ -e /var/tmp/$name ]] && created+=("/var/tmp/$name")
		[[ -e /var/tmp/$name-setattr ]] && created+=("/var/tmp/$name-setattr")
		rm -f "/var/tmp/$name" "/var/tmp/$name-setattr"
		echo "# created on the host: ${created[*]:-nothing}"
		if [ "${#created[@]}" -ne 0 ]; then
			failed+=("$(who $w)")
		fi
		assert_host_mounts_unchanged
	done
	echo "# wrote to the host: ${failed[*]:-none}"
	[ "${#failed[@]}" -eq 0 ]
}
