#!/usr/bin/env bats
# systemd as PID 1 under nsrun, and nsrun-systemd (the D-Bus helper of the
# systemd cgroup driver) against that systemd: a Debian root is booted
# once for the file (systemd_helpers.bash), every test works inside it,
# and the last one halts and deletes it and checks that nothing is left.

load systemd_helpers

@test "systemd boots to running or degraded with D-Bus, journald and logind up" {
	run sd_run systemctl is-system-running
	echo "# is-system-running: $output"
	[[ $output == running || $output == degraded ]]
	if [[ $output == degraded ]]; then
		sd_run systemctl --failed --no-pager --plain | sed 's/^/# /'
	fi
	run sd_run systemctl is-active dbus.service systemd-journald.service systemd-logind.service
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	# The container is the system's root: systemd's cgroups are below it.
	run sd_run cat /proc/1/cgroup
	[[ $output == *"/init.scope"* ]]
}

@test "ping answers with the manager's version" {
	sd_need_helper
	sd_helper -- ping
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9]+ ]]
	[[ $output == "$(sd_run systemctl show -p Version --value)" ]]
}

@test "start: a scope with the process in its cgroup and the limits set" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_limits 67108864 42 200
	sd_helper "$PROPS" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	[[ $(sd_show "$UNIT" ActiveState) == active ]]
	[[ $(sd_show "$UNIT" Slice) == system.slice ]]
	[[ $(sd_show "$UNIT" Delegate) == yes ]]
	[[ $(sd_show "$UNIT" Description) == "nsrun container $UNIT" ]]
	[[ $(sd_show "$UNIT" ControlGroup) == "/system.slice/$UNIT" ]]
	[[ $(sd_show "$UNIT" MemoryAccounting) == yes ]]
	[[ $(sd_show "$UNIT" TasksAccounting) == yes ]]
	[[ $(sd_show "$UNIT" CPUAccounting) == yes ]]
	[[ $(sd_show "$UNIT" "$MEM_PROP") == 67108864 ]]
	[[ $(sd_show "$UNIT" TasksMax) == 42 ]]
	[[ $(sd_show "$UNIT" "$CPU_PROP") == "$CPU_VALUE" ]]

	# The process is in the unit's cgroup, in every hierarchy systemd
	# tracks processes in.
	run sd_cgroup_file "$UNIT" systemd cgroup.procs
	[[ $output == "$SLEEP_PID" ]]
	run sd_run cat /proc/"$SLEEP_PID"/cgroup
	echo "$output" | sed 's/^/# /'
	[[ $output == *"/system.slice/$UNIT"* ]]
	[[ $(sd_cgroup_file "$UNIT" memory "$MEM_FILE") == 67108864 ]]
	[[ $(sd_cgroup_file "$UNIT" pids pids.max) == 42 ]]
	[[ $(sd_cgroup_file "$UNIT" cpu "$CPU_FILE") == "$CPU_VALUE" ]]
}

@test "start: array properties accumulate; a given Description wins" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_helper "Description s a scope with a long description
DeviceAllow a(ss) /dev/null rwm
DeviceAllow a(ss) /dev/zero r
TasksMax t infinity" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]
	[[ $(sd_show "$UNIT" Description) == "a scope with a long description" ]]
	run sd_show "$UNIT" DeviceAllow
	[[ ${lines[*]} == *"/dev/null rwm"* && ${lines[*]} == *"/dev/zero r"* ]]
	[[ $(sd_show "$UNIT" TasksMax) == infinity ]]
}

@test "set: changes the limits in systemd and in the cgroup files" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_limits 67108864 42 200
	sd_helper "$PROPS" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]

	sd_limits 134217728 17 50
	sd_helper "$PROPS" -- set "$UNIT"
	[ "$status" -eq 0 ]
	[[ $(sd_show "$UNIT" "$MEM_PROP") == 134217728 ]]
	[[ $(sd_show "$UNIT" TasksMax) == 17 ]]
	[[ $(sd_show "$UNIT" "$CPU_PROP") == "$CPU_VALUE" ]]
	[[ $(sd_cgroup_file "$UNIT" memory "$MEM_FILE") == 134217728 ]]
	[[ $(sd_cgroup_file "$UNIT" pids pids.max) == 17 ]]
	[[ $(sd_cgroup_file "$UNIT" cpu "$CPU_FILE") == "$CPU_VALUE" ]]
	# Runtime only: nothing written to /etc.
	run sd_run test -e "/etc/systemd/system.control/$UNIT.d"
	[ "$status" -ne 0 ]
}

