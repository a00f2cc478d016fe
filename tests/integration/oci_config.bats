#!/usr/bin/env bats
# config.json fields, checked from inside the container (a foreground run
# prints what it sees) and from the host.

load oci_helpers

# run_config: run the bundle in the foreground; must exit 0.
run_config() {
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
}

# --- process -----------------------------------------------------------------

@test "process.user: uid, gid, additionalGids and umask" {
	cfg_edit '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 3000], "umask": 63}'
	cfg_sh 'id -u; id -g; id -G; umask; touch /tmp/made; stat -c "%a %u:%g" /tmp/made'
	run_config
	assert_text "$(printf '%s\n' 1000 1000 '1000 2000 3000' 0077 '600 1000:1000')" "$output"
}

@test "process.user: a gid without additionalGids leaves no supplementary groups" {
	cfg_edit '.process.user = {"uid": 1000, "gid": 2000}'
	cfg_sh 'id -u; id -g; id -G; grep ^Groups: /proc/self/status'
	run_config
	assert_text "$(printf '%s\n' 1000 2000 2000 'Groups:	')" "$(sed 's/[[:space:]]*$//; s/^Groups:$/Groups:\t/' <<<"$output")"
}

@test "process.env is the environment, exactly" {
	cfg_args cat /proc/self/environ
	cfg_edit '.process.env = ["PATH=/bin", "A=1", "WITH_SPACES=two words", "EMPTY="]'
	export NSRUN_CALLER_ONLY=leak
	run_config
	unset NSRUN_CALLER_ONLY
	assert_text "$(printf '%s\n' PATH=/bin A=1 'WITH_SPACES=two words' EMPTY=)" "$(tr '\0' '\n' <"$OCI_OUT")"
}

@test "process.cwd is the working directory" {
	cfg_args pwd
	cfg_edit '.process.cwd = "/home/app"'
	run_config
	[ "$output" = /home/app ]
}

@test "a process.cwd that does not exist is created, as runc does" {
	cfg_args pwd
	cfg_edit '.process.cwd = "/work/dir"'
	run_config
	[ "$output" = /work/dir ]
	[ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "process.capabilities: every set, for a non-root user with ambient caps" {
	cfg_edit '.process.user = {"uid": 1000, "gid": 1000}'
	cfg_edit '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"],
		"inheritable": ["CAP_CHOWN", "CAP_KILL"],
		"ambient": ["CAP_KILL"] }'
	cfg_args grep ^Cap /proc/self/status
	run_config
	# After execve, a non-root process keeps its ambient caps only.
	assert_text "$(printf '%s\n' \
		"CapInh:	$(caps_mask CAP_CHOWN CAP_KILL)" \
		"CapPrm:	$(caps_mask CAP_KILL)" \
		"CapEff:	$(caps_mask CAP_KILL)" \
		"CapBnd:	$(caps_mask CAP_CHOWN CAP_KILL CAP_NET_RAW)" \
		"CapAmb:	$(caps_mask CAP_KILL)")" "$output"
}

@test "process.capabilities: root's bounding set is exactly the config's" {
	cfg_edit '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
		"effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"] }'
	cfg_args grep ^Cap /proc/self/status
	run_config
	local want
	want=$(caps_mask CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID)
	assert_text "$(printf '%s\n' \
		"CapInh:	0000000000000000" \
		"CapPrm:	$want" \
		"CapEff:	$want" \
		"CapBnd:	$want" \
		"CapAmb:	0000000000000000")" "$output"
}

@test "process.capabilities: a cap outside the sets is really missing (chown fails)" {
	cfg_edit '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	cfg_sh 'touch /tmp/f; chown 1000 /tmp/f && echo chowned || echo refused'
	run_config
	[ "$(tail -1 <<<"$output")" = refused ]
}

@test "process.rlimits" {
	cfg_edit '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
		{"type": "RLIMIT_NPROC", "soft": 500, "hard": 600},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 1024}]'
	cfg_args cat /proc/self/limits
	run_config
	grep -Eq '^Max open files +123 +456 +files' <<<"$output"
	grep -Eq '^Max processes +500 +600 +processes' <<<"$output"
	grep -Eq '^Max core file size +0 +1024 +bytes' <<<"$output"
}

