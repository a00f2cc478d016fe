#!/usr/bin/env bats
# A Kubernetes-shaped pod under containerd (Debian's containerd 1.6, its
# runc v2 shim) with nsrun as the shim's runtime binary: a pause container
# (busybox sleep) that holds the pod's network, IPC and UTS namespaces, and
# two containers that join them by path (/proc/PAUSE_PID/ns/...), each with
# cgroupsPath /kubepods/burstable/pod<uid>/<id>, as kubelet's cgroupfs
# driver lays out a burstable pod.
#
# The OCI configurations, engine/pod-sandbox.json and engine/pod-container.json,
# are written by hand for these tests, from what the Kubernetes
# documentation and the CRI API (LinuxPodSandboxConfig,
# LinuxContainerConfig, LinuxContainerSecurityContext) say kubelet asks of a
# CRI runtime, in OCI runtime-spec field names:
#  - the pod sandbox runs the pause process read-only as uid 65535 with
#    no_new_privs, oom_score_adj -998 and the minimum CPU shares (2), in new
#    pid, ipc, uts, mount and network namespaces, with the pod's hostname;
#  - an app container gets its own pid and mount namespaces (no
#    shareProcessNamespace) and joins the sandbox's network, IPC and UTS
#    namespaces; CPU shares from its request (100m: 102), a CFS quota from
#    its limit (500m: 50000 of 100000), a memory limit (64Mi), the oom
#    score of a burstable pod, and a hugepage limit of 0 for each page size
#    (2MB, 1GB) as kubelet sends them for a container that requests no huge
#    pages;
#  - both get the masked and read-only /proc and /sys paths of the Default
#    procMount, a deny-all device cgroup rule (the runtime adds the standard
#    devices), and the bind mounts kubelet and the CRI runtime add to a
#    container: /etc/hosts, /etc/hostname, /etc/resolv.conf,
#    /dev/termination-log and the pod's /dev/shm.
# The placeholders in capitals are filled in by pod_config below.
#
# ctr takes such a hand-written specification as it is (`ctr run --config`)
# and hands it to the shim, which runs nsrun create/start/exec/kill/delete
# with --root RUNC_ROOT/default (ctr --runc-root). The pod's parent cgroup
# is made by the test in every hierarchy, as kubelet does before it asks for
# the sandbox, and removed at the end.

load engine_helpers

setup_file() {
	engine_setup_file
	command -v containerd >/dev/null || skip "containerd is not installed (Debian package containerd)"
	command -v ctr >/dev/null || skip "ctr is not installed (Debian package containerd)"
	local d=$ENGINE_DIR
	cat >"$d/containerd.toml" <<-EOF
		version = 2
		root = "$d/ctd-root"
		state = "$d/ctd-state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$d/containerd.sock"
	EOF
	containerd --config "$d/containerd.toml" >"$d/containerd.log" 2>&1 3>&- &
	export CONTAINERD_PID=$!
	if ! retry 20 test -S "$d/containerd.sock"; then
		tail -n 20 "$d/containerd.log" | sed 's/^/#   /'
		return 1
	fi
	engine_wrapper "$d/ctr" ctr -a "$d/containerd.sock"
	export CTR=$d/ctr RUNC_ROOT=$d/runc-root
	export POD_LOG=$d/containerd.log
	# (Another directory of templates may be given, to narrow down a failure.)
	export POD_TEMPLATES=${POD_TEMPLATES:-$BATS_TEST_DIRNAME/engine}
	# kubelet's upper levels that the tests make, to remove at the end.
	KUBE_OURS=
	if [[ -z $(engine_cgroup_find /kubepods) ]]; then
		KUBE_OURS=/kubepods
	elif [[ -z $(engine_cgroup_find /kubepods/burstable) ]]; then
		KUBE_OURS=/kubepods/burstable
	fi
	export KUBE_OURS
}

teardown_file() {
	engine_stop_pid "${CONTAINERD_PID:-}" 20
	engine_teardown_file
	if [[ -n ${KUBE_OURS:-} ]]; then
		engine_cgroup_remove "$KUBE_OURS"
	fi
}

setup() {
	nsrun_setup
	LOG_MARK=$(engine_log_mark "$POD_LOG")
	POD_UID=$(cat /proc/sys/kernel/random/uuid)
	POD_PARENT=/kubepods/burstable/pod$POD_UID
	POD_IDS=()
	POD_DIR=$TEST_TMP/pod
	mkdir -p "$POD_DIR/shm"
	echo "pod-${POD_UID:0:8}" >"$POD_DIR/hostname"
	printf '127.0.0.1\tlocalhost\n' >"$POD_DIR/hosts"
	echo 'nameserver 127.0.0.1' >"$POD_DIR/resolv.conf"
	: >"$POD_DIR/termination-log"
	make_pod_cgroup "$POD_PARENT"
}