@test "stop: the unit, its process and its cgroup are gone" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_limits 67108864 42 200
	sd_helper "$PROPS" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]
	local dir
	dir=$(sd_cgroup_dir "$UNIT" systemd)
	sd_run test -d "$dir"

	sd_helper -- stop "$UNIT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sd_run systemctl is-active "$UNIT"
	[[ $output == inactive ]]
	run sd_show "$UNIT" LoadState
	[[ $output == not-found ]]
	run sd_run test -e "$dir"
	[ "$status" -ne 0 ]
	retry_until 5 sd_gone "$SLEEP_PID"

	# Stopping it again, or a unit that never was, is success.
	sd_helper -- stop "$UNIT"
	[ "$status" -eq 0 ]
	sd_helper -- stop nsrun-bats-never-started.scope
	[ "$status" -eq 0 ]
}

@test "a scope whose process is killed goes away by itself" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_helper -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]
	local dir
	dir=$(sd_cgroup_dir "$UNIT" systemd)
	sd_run kill -KILL "$SLEEP_PID"
	retry_until 10 sd_unit_gone "$UNIT"
	run sd_run test -e "$dir"
	[ "$status" -ne 0 ]
	# Its name is free again.
	sd_sleep
	sd_helper -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 0 ]
}

@test "errors: one line naming the unit or property, status 1; usage, status 2" {
	sd_need_helper
	sd_new_unit
	sd_sleep
	sd_helper "NoSuchProperty t 1" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "nsrun-systemd: $UNIT: "*NoSuchProperty* ]]

	sd_helper "TasksMax t -1" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: TasksMax: '-1' is not an unsigned 64-bit number" ]]

	sd_helper "TasksMax q 1" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: TasksMax: signature 'q'"* ]]

	sd_helper "TasksMax t 1
TasksMax t 2" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: TasksMax: given twice" ]]

	sd_helper "AllowedCPUs ay 0g" -- start "$UNIT" system.slice "$SLEEP_PID"
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: AllowedCPUs: "* ]]

	sd_helper "TasksMax t 5" -- set nsrun-bats-never-started.scope
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: nsrun-bats-never-started.scope: "* ]]

	sd_helper -- start "$UNIT" system.slice 999999
	[ "$status" -eq 1 ]
	[[ $output == "nsrun-systemd: $UNIT: "* ]]
	# None of these made the unit.
	[[ $(sd_show "$UNIT" LoadState) == not-found ]]

	sd_helper -- start "$UNIT" system.slice
	[ "$status" -eq 2 ]
	sd_helper -- frobnicate
	[ "$status" -eq 2 ]
}

@test "nsrun --systemd-cgroup inside: the scope systemd makes holds the container with its limits; update and delete go through systemd" {
	sd_need_helper
	sd_need_nsrun
	local unit=nsrun-bats-oci.scope
	SD_UNITS+=("$unit")
	run sd_nsrun features
	[ "$(jq -r .linux.cgroup.systemd <<<"$output")" = true ]
	# The container's process keeps its stdio: a file, not bats' pipe.
	local st=0
	sd_nsrun --systemd-cgroup run -d --bundle /opt/nsrun/bundle oci \
		</dev/null >"$TEST_TMP/run.out" 2>&1 || st=$?
	sed 's/^/# /' "$TEST_TMP/run.out"
	[ "$st" -eq 0 ]
	[ "$(sd_show "$unit" ActiveState)" = active ]
	[ "$(sd_show "$unit" TasksMax)" = 50 ]
	[ "$(sd_show "$unit" Delegate)" = yes ]
	[[ $(sd_show "$unit" MemoryMax)$(sd_show "$unit" MemoryLimit) == *67108864* ]]
	local pid
	pid=$(sd_nsrun state oci | jq -r .pid)
	[[ $(sd_run cat "/proc/$pid/cgroup") == *"/system.slice/$unit"* ]]
	# In every hierarchy: systemd's, and those nsrun makes the scope in.
	[[ $(sd_run cat "/proc/$pid/cgroup" | grep -c "/system.slice/$unit\$") -eq \
		$(sd_run cat /proc/1/cgroup | wc -l) ]]
	[ "$(sd_cgroup_file "$unit" pids pids.max)" = 50 ]
	run sd_nsrun update --pids-limit 60 --memory 128m oci
	[ "$status" -eq 0 ]
	[ "$(sd_show "$unit" TasksMax)" = 60 ]
	[[ $(sd_show "$unit" MemoryMax)$(sd_show "$unit" MemoryLimit) == *134217728* ]]
	[ "$(sd_cgroup_file "$unit" pids pids.max)" = 60 ]
	run sd_nsrun delete -f oci
	[ "$status" -eq 0 ]
	[[ $(sd_show "$unit" ActiveState) != active ]]
	[[ -z $(sd_run sh -c "find /sys/fs/cgroup -name '$unit'") ]]
}

