#!/usr/bin/env bats
# Real clients drive nsrun as their OCI runtime: podman 4.3 (through conmon),
# as root and rootless, and containerd 1.6 (its runc v2 shim), on an image
# made from a busybox-static root filesystem. The snippets used here are the
# ones docs/podman.md and docs/containerd.md show.

load helpers
load sandbox_helpers
# Only the rootfs builder of sandbox_helpers: these tests check leftovers
# their own way.
setup() { nsrun_setup; }
teardown() { nsrun_teardown; }

# podman fails here with its default ulimits (root lacks CAP_SYS_RESOURCE).
PODMAN_LIMITS="--network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"

setup_file() {
	nsrun_setup_file
	command -v podman >/dev/null || skip "podman is not installed"
	CLIENTS_DIR=$(mktemp -d /tmp/nsrun-clients.XXXXXX)
	chmod 0755 "$CLIENTS_DIR"
	MOUNTINFO_OF=$CLIENTS_DIR/mountinfo-of
	write_mountinfo_of "$MOUNTINFO_OF"
	make_busybox_rootfs "$CLIENTS_DIR/rootfs"
	tar -C "$CLIENTS_DIR/rootfs" -cf "$CLIENTS_DIR/bb.tar" .
	chmod 0644 "$CLIENTS_DIR/bb.tar"
	cat >"$CLIENTS_DIR/containers.conf" <<-EOF
		[engine]
		runtime = "nsrun"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime_supports_json = ["crun", "runc", "nsrun"]
		[engine.runtimes]
		nsrun = ["$NSRUN"]
	EOF
	chmod 0644 "$CLIENTS_DIR/containers.conf"
	export CLIENTS_DIR CONTAINERS_CONF=$CLIENTS_DIR/containers.conf
	podman_root import "$CLIENTS_DIR/bb.tar" localhost/bb >/dev/null
}

teardown_file() {
	if [[ -n ${CLIENTS_DIR:-} ]]; then
		podman_root rm -af -t 0 >/dev/null 2>&1 || true
		if [[ -f $CLIENTS_DIR/containerd.pid ]]; then
			kill "$(cat "$CLIENTS_DIR/containerd.pid")" 2>/dev/null || true
			sleep 0.5
		fi
		umount -R "$CLIENTS_DIR"/ctd 2>/dev/null || true
		rm -rf "$CLIENTS_DIR"
	fi
	nsrun_teardown_file
}

# From the test's directory: conmon leaves an "oom" file in its working
# directory after a memory-limited container.
podman_root() {
	(cd "$CLIENTS_DIR" && timeout 120 podman --root "$CLIENTS_DIR/storage" \
		--runroot "$CLIENTS_DIR/run" --storage-driver vfs "$@")
}

# No container of ours left: no nsrun state, no libpod cgroup.
assert_no_leftovers() {
	local left
	left=$(find /sys/fs/cgroup -name 'libpod-*' 2>/dev/null | head -n 3)
	[[ -z $left ]] || { echo "# cgroups left: $left"; return 1; }
}

@test "podman: run --rm prints the command's output, with nsrun as its runtime" {
	run podman_root run --rm $PODMAN_LIMITS localhost/bb sh -c 'echo hello; cat /proc/1/comm'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	run podman_root info --format '{{.Host.OCIRuntime.Path}}'
	[ "$output" = "$NSRUN" ]
	assert_no_leftovers
}

