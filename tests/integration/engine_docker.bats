#!/usr/bin/env bats
# Docker (Debian's docker.io, dockerd 20.10) with nsrun registered in
# daemon.json as users do it: "runtimes": {"nsrun": {"path": ...}}, runc
# left as the default, every container here started with --runtime nsrun.
# dockerd runs its own containerd, whose runc v2 shim calls nsrun with
# --root EXEC_ROOT/runtime-runc/moby and the bundle in
# EXEC_ROOT/containerd/daemon/io.containerd.runtime.v2.task/moby/ID (its
# config.json is what Docker asks of the runtime; log.json has the runtime's
# errors).
#
# The daemon is started once for the file, with its data root, exec root,
# pid file, socket and cgroup parent of its own, no iptables and no bridge
# (containers get no network: --network none is what they get anyway), vfs
# storage. Each test asserts what a user would look at: the output, the exit
# status, a limit as the container reads it from /sys/fs/cgroup or /proc.
# After each test every container is removed and nothing may be left: no
# nsrun state, no cgroup, no process in the daemon's directories.

load engine_helpers

IMAGE=nsrun-bb:latest

setup_file() {
	engine_setup_file
	command -v dockerd >/dev/null || skip "dockerd is not installed (Debian package docker.io)"
	local cli=/usr/bin/docker
	[[ -x $cli ]] || cli=$(command -v docker) || skip "the docker client is not installed (docker.io)"
	local d=$ENGINE_DIR
	export DOCKER_EXEC=$d/exec DOCKER_DATA=$d/data DOCKER_SOCK=$d/docker.sock
	export DOCKER_PIDFILE=$d/docker.pid DOCKER_LOG=$d/dockerd.log
	export DOCKER_CGROUP_PARENT=/nsrun-docker-${d##*.}
	jq -n --arg nsrun "$NSRUN" --arg d "$d" --arg cg "$DOCKER_CGROUP_PARENT" '{
		runtimes: { nsrun: { path: $nsrun } },
		"default-runtime": "runc",
		iptables: false,
		ip6tables: false,
		bridge: "none",
		"storage-driver": "vfs",
		"data-root": ($d + "/data"),
		"exec-root": ($d + "/exec"),
		pidfile: ($d + "/docker.pid"),
		hosts: [ ("unix://" + $d + "/docker.sock") ],
		"cgroup-parent": $cg
	}' >"$d/daemon.json"
	# The client reads its own configuration from DOCKER_CONFIG.
	mkdir -p "$d/client"
	engine_wrapper "$d/docker" env DOCKER_CONFIG="$d/client" "$cli" -H "unix://$DOCKER_SOCK"
	export DK=$d/docker
	dockerd --config-file "$d/daemon.json" >"$DOCKER_LOG" 2>&1 3>&- &
	export DOCKERD_PID=$!
	if ! retry 30 "$DK" version >/dev/null 2>&1; then
		echo "# dockerd did not start; its log:"
		tail -n 30 "$DOCKER_LOG" | sed 's/^/#   /'
		return 1
	fi
	"$DK" import "$ENGINE_DIR/bb.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	if [[ -n ${DK:-} && -x ${DK:-} ]]; then
		docker_rm_all
		engine_stop_pid "${DOCKERD_PID:-}" 20
	fi
	engine_teardown_file
	if [[ -n ${DOCKER_CGROUP_PARENT:-} ]]; then
		engine_cgroup_remove "$DOCKER_CGROUP_PARENT"
	fi
}

setup() {
	nsrun_setup
	LOG_MARK=$(engine_log_mark "$DOCKER_LOG")
}