@test "an unknown rlimit type is refused" {
	cfg_args true
	cfg_edit '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	assert_error_contains "rlimits"
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "process.noNewPrivileges" {
	cfg_args grep ^NoNewPrivs /proc/self/status
	cfg_edit '.process.noNewPrivileges = true'
	run_config
	[ "$output" = "NoNewPrivs:	1" ]
	cfg_edit '.process.noNewPrivileges = false'
	run_config
	[ "$output" = "NoNewPrivs:	0" ]
}

@test "process.oomScoreAdj: a positive value is applied" {
	cfg_args cat /proc/self/oom_score_adj
	cfg_edit '.process.oomScoreAdj = 500'
	run_config
	[ "$output" = 500 ]
}

@test "process.oomScoreAdj: lowering it without CAP_SYS_RESOURCE fails naming oomScoreAdj, nothing left" {
	# This host withholds CAP_SYS_RESOURCE from root.
	if grep -q '^CapEff:.*' /proc/self/status && (( (0x$(awk '/^CapEff/ { print $2 }' /proc/self/status) >> 24) & 1 )); then
		skip "root has CAP_SYS_RESOURCE here: a negative oomScoreAdj is allowed"
	fi
	cfg_sh 'echo ran >/tmp/ran; sleep 30'
	cfg_edit '.process.oomScoreAdj = -100'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	assert_error_contains "oomScoreAdj"
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
}

# --- hostname, mounts, root ------------------------------------------------------

@test "hostname is set in the container's UTS namespace only" {
	cfg_args hostname
	cfg_edit '.hostname = "oci-config-test"'
	local ours
	ours=$(hostname)
	run_config
	[ "$output" = oci-config-test ]
	[ "$(hostname)" = "$ours" ]
}

@test "mounts: tmpfs with options" {
	cfg_edit '.mounts += [{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]}]'
	cfg_sh 'mountinfo-of /mnt/t; stat -c %a /mnt/t; echo x >/mnt/t/f && echo writable'
	run_config
	local fstype opts super
	read -r fstype opts super <<<"${lines[0]}"
	[ "$fstype" = tmpfs ]
	[[ ,$opts, == *,nosuid,* && ,$opts, == *,nodev,* && ,$opts, == *,noexec,* ]]
	[[ ,$super, == *,size=1024k,* && ,$super, == *,mode=700,* ]]
	[ "${lines[1]}" = 700 ]
	[ "${lines[2]}" = writable ]
}

@test "mounts: a read-only bind of a host directory" {
	mkdir "$TEST_TMP/hostdata"
	echo from-host >"$TEST_TMP/hostdata/file"
	cfg_edit '.mounts += [{"destination": "/mnt/ro", "type": "bind", "source": $src,
		"options": ["bind", "ro"]}]' "$CONFIG" --arg src "$TEST_TMP/hostdata"
	cfg_sh 'cat /mnt/ro/file; mountinfo-of /mnt/ro; touch /mnt/ro/new 2>/dev/null && echo wrote || echo refused'
	run_config
	[ "${lines[0]}" = from-host ]
	[[ ${lines[1]} == *" ro,"* || ${lines[1]} == *" ro "* ]]
	[ "${lines[2]}" = refused ]
	[ ! -e "$TEST_TMP/hostdata/new" ]
}

@test "mounts: a read-write bind shares writes with the host" {
	mkdir "$TEST_TMP/hostdata"
	cfg_edit '.mounts += [{"destination": "/mnt/rw", "type": "none", "source": $src,
		"options": ["bind"]}]' "$CONFIG" --arg src "$TEST_TMP/hostdata"
	cfg_sh 'echo from-container >/mnt/rw/file'
	run_config
	[ "$(cat "$TEST_TMP/hostdata/file")" = from-container ]
}

@test "mounts: rbind brings the submounts, bind does not" {
	mkdir -p "$TEST_TMP/tree/sub"
	mount -t tmpfs -o size=1m nsrun-oci-test "$TEST_TMP/tree/sub"
	OCI_HOST_MOUNTS+=("$TEST_TMP/tree/sub")
	echo inner >"$TEST_TMP/tree/sub/file"
	cfg_edit '.mounts += [
		{"destination": "/mnt/r", "type": "bind", "source": $src, "options": ["rbind"]},
		{"destination": "/mnt/b", "type": "bind", "source": $src, "options": ["bind"]}]' \
		"$CONFIG" --arg src "$TEST_TMP/tree"
	cfg_sh 'cat /mnt/r/sub/file; ls -A /mnt/b/sub | wc -l'
	run_config
	assert_text "$(printf '%s\n' inner 0)" "$output"
	umount "$TEST_TMP/tree/sub"
}