@test "podman: run -d, exec, exec -d, exec -t, kill -s USR1, pause and unpause, stop, rm -f" {
	podman_root run -d --name s1 $PODMAN_LIMITS localhost/bb \
		sh -c 'trap "echo got USR1" USR1; trap "exit 0" TERM; while :; do sleep 0.1; done'
	run podman_root exec s1 sh -c 'echo in-exec $(hostname)'
	[ "$status" -eq 0 ]
	[[ $output == "in-exec "* ]]
	run podman_root exec -d s1 sleep 3
	[ "$status" -eq 0 ]
	run podman_root exec -t s1 tty
	[ "$status" -eq 0 ]
	[[ $output == /dev/pts/* ]]
	podman_root kill -s USR1 s1
	retry 5 sh -c "podman --root $CLIENTS_DIR/storage --runroot $CLIENTS_DIR/run --storage-driver vfs logs s1 | grep -q 'got USR1'"
	podman_root pause s1
	run podman_root inspect --format '{{.State.Status}}' s1
	[ "$output" = paused ]
	podman_root unpause s1
	run podman_root inspect --format '{{.State.Status}}' s1
	[ "$output" = running ]
	run podman_root stop -t 5 s1
	[ "$status" -eq 0 ]
	run podman_root inspect --format '{{.State.ExitCode}}' s1
	[ "$output" = 0 ]
	podman_root rm -f s1
	assert_no_leftovers
}

@test "podman: run -t gives a terminal; --preserve-fds passes descriptor 3" {
	run podman_root run --rm -t $PODMAN_LIMITS localhost/bb tty
	[ "$status" -eq 0 ]
	[[ $output == /dev/pts/* ]]
	run podman_root run --rm $PODMAN_LIMITS --preserve-fds 1 localhost/bb \
		sh -c 'cat /proc/self/fd/3' 3<"$CLIENTS_DIR/containers.conf"
	[ "$status" -eq 0 ]
	[[ $output == *"[engine]"* ]]
}

@test "podman: a missing command is reported as 127" {
	run -127 podman_root run --rm $PODMAN_LIMITS localhost/bb /nonexistent
	[ "$status" -eq 127 ]
	assert_no_leftovers
}

@test "podman: --memory and --pids-limit are enforced" {
	run podman_root run --rm $PODMAN_LIMITS --memory 32m --memory-swap 32m localhost/bb \
		sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[[ $output != *survived* ]]
	# busybox sh gives up at the first fork the limit refuses
	run podman_root run --rm $PODMAN_LIMITS --pids-limit 10 localhost/bb \
		sh -c 'for i in $(seq 20); do sleep 2 & done; echo all-forked'
	echo "$output"
	[[ $output == *"can't fork"* ]]
	[[ $output != *all-forked* ]]
	local id
	id=$(podman_root run -d $PODMAN_LIMITS --pids-limit 10 localhost/bb sleep 30)
	run cat "/sys/fs/cgroup/pids/libpod_parent/libpod-$id/pids.max"
	podman_root rm -f -t 0 "$id" >/dev/null
	[ "$output" = 10 ]
	assert_no_leftovers
}

@test "podman: rootless, as an unprivileged user, with --network none" {
	ensure_test_user
	local home=$CLIENTS_DIR/rootless
	mkdir -p "$home/xdg"
	chown -R "$TEST_USER" "$home"
	chmod 0700 "$home/xdg"
	run --separate-stderr timeout 120 setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --init-groups \
		env HOME="$home" XDG_RUNTIME_DIR="$home/xdg" CONTAINERS_CONF="$CONTAINERS_CONF" \
		sh -c "podman --storage-driver vfs import $CLIENTS_DIR/bb.tar localhost/bb >/dev/null &&
		       podman --storage-driver vfs run --rm --network none localhost/bb \
		       sh -c 'id -u; cat /proc/self/uid_map'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} =~ ^[[:space:]]*0[[:space:]]+$TEST_USER_UID[[:space:]]+1$ ]]
	timeout 60 setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --init-groups \
		env HOME="$home" XDG_RUNTIME_DIR="$home/xdg" podman --storage-driver vfs system reset -f \
		>/dev/null 2>&1 || true
}

start_containerd() {
	command -v containerd >/dev/null || skip "containerd is not installed"
	[[ -S $CLIENTS_DIR/ctd/containerd.sock ]] && return 0
	mkdir -p "$CLIENTS_DIR/ctd"
	cat >"$CLIENTS_DIR/ctd/config.toml" <<-EOF
		version = 2
		root = "$CLIENTS_DIR/ctd/root"
		state = "$CLIENTS_DIR/ctd/state"
		[grpc]
		  address = "$CLIENTS_DIR/ctd/containerd.sock"
		[plugins."io.containerd.grpc.v1.cri"]
		  disable_tcp_service = true
	EOF
	containerd --config "$CLIENTS_DIR/ctd/config.toml" >"$CLIENTS_DIR/ctd/log" 2>&1 &
	echo $! >"$CLIENTS_DIR/containerd.pid"
	retry 10 test -S "$CLIENTS_DIR/ctd/containerd.sock"
	podman_root save -o "$CLIENTS_DIR/bb-image.tar" localhost/bb >/dev/null
	ctr_ image import "$CLIENTS_DIR/bb-image.tar" >/dev/null
}

ctr_() {
	timeout 60 ctr -a "$CLIENTS_DIR/ctd/containerd.sock" "$@"
}

@test "containerd: ctr run --runc-binary nsrun runs the image and returns the status" {
	start_containerd
	run ctr_ run --rm --runc-binary "$NSRUN" localhost/bb:latest t1 sh -c 'echo from-containerd; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *from-containerd* ]]
}

@test "containerd: a detached task: exec, ps, pause, resume, kill, delete" {
	start_containerd
	ctr_ run -d --runc-binary "$NSRUN" localhost/bb:latest t2 \
		sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	run ctr_ task exec --exec-id e1 t2 sh -c 'echo exec-ok'
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]
	run ctr_ task ps t2
	[ "$status" -eq 0 ]
	ctr_ task pause t2
	run ctr_ task ls
	[[ $output == *PAUSED* ]]
	ctr_ task resume t2
	ctr_ task kill t2
	retry 5 sh -c "ctr -a $CLIENTS_DIR/ctd/containerd.sock task ls | grep -q STOPPED"
	ctr_ task delete t2
	ctr_ container delete t2
	run ctr_ task ls
	[[ $output != *t2* ]]
}