@test "nsrun --systemd-cgroup inside: a create killed after its scope started leaves no unit, cgroup or process" {
	sd_need_helper
	sd_need_nsrun
	local unit=nsrun-bats-killed.scope
	SD_UNITS+=("$unit")
	# A createRuntime hook holds the create after the scope exists and
	# tells its own pid and the create's.
	cp -a "$NSRUN_IT_DIR/helper/bundle" "$NSRUN_IT_DIR/helper/bundle-killed"
	jq '.linux.cgroupsPath = "system.slice:nsrun-bats:killed"
		| .hooks.createRuntime = [{path: "/bin/sh",
			args: ["sh", "-c", "echo $$ $PPID >/tmp/killed.pids; exec sleep 60"]}]' \
		"$NSRUN_IT_DIR/helper/bundle/config.json" >"$NSRUN_IT_DIR/helper/bundle-killed/config.json"
	sd_run rm -f /tmp/killed.pids
	sd_nsrun --systemd-cgroup create --bundle /opt/nsrun/bundle-killed killed \
		</dev/null >"$TEST_TMP/create.out" 2>&1 &
	local i
	for ((i = 0; i < 100; i++)); do
		sd_run test -s /tmp/killed.pids && break
		sleep 0.2
	done
	[ "$(sd_show "$unit" ActiveState)" = active ]
	sd_run sh -c 'set -- $(cat /tmp/killed.pids); kill -9 "$2" "$1"'
	wait || true
	# The init dies with its launcher; systemd drops the empty scope.
	for ((i = 0; i < 50; i++)); do
		[[ $(sd_show "$unit" ActiveState) == active ]] || break
		sleep 0.2
	done
	[[ $(sd_show "$unit" ActiveState) != active ]]
	# The directories nsrun made in the hierarchies systemd does not manage
	# are in the container's state: delete removes them and the state.
	run sd_nsrun delete -f killed
	echo "# delete: $output"
	[ "$status" -eq 0 ]
	[[ -z $(sd_run sh -c "find /sys/fs/cgroup -name '$unit'") ]]
	run sd_nsrun list -q
	[[ $output != *killed* ]]
	[[ $(sd_show "$unit" ActiveState) != active ]]
}

# As rootless podman does on a systemd host: an unprivileged user's
# containers in scopes of that user's own manager (no D-Bus user bus in
# this root: the helper reaches the manager's private socket).
@test "nsrun --systemd-cgroup rootless: the scope is made by the user's manager, holds the container and goes with delete" {
	sd_need_helper
	sd_need_nsrun
	sd_run sh -c 'id sdu >/dev/null 2>&1 || useradd -m -u 1500 sdu; loginctl enable-linger sdu'
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(sd_run systemctl is-active user@1500.service) == active ]] && break
		sleep 0.2
	done
	[[ $(sd_run systemctl is-active user@1500.service) == active ]]
	# The rootless starter config, with /proc and /sys bound as the
	# file's bundle has them (a new proc is refused in this container).
	mkdir -p "$NSRUN_IT_DIR/helper/rootless"
	"$NSRUN" spec --rootless -b "$NSRUN_IT_DIR/helper/rootless"
	jq '.process.args = ["sleep", "600"] | .process.terminal = false
		| .linux.uidMappings = [{containerID: 0, hostID: 1500, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: 1500, size: 1}]
		| .mounts |= map(
			if .type == "proc" then {destination: "/proc", type: "bind", source: "/proc",
				options: ["rbind", "nosuid", "noexec", "nodev"]}
			elif .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys",
				options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
			else . end)' "$NSRUN_IT_DIR/helper/rootless/config.json" \
		>"$NSRUN_IT_DIR/helper/rootless/config.json.new"
	mv "$NSRUN_IT_DIR/helper/rootless/config.json.new" "$NSRUN_IT_DIR/helper/rootless/config.json"
	sd_run sh -c 'rm -rf /home/sdu/b && mkdir -p /home/sdu/b && cp -a /opt/nsrun/bundle/rootfs /home/sdu/b/ &&
		cp /opt/nsrun/rootless/config.json /home/sdu/b/ && chown -R sdu: /home/sdu/b'
	# as_sdu CMD: CMD as sdu, with what an engine sets for a rootless runtime.
	local as_sdu='su sdu -s /bin/sh -c'
	local env='export XDG_RUNTIME_DIR=/run/user/1500 NSRUN_SYSTEMD_HELPER=/opt/nsrun/nsrun-systemd
		N="/opt/nsrun/nsrun --root /run/user/1500/nsrun"'
	# The container keeps run's stdio: a file, not bats' pipe.
	run sd_run $as_sdu "$env"'; $N --systemd-cgroup run -d -b /home/sdu/b rl </dev/null >/home/sdu/run.out 2>&1
		st=$?; cat /home/sdu/run.out >&2; [ $st -eq 0 ] && $N state rl'
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	run sd_run $as_sdu 'XDG_RUNTIME_DIR=/run/user/1500 systemctl --user show nsrun-rl.scope -p ActiveState --value'
	echo "# ActiveState: $output"
	[ "$output" = active ]
	# Below the user's manager, in each hierarchy it manages.
	run sd_run cat "/proc/$pid/cgroup"
	echo "$output" | sed 's/^/# /'
	[[ $output == *"/user@1500.service/user.slice/nsrun-rl.scope"* ]]
	run sd_run $as_sdu "$env"'; $N delete -f rl'
	[ "$status" -eq 0 ]
	run sd_run $as_sdu 'XDG_RUNTIME_DIR=/run/user/1500 systemctl --user show nsrun-rl.scope -p ActiveState --value'
	[ "$output" != active ]
	sd_run loginctl disable-linger sdu
}