@test "root.readonly: the root is read-only, /dev stays writable" {
	cfg_edit '.root.readonly = true'
	cfg_sh 'touch /newfile 2>/dev/null && echo wrote || echo refused; mountinfo-of /; touch /dev/shm/x && echo dev-writable'
	run_config
	[ "${lines[0]}" = refused ]
	[[ ${lines[1]} == *" ro,"* || ${lines[1]} == *" ro "* ]]
	[ "${lines[2]}" = dev-writable ]
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "linux.maskedPaths: files read empty, directories are empty, missing paths are ignored" {
	echo secret >"$BUNDLE/rootfs/etc/secret"
	echo private >"$BUNDLE/rootfs/home/app/private"
	[ "$(wc -c </proc/timer_list)" -gt 0 ] # on the host
	cfg_edit '.linux.maskedPaths = ["/proc/timer_list", "/etc/secret", "/home/app", "/proc/no-such-path"]'
	cfg_sh 'wc -c </etc/secret; ls -A /home/app | wc -l; wc -c </proc/timer_list
		touch /home/app/x 2>/dev/null && echo wrote || echo refused'
	run_config
	assert_text "$(printf '%s\n' 0 0 0 refused)" "$output"
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "linux.readonlyPaths are read-only, with writes refused" {
	cfg_edit '.linux.readonlyPaths = ["/proc/sys", "/home/app"]'
	cfg_sh 'mountinfo-of /proc/sys; mountinfo-of /home/app
		touch /home/app/x 2>/dev/null && echo wrote || echo refused
		(echo 1 >/proc/sys/kernel/domainname) 2>/dev/null && echo wrote || echo refused'
	run_config
	[[ ${lines[0]} == *" ro,"* ]]
	[[ ${lines[1]} == *" ro,"* ]]
	[ "${lines[2]}" = refused ]
	[ "${lines[3]}" = refused ]
	[ ! -e "$BUNDLE/rootfs/home/app/x" ]
}

# --- namespaces ----------------------------------------------------------------

@test "linux.namespaces: a network namespace path is joined" {
	bg_start netns unshare -n sleep 60
	local holder=$BG_PID
	retry 5 test "$(readlink "/proc/$holder/ns/net")" != "$(readlink /proc/self/ns/net)" ||
		retry 5 netns_differs "$holder"
	cfg_edit '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		"$CONFIG" --arg p "/proc/$holder/ns/net"
	[ "$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$CONFIG")" = "/proc/$holder/ns/net" ]
	cfg_args readlink /proc/self/ns/net
	run_config
	[ "$output" = "$(readlink "/proc/$holder/ns/net")" ]
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
}

netns_differs() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }

@test "linux.namespaces: a path of the wrong type is refused, nothing left" {
	cfg_edit '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/uts" else . end)'
	cfg_sh 'echo ran >/tmp/ran'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	assert_error_contains
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
}

@test "linux.namespaces: an omitted type is shared with the host" {
	cfg_edit '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	cfg_sh 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts'
	run_config
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" = "$(readlink /proc/self/ns/ipc)" ]
	[ "${lines[2]}" != "$(readlink /proc/self/ns/uts)" ]
}

@test "linux.uidMappings and gidMappings with a user namespace" {
	cfg_edit '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	cfg_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; stat -c %u /bin/busybox; echo up >/tmp/up; sleep 30'
	oci_new_id
	oci_run_d
	wait_file "$BUNDLE/rootfs/tmp/up"
	local init
	init=$(oci_pid "$ID")
	# From the host: the init runs as host uid 100000, gid 200000.
	grep -Eq '^Uid:\s+100000\s+100000\s+100000\s+100000$' "/proc/$init/status"
	grep -Eq '^Gid:\s+200000\s+200000\s+200000\s+200000$' "/proc/$init/status"
	[ "$(readlink "/proc/$init/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	[ "$(norm_map <"/proc/$init/uid_map")" = "0 100000 65536" ]
	[ "$(norm_map <"/proc/$init/gid_map")" = "0 200000 65536" ]
	# From the inside: root, and host root's files belong to nobody.
	local out
	out=$(cat "$OCI_OUT")
	assert_text "$(printf '%s\n' '0 100000 65536' '0 200000 65536' 0 0 65534)" \
		"$(norm_map <<<"$(sed -n 1,2p <<<"$out")"; sed -n '3,$p' <<<"$out")"
}

# --- sysctl ---------------------------------------------------------------------

@test "linux.sysctl: net.ipv4.ip_forward in the container's network namespace only" {
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	OCI_RESTORE+=("/proc/sys/net/ipv4/ip_forward=$host")
	local want=1
	[[ $host == 1 ]] && want=0
	cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": $v}' "$CONFIG" --arg v "$want"
	cfg_args cat /proc/sys/net/ipv4/ip_forward
	run_config
	[ "$output" = "$want" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "linux.sysctl: a key outside the container's namespaces is refused, the host untouched" {
	local host
	host=$(cat /proc/sys/vm/swappiness)
	OCI_RESTORE+=("/proc/sys/vm/swappiness=$host")
	local want=33
	[[ $host == 33 ]] && want=34
	cfg_edit '.linux.sysctl = {"vm.swappiness": $v}' "$CONFIG" --arg v "$want"
	cfg_sh 'echo ran >/tmp/ran'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	local after
	after=$(cat /proc/sys/vm/swappiness)
	echo "# host vm.swappiness: before $host, after $after"
	[ "$after" = "$host" ]
	assert_error_contains "vm.swappiness"
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "linux.sysctl: a net key without a network namespace of its own is refused" {
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	OCI_RESTORE+=("/proc/sys/net/ipv4/ip_forward=$host")
	local want=1
	[[ $host == 1 ]] && want=0
	cfg_edit '.linux.namespaces |= map(select(.type != "network"))'
	cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": $v}' "$CONFIG" --arg v "$want"
	cfg_args true
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
	assert_error_contains "net.ipv4.ip_forward"
	[ ! -e "$OCI_ROOT/$ID" ]
}

# --- resources -------------------------------------------------------------------

# The cgroup directory of ID in a v1 hierarchy (one).
cgroup_dir_of() {
	local d
	d=$(find "/sys/fs/cgroup/$1" -type d -name "$2")
	[[ -n $d && $d != *$'\n'* ]] && echo "$d"
}

@test "linux.resources: memory and pids limits are in the container's cgroups" {
	cfg_args sleep 30
	cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
	oci_new_id
	oci_create
	local init mem pids
	init=$(oci_pid "$ID")
	mem=$(cgroup_dir_of memory "$ID")
	pids=$(cgroup_dir_of pids "$ID")
	[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$pids/pids.max")" = 42 ]
	grep -qx "$init" "$mem/cgroup.procs"
	grep -qx "$init" "$pids/cgroup.procs"
	oci_ok delete --force "$ID"
	[ ! -e "$mem" ]
	[ ! -e "$pids" ]
}

@test "linux.resources: memory, pids and cpu limits together: the init is in every hierarchy's cgroup" {
	cfg_args sleep 30
	cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42},
		"cpu": {"quota": 50000, "period": 100000}}'
	oci_new_id
	oci_create
	local init dirs d
	init=$(oci_pid "$ID")
	dirs=$(oci_cgroup_dirs "$ID")
	echo "# $dirs"
	# memory, pids, cpu and freezer where they are v1 controllers, and v2.
	(($(wc -l <<<"$dirs") >= 2))
	for d in $dirs; do
		grep -qx "$init" "$d/cgroup.procs"
	done
	oci_ok delete --force "$ID"
	[[ -z $(oci_cgroup_dirs "$ID") ]]
}

@test "linux.cgroupsPath without resources: the init is in that cgroup in every mounted hierarchy" {
	cfg_args sleep 30
	oci_new_id
	cfg_edit '.linux.cgroupsPath = $p | del(.linux.resources)' "$CONFIG" --arg p "/nsrun-it-$ID/c1"
	oci_create
	local init want got
	init=$(oci_pid "$ID")
	# Every hierarchy the host mounts, v1 controllers, name=systemd and v2.
	want=$(awk -F: '{print $2}' /proc/self/cgroup | sort)
	got=$(grep ":/nsrun-it-$ID/c1\$" "/proc/$init/cgroup" | awk -F: '{print $2}' | sort)
	echo "# hierarchies: $(tr '\n' ' ' <<<"$want")"
	[ "$got" = "$want" ]
	oci_ok delete --force "$ID"
	# The container's own cgroup goes; its parent, as with runc, is the
	# caller's (kubelet's pod cgroup).
	[[ -z $(find /sys/fs/cgroup -path "*/nsrun-it-$ID/c1") ]]
	find /sys/fs/cgroup -depth -type d -name "nsrun-it-$ID" -exec rmdir {} +
}

@test "linux.resources: reservation, swappiness, shares, cpuset and throttles reach the cgroup files" {
	[[ -d /sys/fs/cgroup/memory && -d /sys/fs/cgroup/cpuset && -d /sys/fs/cgroup/blkio ]] ||
		skip "not a v1 or hybrid host with memory, cpuset and blkio"
	local dev
	dev=$(stat -L -c '%t %T' /dev/loop0 2>/dev/null || true)
	[[ -n $dev ]] || skip "no /dev/loop0 for a throttle rule"
	cfg_args sleep 30
	oci_new_id
	cfg_edit '.linux.cgroupsPath = $p | .linux.resources = {"memory": {"limit": 67108864,
		"reservation": 33554432, "swappiness": 10}, "cpu": {"shares": 512, "cpus": "0",
		"mems": "0"}, "blockIO": {"throttleReadBpsDevice": [{"major": 7, "minor": 0,
		"rate": 1048576}]}}' "$CONFIG" --arg p "/nsrun-it-$ID"
	oci_create
	local c=/sys/fs/cgroup
	[ "$(cat "$c/memory/nsrun-it-$ID/memory.soft_limit_in_bytes")" = 33554432 ]
	[ "$(cat "$c/memory/nsrun-it-$ID/memory.swappiness")" = 10 ]
	[ "$(cat "$c/cpu/nsrun-it-$ID/cpu.shares")" = 512 ]
	[ "$(cat "$c/cpuset/nsrun-it-$ID/cpuset.cpus")" = 0 ]
	[ "$(cat "$c/cpuset/nsrun-it-$ID/cpuset.mems")" = 0 ]
	[ "$(cat "$c/blkio/nsrun-it-$ID/blkio.throttle.read_bps_device")" = "7:0 1048576" ]
	oci_ok delete --force "$ID"
	[[ -z $(oci_cgroup_dirs "nsrun-it-$ID") ]]
}

@test "a cgroup mount on a v1 or hybrid host shows each hierarchy from the container's own cgroup, read-only (with and without a cgroup namespace)" {
	[[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]] || skip "a cgroup v2 host: the mount is cgroup2"
	[[ -d /sys/fs/cgroup/pids ]] || skip "no v1 pids hierarchy"
	cfg_edit '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]
		| .linux.resources = {"pids": {"limit": 42}}'
	cfg_sh 'cat /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup | tr "\n" " "; echo
		mkdir /sys/fs/cgroup/pids/x 2>/dev/null && echo writable || echo read-only'
	local ns
	for ns in with without; do
		if [[ $ns == without ]]; then
			cfg_edit '.linux.namespaces |= map(select(.type != "cgroup"))'
		fi
		oci_new_id
		oci_ok run --bundle "$BUNDLE" "$ID"
		# The root of the view is the container's cgroup: its limit.
		[ "${lines[0]}" = 42 ]
		[[ " ${lines[1]} " == *" pids "* && " ${lines[1]} " == *" memory "* ]]
		[ "${lines[2]}" = read-only ]
	done
}

@test "linux.resources.pids.limit holds inside the container" {
	cfg_edit '.linux.resources = {"pids": {"limit": 5}}'
	# The init and four children fill the limit: the fifth fork fails
	# (and the shell gives up).
	cfg_sh 'sleep 5 & sleep 5 & sleep 5 & sleep 5 & echo four; sleep 5 & echo five'
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$output" = four ]
}

# --- seccomp --------------------------------------------------------------------

@test "linux.seccomp: a profile denying getcwd with errnoRet" {
	cfg_args pwd
	run_config
	[ "$output" = / ]
	cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"Permission denied"* ]] # EACCES, the errnoRet
	[ -z "$output" ]
}

