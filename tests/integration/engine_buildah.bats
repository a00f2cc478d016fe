#!/usr/bin/env bats
# buildah (Debian's, 1.28) with nsrun as its OCI runtime: `buildah run
# --runtime`, the BUILDAH_RUNTIME variable, and `buildah bud --runtime`,
# whose RUN steps each create, start and delete a container through nsrun.
# Isolation oci (buildah's own chroot isolation would not call a runtime),
# vfs storage, buildah's root, run root and temporary bundles, and nsrun's
# state (--runtime-flag root=...) all in ENGINE_DIR. nsrun runs with
# --debug --log FILE so that the tests can see it was nsrun that ran each
# step. The image is the busybox root filesystem added to a scratch
# container and committed, as `buildah` users import a tarball.

load engine_helpers

IMAGE=localhost/nsrun-bb:latest

setup_file() {
	engine_setup_file
	command -v buildah >/dev/null || skip "buildah is not installed (Debian package buildah)"
	local d=$ENGINE_DIR
	mkdir -p "$d/tmp"
	export RT_STATE=$d/nsrun-state RT_LOG=$d/nsrun.log
	# TMPDIR: where buildah makes its bundles.
	engine_wrapper "$d/buildah" env TMPDIR="$d/tmp" buildah --root "$d/storage" \
		--runroot "$d/run" --storage-driver vfs
	export BH=$d/buildah
	local w
	w=$(timeout 60 "$BH" from scratch)
	timeout 60 "$BH" add "$w" "$d/bb.tar" / >/dev/null
	timeout 60 "$BH" config --cmd /bin/sh "$w"
	timeout 120 "$BH" commit -q "$w" "$IMAGE" >/dev/null
	timeout 60 "$BH" rm "$w" >/dev/null
}

teardown_file() {
	if [[ -n ${BH:-} && -x ${BH:-} ]]; then
		timeout 60 "$BH" rm --all >/dev/null 2>&1 || true
	fi
	engine_teardown_file
}

setup() {
	nsrun_setup
	: >"$RT_LOG"
}

# The test's working containers go; then nothing of nsrun's may be left:
# no state, no process, no cgroup named after a buildah container.
teardown() {
	local rc=0 x
	timeout 60 "$BH" rm --all >/dev/null 2>&1 || true
	# @seccomp holds compiled filters, @free emptied directories: no
	# container's state.
	x=$(ls -A "$RT_STATE" 2>/dev/null | grep -vx -e @seccomp -e @free || true)
	[[ -z $x ]] || { echo "# nsrun state left: $x"; rc=1; rm -rf "${RT_STATE:?}"/*; }
	if ! retry 5 engine_no_procs_of "$ENGINE_DIR" >/dev/null; then
		echo "# processes left: $(engine_procs_of "$ENGINE_DIR")"
		engine_kill_procs_of "$ENGINE_DIR"
		rc=1
	fi
	x=$(find /sys/fs/cgroup -mindepth 1 -type d -name 'buildah-buildah*' 2>/dev/null)
	if [[ -n $x ]]; then
		echo "# cgroups left:"
		sed 's/^/#   /' <<<"$x"
		rc=1
		while read -r d; do rmdir "$d" 2>/dev/null || true; done <<<"$(sort -r <<<"$x")"
	fi
	nsrun_teardown
	return "$rc"
}

# nsrun's global options, as buildah passes them on.
rt_flags() { echo --runtime-flag debug --runtime-flag "log=$RT_LOG" --runtime-flag "root=$RT_STATE"; }

# How many containers nsrun created (its --debug log).
nsrun_creates() { grep -c '^nsrun: debug: create ' "$RT_LOG" || true; }

@test "buildah: from the image, run --runtime nsrun prints the output and returns the status" {
	local c
	engine_run "$BH" from "$IMAGE"
	[ "$status" -eq 0 ]
	c=${lines[-1]}
	engine_run "$BH" run --isolation oci --runtime "$NSRUN" $(rt_flags) "$c" -- \
		sh -c 'echo hello from buildah; cat /proc/1/cmdline | tr "\0" " "; echo; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from buildah" ]
	[[ ${lines[1]} == *"sh -c echo hello from buildah;"* ]]
	[ "${lines[2]}" = 0 ]
	[ "$(nsrun_creates)" -eq 1 ]
	engine_run "$BH" run --isolation oci --runtime "$NSRUN" $(rt_flags) "$c" -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ "$(nsrun_creates)" -eq 2 ]
}

@test "buildah: BUILDAH_RUNTIME selects nsrun for run" {
	local c
	c=$(timeout 60 "$BH" from "$IMAGE")
	engine_run env BUILDAH_RUNTIME="$NSRUN" BUILDAH_ISOLATION=oci "$BH" run $(rt_flags) "$c" -- \
		sh -c 'echo via-env > /from-env; cat /from-env'
	[ "$status" -eq 0 ]
	[ "$output" = via-env ]
	[ "$(nsrun_creates)" -eq 1 ]
}

@test "buildah: bud runs each RUN step of a Containerfile through nsrun" {
	local ctx=$TEST_TMP/ctx c mnt
	mkdir -p "$ctx"
	cat >"$ctx/Containerfile" <<-EOF
		FROM $IMAGE
		RUN echo built-by-run > /built && id -u >> /built
		RUN mkdir -p /data && echo second-step >> /built && hostname > /data/hostname
		CMD ["cat", "/built"]
	EOF
	engine_run --separate-stderr "$BH" bud --isolation oci --runtime "$NSRUN" $(rt_flags) \
		-t localhost/nsrun-built "$ctx"
	[ "$status" -eq 0 ]
	[ "$(nsrun_creates)" -eq 2 ]
	# Read the result without running anything: mount the image's files.
	c=$(timeout 60 "$BH" from localhost/nsrun-built)
	mnt=$(timeout 60 "$BH" mount "$c")
	run cat "$mnt/built"
	echo "$output"
	[ "${lines[0]}" = built-by-run ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = second-step ]
	[ -s "$mnt/data/hostname" ]
	timeout 60 "$BH" umount "$c" >/dev/null
	timeout 60 "$BH" rmi -f localhost/nsrun-built >/dev/null 2>&1 || true
}