# nsrun --boot ROOT: systemd as PID 1 from the sandbox command line, in an
# overlay of the same root, beside the file's container.
@test "nsrun --boot --rootfs ROOT boots systemd to running or degraded; SIGTERM halts it and nothing is left" {
	local dir=$NSRUN_IT_DIR/boot
	mkdir -p "$dir"/{upper,work,root}
	mount -t overlay overlay -o "lowerdir=$SD_CACHE,upperdir=$dir/upper,workdir=$dir/work" \
		"$dir/root"
	SD_BOOT_ROOT=$dir/root
	"$NSRUN" --boot --rootfs "$dir/root" >"$dir/console" 2>&1 &
	local launcher=$! init= state= i
	SD_BOOT_PID=$launcher
	for ((i = 0; i < 300; i++)); do
		init=$(pgrep -P "$launcher" | head -1) || true
		if [[ -n $init ]]; then
			state=$(nsenter -t "$init" -a systemctl is-system-running 2>/dev/null) || true
			[[ $state == running || $state == degraded ]] && break
		fi
		sleep 0.3
	done
	echo "# is-system-running: $state"
	[[ $state == running || $state == degraded ]]
	# What --boot promised: container=, tmpfs on /run, /run/lock and /tmp,
	# a writable cgroup tree of its own with systemd's init.scope in it.
	tr '\0' '\n' <"/proc/$init/environ" | grep -qx container=nsrun
	[ "$(nsenter -t "$init" -a findmnt -n -o FSTYPE /run)" = tmpfs ]
	[ "$(nsenter -t "$init" -a findmnt -n -o FSTYPE /run/lock)" = tmpfs ]
	[ "$(nsenter -t "$init" -a findmnt -n -o FSTYPE /tmp)" = tmpfs ]
	[[ $(nsenter -t "$init" -a cat /proc/1/cgroup) == *"/init.scope"* ]]
	local own
	own=$(awk -F: '$2 == "name=systemd" || $2 == "" { print $3; exit }' "/proc/$init/cgroup")
	[[ $own == */nsrun-"$launcher"/init.scope ]]
	kill -TERM "$launcher"
	local st=0
	timeout 60 tail --pid="$launcher" -f /dev/null || st=$?
	[ "$st" -eq 0 ]
	sed 's/^/# /' "$dir/console" | tail -n 5
	[ -z "$(pgrep -P "$launcher")" ]
	kill -0 "$init" 2>/dev/null && return 1
	[[ -z $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "nsrun-$launcher") ]]
	umount "$dir/root"
}

# Last: the file's container, halted as a system is (SIGRTMIN+3) and
# deleted; boot.sh down fails if any of its processes, cgroups (systemd's
# below the container's included) or mounts is left.
@test "halt and delete -f leave no process, cgroup or mount behind" {
	if [[ -z $SD_NO_HELPER ]]; then
		# A delegated scope of ours too, below systemd's own cgroups.
		sd_new_unit
		sd_sleep
		sd_helper -- start "$UNIT" system.slice "$SLEEP_PID"
		[ "$status" -eq 0 ]
		SD_UNITS=()
	fi
	run "$SD_TOOLS/boot.sh" down "$SD_DIR" "$SD_ID"
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	[[ -z $(find /sys/fs/cgroup -mindepth 1 -type d -name "$SD_ID" 2>/dev/null) ]]
	run grep -F " $SD_DIR/" /proc/self/mountinfo
	[ "$status" -ne 0 ]
	[ ! -e "$SD_DIR" ]
}