@test "linux.seccomp: SCMP_ACT_ERRNO without errnoRet is EPERM" {
	cfg_args pwd
	cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}'
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"Operation not permitted"* ]]
}

# The compiled program is kept under the state root (OCI_ROOT/@seccomp),
# keyed by the whole profile: what runs is the profile's, hit or miss.
# (exec takes the container's own copy: oci_exec.bats.)
@test "linux.seccomp: the compiled program is kept once per profile, used by run, and a file not ours alone is replaced" {
	local deny='{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	cfg_args pwd
	cfg_edit ".linux.seccomp = $deny"
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"Permission denied"* ]]
	local kept=("$OCI_ROOT"/@seccomp/*)
	[ "${#kept[@]}" -eq 1 ]
	[ "$(stat -c '%a %U' "${kept[0]}")" = "600 root" ]
	# A hit: the same file, and the same denial.
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"Permission denied"* ]]
	kept=("$OCI_ROOT"/@seccomp/*)
	[ "${#kept[@]}" -eq 1 ]
	# Another errno is another profile: a second file, its own answer.
	cfg_edit '.linux.seccomp.syscalls[0].errnoRet = 1'
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"Operation not permitted"* ]]
	kept=("$OCI_ROOT"/@seccomp/*)
	[ "${#kept[@]}" -eq 2 ]
	# A kept file that others may write, or that is garbage, is not used
	# but written anew.
	cfg_edit ".linux.seccomp = $deny"
	rm "$OCI_ROOT"/@seccomp/*
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	kept=("$OCI_ROOT"/@seccomp/*)
	[ "${#kept[@]}" -eq 1 ]
	chmod 0620 "${kept[0]}"
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"Permission denied"* ]]
	[ "$(stat -c %a "${kept[0]}")" = 600 ]
	head -c 64 /dev/urandom >"${kept[0]}"
	oci_new_id
	oci run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"Permission denied"* ]]
	[ "$(head -c 8 "${kept[0]}")" = NSRUNBPF ]
}

# --- devices --------------------------------------------------------------------

@test "the default devices and /dev links are present, the devices root's and mode 666" {
	cfg_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a %u:%g" /dev/$d; done
		for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done
		echo x >/dev/null && echo null-ok; head -c 5 /dev/zero | wc -c; head -c 5 /dev/urandom | wc -c
		(echo x >/dev/full) 2>/dev/null || echo full-refused'
	# The runtime's umask is not the nodes' mode.
	umask 077
	run_config
	assert_text "$(cat <<-'EOF'
		/dev/null character special file 1:3 666 0:0
		/dev/zero character special file 1:5 666 0:0
		/dev/full character special file 1:7 666 0:0
		/dev/random character special file 1:8 666 0:0
		/dev/urandom character special file 1:9 666 0:0
		/dev/tty character special file 5:0 666 0:0
		ptmx -> pts/ptmx
		fd -> /proc/self/fd
		stdin -> /proc/self/fd/0
		stdout -> /proc/self/fd/1
		stderr -> /proc/self/fd/2
		null-ok
		5
		5
		full-refused
	EOF
	)" "$output"
}

@test "linux.devices: a character device node with the given major, minor, mode and owner" {
	cfg_edit '.linux.devices = [{"path": "/dev/oci-test", "type": "c", "major": 1, "minor": 3,
		"fileMode": 416, "uid": 1000, "gid": 2000}]'
	# The owner may write it (root here has no CAP_DAC_OVERRIDE).
	cfg_edit '.process.user = {"uid": 1000, "gid": 2000}'
	cfg_sh 'stat -c "%F %t:%T %a %u:%g" /dev/oci-test; echo x >/dev/oci-test && echo writable'
	run_config
	assert_text "$(printf '%s\n' 'character special file 1:3 640 1000:2000' writable)" "$output"
	[ ! -e "$BUNDLE/rootfs/dev/oci-test" ]
}

# cfg_mknod: the container keeps CAP_MKNOD, so it could make nodes itself.
cfg_mknod() {
	local set
	for set in bounding effective permitted; do
		cfg_edit ".process.capabilities.$set += [\"CAP_MKNOD\"]"
	done
}

@test "linux.resources.devices with CAP_MKNOD and no user namespace: a devices cgroup holds the rules for nodes the container makes" {
	(exec 3</dev/tty1) 2>/dev/null || skip "root cannot open /dev/tty1 on this host"
	[[ $(stat -f -c %T /sys/fs/cgroup/devices 2>/dev/null) == cgroupfs ]] ||
		skip "no v1 devices controller (cgroup v2 has no devices rules without BPF)"
	cfg_mknod
	local probe='mknod /tmp/tty1 c 4 1 && mknod /tmp/null c 1 3 || exit 9
		( exec 3</tmp/tty1 ) 2>/dev/null && echo tty1 opened || echo tty1 denied
		( exec 3</tmp/null ) 2>/dev/null && echo null opened || echo null denied'
	# The usual deny-all: only the default devices open.
	cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	cfg_sh "$probe"
	run_config
	[ "${lines[0]}" = "tty1 denied" ]
	[ "${lines[1]}" = "null opened" ]
	# An allow rule for the device lets it open.
	rm -f "$BUNDLE/rootfs/tmp/tty1" "$BUNDLE/rootfs/tmp/null"
	cfg_edit '.linux.resources.devices += [{"allow": true, "type": "c", "major": 4, "minor": 1, "access": "r"}]'
	run_config
	[ "${lines[0]}" = "tty1 opened" ]
	# The devices cgroup is the container's own, named after it.
	cfg_args sleep 30
	oci_new_id
	oci_create
	[ "$(oci_cgroup_dirs "$ID" | grep -c /devices/)" = 1 ]
}

@test "linux.resources.devices on cgroup v2: a BPF program on the container's cgroup holds the rules" {
	(exec 3</dev/tty1) 2>/dev/null || skip "root cannot open /dev/tty1 on this host"
	local v2=/sys/fs/cgroup
	[[ $(stat -f -c %T $v2) == cgroup2fs ]] || v2=/sys/fs/cgroup/unified
	[[ $(stat -f -c %T $v2 2>/dev/null) == cgroup2fs ]] || skip "no cgroup v2 on this host"
	cfg_mknod
	cfg_edit '.root.readonly = false'
	cfg_sh 'mknod /tmp/tty1 c 4 1 && mknod /tmp/null c 1 3 || exit 9
		( exec 3</tmp/tty1 ) 2>/dev/null && echo tty1 opened || echo tty1 denied
		( exec 3</tmp/null ) 2>/dev/null && echo null opened || echo null denied'
	cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	# Without a v1 devices hierarchy (as on a v2 host), in a mount
	# namespace of the test's own.
	local run_v2=(unshare -m sh -c 'umount /sys/fs/cgroup/devices 2>/dev/null; exec "$@"' sh)
	oci_new_id
	"${run_v2[@]}" "$NSRUN" --root "$OCI_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null \
		>"$TEST_TMP/out" 2>&1 || { cat "$TEST_TMP/out"; false; }
	mapfile -t lines <"$TEST_TMP/out"
	[ "${lines[0]}" = "tty1 denied" ]
	[ "${lines[1]}" = "null opened" ]
	rm -f "$BUNDLE/rootfs/tmp/tty1" "$BUNDLE/rootfs/tmp/null"
	cfg_edit '.linux.resources.devices += [{"allow": true, "type": "c", "major": 4, "minor": 1, "access": "r"}]'
	oci_new_id
	"${run_v2[@]}" "$NSRUN" --root "$OCI_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null \
		>"$TEST_TMP/out" 2>&1 || { cat "$TEST_TMP/out"; false; }
	mapfile -t lines <"$TEST_TMP/out"
	[ "${lines[0]}" = "tty1 opened" ]
}

@test "linux.resources.devices without CAP_MKNOD: no rules in the devices cgroup (only the nodes nsrun makes exist)" {
	[[ $(stat -f -c %T /sys/fs/cgroup/devices 2>/dev/null) == cgroupfs ]] ||
		skip "no v1 devices controller"
	cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	cfg_args sleep 30
	oci_new_id
	oci_create
	# The container is in a devices cgroup of its own, as in every
	# hierarchy, and it allows what its parent allows.
	local dir
	dir=$(oci_cgroup_dirs "$ID" | grep /devices/)
	[ -n "$dir" ]
	[ "$(cat "$dir/devices.list")" = "a *:* rwm" ]
}

@test "linux.resources.devices: a malformed rule is refused by its index" {
	cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "x"}]'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 125 ]
	assert_error_contains "linux.resources.devices[1]"
}

@test "linux.mountLabel and process.selinuxLabel are accepted where SELinux is off" {
	[[ ! -e /sys/fs/selinux/enforce ]] || skip "SELinux is on"
	cfg_args true
	cfg_edit '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
		| .process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	oci_new_id
	oci_ok run --bundle "$BUNDLE" "$ID"
	cfg_edit '.linux.mountLabel = 7'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	assert_error_contains "linux.mountLabel" "expected a string"
}