# Remove every container, then fail if anything of them is left. When the
# test failed, show what dockerd logged meanwhile (the runtime's error text
# is there).
teardown() {
	local rc=0 left
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
		echo "# dockerd's errors and warnings during the test:"
		engine_log_since "$DOCKER_LOG" "$LOG_MARK" 'level=(error|warning)'
	fi
	docker_rm_all
	if ! retry 10 docker_nothing_left >/dev/null; then
		docker_nothing_left || true
		rc=1
		engine_kill_procs_of "$DOCKER_DATA"
		engine_cgroup_remove "$DOCKER_CGROUP_PARENT"
		rm -rf "$DOCKER_EXEC"/runtime-runc/moby/*
	fi
	nsrun_teardown
	return "$rc"
}

docker_rm_all() {
	local ids
	ids=$(timeout 30 "$DK" ps -aq 2>/dev/null) || return 0
	[[ -z $ids ]] || timeout 60 "$DK" rm -f $ids >/dev/null 2>&1 || true
}

# Nothing of a container left: none listed, no nsrun state, no cgroup
# below the daemon's parent, no process in its data root.
docker_nothing_left() {
	local ok=0 x
	x=$(timeout 30 "$DK" ps -aq)
	[[ -z $x ]] || { echo "# containers left: $x"; ok=1; }
	# @seccomp holds compiled filters, @free emptied directories: no
	# container's state.
	x=$(ls -A "$DOCKER_EXEC/runtime-runc/moby" 2>/dev/null | grep -vx -e @seccomp -e @free || true)
	[[ -z $x ]] || { echo "# nsrun state left: $x"; ok=1; }
	x=$(engine_cgroup_find "$DOCKER_CGROUP_PARENT" | awk -v p="$DOCKER_CGROUP_PARENT" '$0 !~ p "$"')
	[[ -z $x ]] || { echo "# cgroups left:"; sed 's/^/#   /' <<<"$x"; ok=1; }
	x=$(engine_procs_of "$DOCKER_DATA")
	[[ -z $x ]] || { echo "# processes left: $x"; ok=1; }
	return "$ok"
}

# A name for the test's containers.
cname() { echo "t$BATS_TEST_NUMBER-${1:-c}"; }

# dk_run_d NAME [OPTIONS] -- CMD...: docker run -d --runtime nsrun, must
# succeed.
dk_run_d() {
	local name=$1
	shift
	local opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	engine_run "$DK" run -d --name "$name" --runtime nsrun "${opts[@]}" "$IMAGE" "$@"
	[ "$status" -eq 0 ]
}

dk_inspect() { timeout 30 "$DK" inspect -f "$1" "$2"; }

# The number of lines of a container's logs that are exactly TEXT.
log_count() { timeout 30 "$DK" logs "$1" 2>&1 | grep -c -x -- "$2" || true; }

# logs_count NAME TEXT OP N: test's OP (-eq, -ge, -gt) between the count of
# TEXT lines in the logs and N (for retry, which runs it anew each time).
logs_count() { test "$(log_count "$1" "$2")" "$3" "$4"; }

# inspect_is NAME FORMAT VALUE
inspect_is() { [[ $(dk_inspect "$2" "$1") == "$3" ]]; }

# Read inside the container: a cgroup v1 file of a controller, or its v2
# name.
cg_read() { echo "cat /sys/fs/cgroup/$1/$2 2>/dev/null || cat /sys/fs/cgroup/$3"; }

@test "docker: registered runtime nsrun; run --rm prints the output and returns the status" {
	run "$DK" info --format '{{json .Runtimes}}'
	echo "$output"
	[[ $(jq -r .nsrun.path <<<"$output") == "$NSRUN" ]]
	engine_run "$DK" run --rm --runtime nsrun "$IMAGE" sh -c 'echo hello from nsrun; echo to-stderr >&2; exit 3'
	[ "$status" -eq 3 ]
	[[ $output == *"hello from nsrun"* ]]
	[[ $output == *"to-stderr"* ]]
	engine_run "$DK" run --rm --runtime nsrun "$IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "sh -c "* ]]
}

@test "docker: run -d, exec, logs, stop delivers SIGTERM and records the exit status" {
	local c
	c=$(cname)
	dk_run_d "$c" -- sh -c 'echo started; trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	engine_run "$DK" exec "$c" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-exec ]
	[[ ${lines[1]} == "sh -c echo started"* ]]
	engine_run "$DK" exec "$c" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	retry 5 logs_count "$c" started -eq 1
	[ "$(dk_inspect '{{.HostConfig.Runtime}}' "$c")" = nsrun ]
	engine_run "$DK" stop -t 10 "$c"
	[ "$status" -eq 0 ]
	[ "$(dk_inspect '{{.State.Status}} {{.State.ExitCode}}' "$c")" = "exited 0" ]
	[ "$(log_count "$c" got-term)" -eq 1 ]
}

@test "docker: exec -it in a pty gives a terminal" {
	local c
	c=$(cname)
	dk_run_d "$c" -- sleep 60
	printf 'tty; echo "rows-$((2 + 3))"\nexit 6\n' >"$TEST_TMP/input"
	engine_run script -qec "$DK exec -it $c sh" /dev/null <"$TEST_TMP/input"
	[ "$status" -eq 6 ]
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *"rows-5"* ]]
}

@test "docker: run -it in a pty runs an interactive shell" {
	printf 'echo "sum-$((1 + 2))"; tty\nexit 5\n' >"$TEST_TMP/input"
	engine_run script -qec "$DK run --rm -it --runtime nsrun $IMAGE sh" /dev/null <"$TEST_TMP/input"
	[ "$status" -eq 5 ]
	[[ $output == *"sum-3"* ]]
	[[ $output == *"/dev/pts/0"* ]]
}

@test "docker: kill -s USR1 reaches the trap, kill ends it with 137, rm -f removes a running one" {
	local c
	c=$(cname)
	dk_run_d "$c" -- sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done'
	retry 5 logs_count "$c" ready -eq 1
	engine_run "$DK" kill -s USR1 "$c"
	[ "$status" -eq 0 ]
	retry 5 logs_count "$c" got-usr1 -eq 1
	engine_run "$DK" kill "$c"
	[ "$status" -eq 0 ]
	retry 10 inspect_is "$c" '{{.State.Status}}' exited
	[ "$(dk_inspect '{{.State.ExitCode}}' "$c")" = 137 ]
	local c2
	c2=$(cname second)
	dk_run_d "$c2" -- sleep 60
	engine_run "$DK" rm -f "$c2"
	[ "$status" -eq 0 ]
	run "$DK" ps -aq --filter "name=$c2"
	[ -z "$output" ]
	retry 10 docker_gone "$c2"
}

# Gone from docker and from nsrun's state.
docker_gone() {
	local id
	for id in $(ls -A "$DOCKER_EXEC/runtime-runc/moby" 2>/dev/null); do
		[[ $(timeout 10 "$NSRUN" --root "$DOCKER_EXEC/runtime-runc/moby" state "$id" 2>/dev/null | jq -r .id) != "$1" ]] || return 1
	done
	[[ -z $(timeout 10 "$DK" ps -aq --filter "name=^$1\$") ]]
}

@test "docker: --user runs the command as that user" {
	# One stream: docker copies stdout and stderr apart, in no fixed order.
	engine_run "$DK" run --rm --runtime nsrun --user 1000:2000 "$IMAGE" sh -c 'id -u; id -g; touch /root/x 2>&1'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 2000 ]
	[[ $output == *"Permission denied"* ]]
	[ "$status" -eq 1 ]
	engine_run "$DK" run --rm --runtime nsrun --user app "$IMAGE" id -un
	[ "$status" -eq 0 ]
	[ "$output" = app ]
}

@test "docker: --read-only makes the root filesystem read-only" {
	engine_run "$DK" run --rm --runtime nsrun --read-only "$IMAGE" sh -c 'touch /x; echo "status $?"; mountinfo-of /'
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output == *"status 1"* ]]
	[[ ${lines[-1]} =~ [[:space:]]ro[,[:space:]] ]]
}

@test "docker: -m sets the memory limit the container reads and the OOM killer enforces it" {
	engine_run "$DK" run --rm --runtime nsrun -m 48m "$IMAGE" sh -c \
		"$(cg_read memory memory.limit_in_bytes memory.max)"
	[ "$status" -eq 0 ]
	[ "$output" = $((48 * 1024 * 1024)) ]
	engine_run "$DK" run --rm --runtime nsrun -m 32m --memory-swap 32m "$IMAGE" sh -c \
		'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[[ $output != *survived* ]]
}

@test "docker: --cpus sets the CFS quota the container reads" {
	engine_run "$DK" run --rm --runtime nsrun --cpus 0.5 "$IMAGE" sh -c \
		"$(cg_read cpu cpu.cfs_quota_us cpu.max); $(cg_read cpu cpu.cfs_period_us cpu.max)"
	[ "$status" -eq 0 ]
	[[ $output == $'50000\n100000' || $output == "50000 100000"* ]]
}

@test "docker: --cpuset-cpus pins the container to that CPU" {
	(($(nproc) >= 2)) || skip "needs two CPUs"
	engine_run "$DK" run --rm --runtime nsrun --cpuset-cpus 1 "$IMAGE" sh -c \
		"grep Cpus_allowed_list /proc/self/status; $(cg_read cpuset cpuset.cpus cpuset.cpus)"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ Cpus_allowed_list:[[:space:]]+1$ ]]
	[ "${lines[1]}" = 1 ]
}

@test "docker: --pids-limit caps the number of processes" {
	engine_run "$DK" run --rm --runtime nsrun --pids-limit 10 "$IMAGE" sh -c \
		"$(cg_read pids pids.max pids.max); for i in \$(seq 20); do sleep 2 & done; echo all-forked"
	[ "${lines[0]}" = 10 ]
	[[ $output == *"can't fork"* ]]
	[[ $output != *all-forked* ]]
}

@test "docker: --blkio-weight sets the block I/O weight the container reads" {
	[[ -e /sys/fs/cgroup/blkio/blkio.weight ]] ||
		skip "the host's blkio controller has no blkio.weight (no CFQ/BFQ weight): dockerd drops --blkio-weight here"
	engine_run "$DK" run --rm --runtime nsrun --blkio-weight 300 "$IMAGE" sh -c \
		"$(cg_read blkio blkio.weight io.weight)"
	[ "$status" -eq 0 ]
	[[ $output == 300 || $output == "default 300"* ]]
}

@test "docker: update --memory and --cpus change the limits of a running container" {
	local c
	c=$(cname)
	dk_run_d "$c" -m 64m -- sleep 60
	engine_run "$DK" update --memory 96m --memory-swap 96m "$c"
	[ "$status" -eq 0 ]
	engine_run "$DK" exec "$c" sh -c "$(cg_read memory memory.limit_in_bytes memory.max)"
	[ "$output" = $((96 * 1024 * 1024)) ]
	engine_run "$DK" update --cpus 0.25 "$c"
	[ "$status" -eq 0 ]
	engine_run "$DK" exec "$c" sh -c "$(cg_read cpu cpu.cfs_quota_us cpu.max)"
	[[ $output == 25000* ]]
}

@test "docker: pause stops the container's work, unpause resumes it" {
	local c n1 n2
	c=$(cname)
	dk_run_d "$c" -- sh -c 'while :; do echo tick; sleep 0.05; done'
	retry 5 logs_count "$c" tick -ge 3
	engine_run "$DK" pause "$c"
	[ "$status" -eq 0 ]
	[ "$(dk_inspect '{{.State.Status}}' "$c")" = paused ]
	n1=$(log_count "$c" tick)
	sleep 0.5
	n2=$(log_count "$c" tick)
	echo "# ticks while paused: $n1 then $n2"
	[ "$n1" -eq "$n2" ]
	engine_run "$DK" unpause "$c"
	[ "$status" -eq 0 ]
	[ "$(dk_inspect '{{.State.Status}}' "$c")" = running ]
	retry 5 logs_count "$c" tick -gt "$n2"
}

@test "docker: restart stops the container and starts it again" {
	local c pid1 pid2
	c=$(cname)
	dk_run_d "$c" -- sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done'
	retry 5 logs_count "$c" started -eq 1
	pid1=$(dk_inspect '{{.State.Pid}}' "$c")
	engine_run "$DK" restart -t 5 "$c"
	[ "$status" -eq 0 ]
	[ "$(dk_inspect '{{.State.Status}}' "$c")" = running ]
	pid2=$(dk_inspect '{{.State.Pid}}' "$c")
	echo "# pid before: $pid1, after: $pid2"
	[ "$pid1" != "$pid2" ]
	retry 5 logs_count "$c" started -eq 2
	engine_run "$DK" exec "$c" echo exec-after-restart
	[ "$output" = exec-after-restart ]
}

@test "docker: a health check runs in the container and turns it healthy" {
	local c s
	c=$(cname)
	dk_run_d "$c" --health-cmd 'test -e /tmp/ready' --health-interval 1s --health-retries 30 \
		-- sh -c 'sleep 1; touch /tmp/ready; exec sleep 60'
	retry 15 inspect_is "$c" '{{.State.Health.Status}}' healthy || {
		dk_inspect '{{json .State.Health}}' "$c"
		return 1
	}
	s=$(dk_inspect '{{(index .State.Health.Log 0).ExitCode}}' "$c")
	echo "# first probe's status: $s"
}

@test "docker: no_new_privs is off under Docker's defaults" {
	engine_run "$DK" run --rm --runtime nsrun "$IMAGE" grep NoNewPrivs /proc/self/status
	[ "$status" -eq 0 ]
	[[ $output =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

@test "docker: a missing command exits 127, a non-executable one 126" {
	engine_run "$DK" run --rm --runtime nsrun "$IMAGE" /nonexistent
	[ "$status" -eq 127 ]
	engine_run "$DK" run --rm --runtime nsrun "$IMAGE" /etc/passwd
	[ "$status" -eq 126 ]
}