# kubelet's part: the pod's cgroup in every hierarchy, cpuset filled in
# from the parent at each level (a v1 cpuset cgroup takes no task before).
make_pod_cgroup() {
	local m rel d part
	for m in $(engine_cgroup_mounts); do
		d=$m
		for part in ${1//\// }; do
			d=$d/$part
			[[ -d $d ]] && continue
			mkdir "$d"
			if [[ -e $d/cpuset.cpus && ! -e $m/cgroup.controllers ]]; then
				cat "${d%/*}/cpuset.cpus" >"$d/cpuset.cpus"
				cat "${d%/*}/cpuset.mems" >"$d/cpuset.mems"
			fi
		done
	done
}

# Every container of the test goes the way the shim removes it (kill, task
# delete, container delete); then nothing may be left: no nsrun state, no
# cgroup below the pod's, no process, no mount. The pod's cgroup goes last,
# as kubelet removes it.
teardown() {
	local rc=0 id i x
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
		echo "# containerd's errors during the test:"
		engine_log_since "$POD_LOG" "$LOG_MARK" 'level=(error|warning)'
	fi
	for ((i = ${#POD_IDS[@]} - 1; i >= 0; i--)); do
		pod_remove "${POD_IDS[i]}"
	done
	if ! retry 10 pod_nothing_left >/dev/null; then
		pod_nothing_left || true
		rc=1
		for x in $(ls -A "$RUNC_ROOT/default" 2>/dev/null); do
			timeout 20 "$NSRUN" --root "$RUNC_ROOT/default" delete --force "$x" >/dev/null 2>&1 || true
		done
		engine_kill_procs_of "$TEST_TMP"
		engine_umount_under "$TEST_TMP"
	fi
	engine_cgroup_remove "$POD_PARENT"
	nsrun_teardown
	return "$rc"
}

pod_remove() {
	timeout 20 "$CTR" task kill -s KILL "$1" >/dev/null 2>&1 || true
	retry 5 pod_task_stopped "$1" >/dev/null || true
	timeout 20 "$CTR" task delete "$1" >/dev/null 2>&1 ||
		timeout 20 "$CTR" task delete -f "$1" >/dev/null 2>&1 || true
	timeout 20 "$CTR" container delete "$1" >/dev/null 2>&1 || true
}

pod_task_stopped() {
	local s
	s=$(timeout 20 "$CTR" task ls | awk -v id="$1" '$1 == id { print $3 }')
	[[ -z $s || $s == STOPPED ]]
}

pod_nothing_left() {
	local ok=0 x
	x=$(timeout 20 "$CTR" container ls -q)
	[[ -z $x ]] || { echo "# containers left: $x"; ok=1; }
	# @seccomp holds compiled filters, @free emptied directories: no
	# container's state.
	x=$(ls -A "$RUNC_ROOT/default" 2>/dev/null | grep -vx -e @seccomp -e @free || true)
	[[ -z $x ]] || { echo "# nsrun state left: $x"; ok=1; }
	x=$(engine_cgroup_find "$POD_PARENT" | awk -v p="$POD_PARENT" '$0 !~ p "$"')
	[[ -z $x ]] || { echo "# cgroups left below the pod's:"; sed 's/^/#   /' <<<"$x"; ok=1; }
	x=$(engine_procs_of "$TEST_TMP")
	[[ -z $x ]] || { echo "# processes left: $x"; ok=1; }
	x=$(engine_mounts_under "$TEST_TMP")
	[[ -z $x ]] || { echo "# mounts left: $x"; ok=1; }
	return "$ok"
}

# pod_config TEMPLATE OUT ID KEY=VALUE...: the template with each string
# that is exactly a KEY replaced by VALUE, and the join paths made
# /proc/PAUSE_PID/ns/TYPE.
pod_config() {
	local template=$1 out=$2 id=$3 map='{}' kv
	shift 3
	for kv in "$@"; do
		map=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" '. + {($k): $v}' <<<"$map")
	done
	jq --argjson m "$map" '(.. | strings) |= ($m[.] // .)' "$template" >"$out"
	# This host's root may lack CAP_SYS_RESOURCE, without which no one can
	# lower an oom_score_adj (the pause container's -998): keep ours then.
	local eff
	eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	if (( (0x$eff >> 24 & 1) == 0 )); then
		jq --argjson adj "$(cat /proc/self/oom_score_adj)" \
			'if .process.oomScoreAdj < $adj then .process.oomScoreAdj = $adj else . end' \
			"$out" >"$out.new" && mv "$out.new" "$out"
	fi
}

# pod_rootfs ID: a root filesystem of the container's own.
pod_rootfs() {
	cp -a "$ENGINE_DIR/rootfs" "$POD_DIR/rootfs-$1"
	echo "$POD_DIR/rootfs-$1"
}

# pod_ctr_run ID CONFIG: ctr run -d from a hand-written config, nsrun as the
# shim's runtime binary; must succeed.
pod_ctr_run() {
	POD_IDS+=("$1")
	engine_run "$CTR" run -d --null-io --config "$2" --runc-binary "$NSRUN" --runc-root "$RUNC_ROOT" "$1"
	[ "$status" -eq 0 ]
}

pod_pid() { timeout 20 "$CTR" task ls | awk -v id="$1" '$1 == id { print $2 }'; }

# start_sandbox: the pause container; sets SANDBOX and PAUSE_PID.
start_sandbox() {
	SANDBOX=sandbox-${TEST_TMP##*.}
	pod_config "$POD_TEMPLATES/pod-sandbox.json" "$POD_DIR/$SANDBOX.json" "$SANDBOX" \
		ROOTFS="$(pod_rootfs "$SANDBOX")" HOSTNAME="$(cat "$POD_DIR/hostname")" \
		CGROUP="$POD_PARENT/$SANDBOX" SHM="$POD_DIR/shm" RESOLV="$POD_DIR/resolv.conf" \
		POD="pod-${POD_UID:0:8}"
	pod_ctr_run "$SANDBOX" "$POD_DIR/$SANDBOX.json"
	PAUSE_PID=$(pod_pid "$SANDBOX")
	[[ $PAUSE_PID =~ ^[1-9][0-9]*$ ]]
}

# start_app NAME: a container of the pod; sets APP_ID and APP_PID.
start_app() {
	local ns=/proc/$PAUSE_PID/ns
	APP_ID=$1-${TEST_TMP##*.}
	pod_config "$POD_TEMPLATES/pod-container.json" "$POD_DIR/$APP_ID.json" "$APP_ID" \
		ROOTFS="$(pod_rootfs "$APP_ID")" HOSTNAME="$(cat "$POD_DIR/hostname")" \
		CGROUP="$POD_PARENT/$APP_ID" SHM="$POD_DIR/shm" RESOLV="$POD_DIR/resolv.conf" \
		HOSTS="$POD_DIR/hosts" HOSTNAMEFILE="$POD_DIR/hostname" \
		TERMLOG="$POD_DIR/termination-log" NAME="$1" SANDBOX="$SANDBOX" \
		NETNS="$ns/net" IPCNS="$ns/ipc" UTSNS="$ns/uts"
	pod_ctr_run "$APP_ID" "$POD_DIR/$APP_ID.json"
	APP_PID=$(pod_pid "$APP_ID")
	[[ $APP_PID =~ ^[1-9][0-9]*$ ]]
}

# assert_in_pod_cgroup PID ID: in every hierarchy the host mounts, PID is
# in POD_PARENT/ID.
assert_in_pod_cgroup() {
	local want got
	echo "# /proc/$1/cgroup:"
	sed 's/^/#   /' "/proc/$1/cgroup"
	# One line per hierarchy the host has: the same hierarchy ids as ours.
	want=$(cut -d: -f1,2 /proc/self/cgroup | sort)
	got=$(cut -d: -f1,2 "/proc/$1/cgroup" | sort)
	[ "$got" = "$want" ]
	got=$(cut -d: -f3- "/proc/$1/cgroup" | sort -u)
	[ "$got" = "$POD_PARENT/$2" ]
}

@test "pod: the pause container holds new namespaces under the pod's cgroup" {
	start_sandbox
	local t
	for t in net ipc uts pid mnt; do
		[ "$(readlink "/proc/$PAUSE_PID/ns/$t")" != "$(readlink "/proc/self/ns/$t")" ]
	done
	assert_in_pod_cgroup "$PAUSE_PID" "$SANDBOX"
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$PAUSE_PID/status")" = 65535 ]
	[ -e "$RUNC_ROOT/default/$SANDBOX" ]
}

@test "pod: two containers join the pause container's network, IPC and UTS namespaces" {
	start_sandbox
	local a b pa pb t
	start_app web
	a=$APP_ID pa=$APP_PID
	start_app sidecar
	b=$APP_ID pb=$APP_PID
	for t in net ipc uts; do
		echo "# $t: pause $(readlink "/proc/$PAUSE_PID/ns/$t"), $a $(readlink "/proc/$pa/ns/$t"), $b $(readlink "/proc/$pb/ns/$t")"
		[ "$(stat -L -c %i "/proc/$pa/ns/$t")" = "$(stat -L -c %i "/proc/$PAUSE_PID/ns/$t")" ]
		[ "$(stat -L -c %i "/proc/$pb/ns/$t")" = "$(stat -L -c %i "/proc/$PAUSE_PID/ns/$t")" ]
	done
	# Their own pid and mount namespaces.
	for t in pid mnt; do
		[ "$(readlink "/proc/$pa/ns/$t")" != "$(readlink "/proc/$PAUSE_PID/ns/$t")" ]
		[ "$(readlink "/proc/$pa/ns/$t")" != "$(readlink "/proc/$pb/ns/$t")" ]
	done
	# One network: a server in one container answers a client in the other
	# on the pod's loopback.
	engine_run "$CTR" task exec -d --exec-id srv "$a" sh -c 'echo pod-reply | nc -l -p 8080'
	[ "$status" -eq 0 ]
	retry 5 sh -c "timeout 5 '$CTR' task exec --exec-id cli-\$\$ '$b' nc -w 2 127.0.0.1 8080 </dev/null 2>/dev/null | grep -q pod-reply"
}

@test "pod: each container's cgroup is under the pod's in every hierarchy, limits applied" {
	start_sandbox
	start_app web
	assert_in_pod_cgroup "$APP_PID" "$APP_ID"
	local m=/sys/fs/cgroup/memory$POD_PARENT/$APP_ID c=/sys/fs/cgroup/cpu$POD_PARENT/$APP_ID
	if [[ -e $m/memory.limit_in_bytes ]]; then
		[ "$(cat "$m/memory.limit_in_bytes")" = 67108864 ]
	fi
	if [[ -e $c/cpu.cfs_quota_us ]]; then
		[ "$(cat "$c/cpu.cfs_quota_us")" = 50000 ]
		[ "$(cat "$c/cpu.shares")" = 102 ]
	fi
	start_app sidecar
	assert_in_pod_cgroup "$APP_PID" "$APP_ID"
}

@test "pod: exec runs in the container: the pod's hostname, its cgroup, masked and read-only paths" {
	start_sandbox
	start_app web
	engine_run "$CTR" task exec --exec-id e1 "$APP_ID" sh -c \
		'hostname; cat /etc/hostname; cut -d: -f3 /proc/self/cgroup | sort -u; wc -c < /proc/timer_list; echo x > /proc/sys/kernel/domainname'
	[ "${lines[0]}" = "pod-${POD_UID:0:8}" ]
	[ "${lines[1]}" = "pod-${POD_UID:0:8}" ]
	[ "${lines[2]}" = "$POD_PARENT/$APP_ID" ]
	# /proc/timer_list is masked (it is not empty on the host)
	[ "${lines[3]}" = 0 ]
	[[ $output == *"Read-only file system"* ]]
	[ "$status" -ne 0 ]
	engine_run "$CTR" task exec --exec-id e2 "$APP_ID" sh -c 'exit 9'
	[ "$status" -eq 9 ]
}

@test "pod: deleting the containers and the sandbox leaves nothing behind" {
	start_sandbox
	start_app web
	local a=$APP_ID pa=$APP_PID
	start_app sidecar
	local b=$APP_ID pb=$APP_PID
	engine_run "$CTR" task exec -d --exec-id bg "$a" sleep 60
	[ "$status" -eq 0 ]
	# kubelet stops the containers, then the sandbox.
	local id
	for id in "$b" "$a" "$SANDBOX"; do
		engine_run "$CTR" task kill -s TERM "$id"
		retry 5 pod_task_stopped "$id" || {
			engine_run "$CTR" task kill -s KILL "$id"
			retry 5 pod_task_stopped "$id"
		}
		engine_run "$CTR" task delete "$id"
		[ "$status" -eq 0 ]
		engine_run "$CTR" container delete "$id"
		[ "$status" -eq 0 ]
	done
	POD_IDS=()
	[ ! -e "/proc/$pa" ] || [ "$(proc_state "$pa")" = Z ]
	[ ! -e "/proc/$pb" ] || [ "$(proc_state "$pb")" = Z ]
	retry 5 pod_nothing_left
	# Only the pod's own cgroup is left, for kubelet to remove.
	run engine_cgroup_find "$POD_PARENT"
	[ "$(wc -l <<<"$output")" -eq "$(engine_cgroup_mounts | wc -l)" ]
}
