# Shared set-up for systemd.bats: one Debian root with systemd as PID 1,
# booted under nsrun once per file (tests/systemd/boot.sh), with the
# nsrun-systemd helper of the build bound read-only at /opt/nsrun.
#
#   load systemd_helpers
#
# The root is made by tests/systemd/make-root.sh into a cache outside the
# repository (NSRUN_SD_CACHE, default /var/cache/nsrun/systemd-root): the
# first run debootstraps it from the Debian mirror, later runs reuse it.
# Without the mirror every test is skipped, and without the helper (no
# libsystemd-dev when nsrun was built) those that need it, with the reason.
#
# The helper: NSRUN_SYSTEMD_HELPER, else src/systemd/nsrun-systemd of the
# build directory holding NSRUN. It is linked against the host's
# libsystemd and glibc, the same bookworm versions as the root's.

load helpers

SD_TOOLS="$BATS_TEST_DIRNAME/../systemd"
# Seconds for one command in the container (a scope's start waits for its
# job).
SD_TIMEOUT=${SD_TIMEOUT:-60}

# --- per file ------------------------------------------------------------------------

systemd_setup_file() {
	nsrun_setup_file
	# Why every test skips, if they must (bats 1.8 cannot skip from
	# setup_file): exported, so each test's setup sees it.
	export SD_SKIP=
	if ! command -v jq >/dev/null; then
		SD_SKIP="jq is not installed"
		return 0
	fi
	local helper=${NSRUN_SYSTEMD_HELPER:-$(dirname "$NSRUN_ORIG")/src/systemd/nsrun-systemd}
	local rc=0 bind=
	# Without the helper systemd still boots; its tests skip (sd_need_helper).
	export SD_NO_HELPER=
	if [[ -x $helper ]]; then
		# A copy, so the container binds nothing of the build tree.
		mkdir -p "$NSRUN_IT_DIR/helper"
		install -m 0755 "$helper" "$NSRUN_IT_DIR/helper/nsrun-systemd"
		sd_copy_nsrun "$NSRUN_IT_DIR/helper"
		bind="$NSRUN_IT_DIR/helper:/opt/nsrun"
	else
		SD_NO_HELPER="nsrun-systemd is not built ($helper): install libsystemd-dev and rebuild"
	fi
	export SD_CACHE=${NSRUN_SD_CACHE:-/var/cache/nsrun/systemd-root}
	export SD_DIR="$NSRUN_IT_DIR/systemd"
	export SD_STATE="$SD_DIR/state"
	export SD_ID="sd-${NSRUN_IT_DIR##*.}"
	export SD_HELPER=/opt/nsrun/nsrun-systemd

	SD_BOOT_LOG="$NSRUN_IT_DIR/boot.log"
	NSRUN_SD_BIND=$bind "$SD_TOOLS/boot.sh" up "$SD_DIR" "$SD_ID" >"$SD_BOOT_LOG" 2>&1 || rc=$?
	sed 's/^/# /' "$SD_BOOT_LOG" >&3
	if ((rc == 3)); then
		"$SD_TOOLS/boot.sh" down "$SD_DIR" "$SD_ID" >/dev/null 2>&1 || true
		SD_SKIP="no Debian root: debootstrap cannot reach the Debian mirror"
		return 0
	fi
	if ((rc != 0)); then
		"$SD_TOOLS/boot.sh" down "$SD_DIR" "$SD_ID" 2>&1 | sed 's/^/# /' >&3
		echo "# boot.sh up failed (status $rc)" >&3
		return 1
	fi
	# On a cgroup v2 host the container sees one unified tree; on a hybrid
	# or v1 host, one mount per controller.
	SD_CGROUP_V2=false
	[[ $(sd_run stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] && SD_CGROUP_V2=true
	export SD_CGROUP_V2
}

# nsrun itself, where the build is one static file (a sanitizer build
# needs the host's libraries), and a busybox bundle for it, into DIR:
# nsrun as the OCI runtime inside the booted root, with --systemd-cgroup.
sd_copy_nsrun() {
	local dir=$1 applet
	export SD_NO_NSRUN="nsrun is not one static file here (a sanitizer build)"
	file -L "$NSRUN_ORIG" 2>/dev/null | grep -q 'static' || return 0
	install -m 0755 "$NSRUN_ORIG" "$dir/nsrun"
	mkdir -p "$dir/bundle/rootfs"/{bin,proc,dev,sys,tmp}
	cp /bin/busybox "$dir/bundle/rootfs/bin/busybox"
	for applet in sh sleep cat; do ln -s busybox "$dir/bundle/rootfs/bin/$applet"; done
	"$NSRUN_ORIG" spec --bundle "$dir/bundle"
	# The booted root has no CAP_SYS_ADMIN (as podman's default): the
	# container gets it in a user namespace of its own, root mapped to root.
	# There the kernel refuses a new proc or sysfs over the root's masked
	# ones, and devpts a gid that is not mapped: /proc and /sys are bound.
	jq '.process.args = ["sleep", "600"] | .process.terminal = false
		| .linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| .mounts |= map(
			if .type == "proc" then {destination: "/proc", type: "bind", source: "/proc",
				options: ["rbind", "nosuid", "noexec", "nodev"]}
			elif .type == "sysfs" then {destination: "/sys", type: "bind", source: "/sys",
				options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
			elif .type == "devpts" then .options -= ["gid=5"]
			else . end)
		| .linux.cgroupsPath = "system.slice:nsrun-bats:oci"
		| .linux.resources = {"pids": {"limit": 50}, "memory": {"limit": 67108864}}' \
		"$dir/bundle/config.json" >"$dir/bundle/config.json.new"
	mv "$dir/bundle/config.json.new" "$dir/bundle/config.json"
	SD_NO_NSRUN=
}

# Skip a test that needs nsrun inside the root where it cannot run there.
sd_need_nsrun() {
	[[ -z $SD_NO_NSRUN ]] || skip "$SD_NO_NSRUN"
}

# nsrun ARG... in the container, as an engine calls it there.
sd_nsrun() {
	sd_run env NSRUN_SYSTEMD_HELPER=/opt/nsrun/nsrun-systemd /opt/nsrun/nsrun --root /run/nsrun-bats "$@"
}

# Halt and delete the container, whatever the tests did; leftovers are
# the business of the last test, which checks for them.
systemd_teardown_file() {
	if [[ -n ${SD_DIR:-} && -d $SD_DIR ]]; then
		"$SD_TOOLS/boot.sh" down "$SD_DIR" "$SD_ID" 2>&1 | sed 's/^/# /' >&3
	fi
	nsrun_teardown_file
}

setup_file() { systemd_setup_file; }
teardown_file() { systemd_teardown_file; }

# --- per test --------------------------------------------------------------------------

systemd_setup() {
	[[ -z ${SD_SKIP:-} ]] || skip "$SD_SKIP"
	nsrun_setup
	SD_UNITS=()
	SD_N=0
}

# Stop what the test started, so that the next one starts clean (the
# file's teardown removes the whole container anyway).
systemd_teardown() {
	local u
	[[ -z ${SD_SKIP:-} ]] || return 0
	# What a failed --boot test left: its launcher, then its overlay.
	if [[ -n ${SD_BOOT_PID:-} ]] && kill -0 "$SD_BOOT_PID" 2>/dev/null; then
		kill -KILL "$SD_BOOT_PID" 2>/dev/null || true
		timeout 20 tail --pid="$SD_BOOT_PID" -f /dev/null || true
	fi
	if [[ -n ${SD_BOOT_ROOT:-} ]] && mountpoint -q "$SD_BOOT_ROOT"; then
		umount "$SD_BOOT_ROOT" || true
	fi
	for u in "${SD_UNITS[@]}"; do
		sd_run sh -c "systemctl stop '$u'; systemctl reset-failed '$u'" >/dev/null 2>&1 || true
	done
	nsrun_teardown
}

setup() { systemd_setup; }
teardown() { systemd_teardown; }

# Skip a test that needs the helper where it was not built.
sd_need_helper() {
	[[ -z $SD_NO_HELPER ]] || skip "$SD_NO_HELPER"
}

# --- in the container ------------------------------------------------------------------

# sd_run CMD...: CMD in the container (nsrun exec), bounded; stdin is
# passed on. Its output and status are CMD's.
sd_run() {
	timeout --kill-after=5 "$SD_TIMEOUT" "$NSRUN" --root "$SD_STATE" exec "$SD_ID" "$@"
}

# sd_helper [INPUT] -- ARG...: the helper with INPUT (properties, one a
# line) on stdin; sets status, output (stdout and stderr) and lines.
sd_helper() {
	local input=
	if [[ $1 != -- ]]; then
		input=$1
		shift
	fi
	shift
	run sd_run "$SD_HELPER" "$@" <<<"$input"
	echo "# nsrun-systemd $*"
	[[ -z $input ]] || sed 's/^/#   in: /' <<<"$input"
	echo "#   status: $status"
	[[ -z $output ]] || sed 's/^/#   out: /' <<<"$output"
}

# A fresh unit name for this test, registered for teardown; sets UNIT.
sd_new_unit() {
	SD_N=$((SD_N + 1))
	UNIT="nsrun-bats-$BATS_TEST_NUMBER-$SD_N.scope"
	SD_UNITS+=("$UNIT")
}

# A `sleep` in the container, in no unit of its own (the container's root
# cgroup): sets SLEEP_PID (its pid in the container). Its stdio is
# /dev/null, so no pipe of the test waits for it.
sd_sleep() {
	SLEEP_PID=$(sd_run sh -c 'sleep 600 </dev/null >/dev/null 2>&1 & echo $!')
	[[ $SLEEP_PID =~ ^[0-9]+$ ]]
}

# One property of a unit, as systemctl shows it.
sd_show() {
	sd_run systemctl show "$1" -p "$2" --value
}

# The unit's cgroup directory in the container's view, for a controller
# (memory, pids, cpu, systemd; ignored on cgroup v2).
sd_cgroup_dir() {
	local unit=$1 controller=$2 cg
	cg=$(sd_show "$unit" ControlGroup)
	[[ -n $cg ]] || return 1
	if [[ $SD_CGROUP_V2 == true ]]; then
		echo "/sys/fs/cgroup$cg"
	else
		echo "/sys/fs/cgroup/$controller$cg"
	fi
}

# The contents of a cgroup file of the unit (controller as above).
sd_cgroup_file() {
	local dir
	dir=$(sd_cgroup_dir "$1" "$2") || return 1
	sd_run cat "$dir/$3"
}

# Names and expected file contents of the three limits the tests set, for
# this cgroup version: a memory limit, a task limit, a CPU weight.
#   sd_limits MEMORY TASKS WEIGHT   sets PROPS (helper input), and
#   MEM_PROP/MEM_FILE, CPU_PROP/CPU_FILE/CPU_VALUE (what the file shows)
sd_limits() {
	local mem=$1 tasks=$2 weight=$3
	if [[ $SD_CGROUP_V2 == true ]]; then
		MEM_PROP=MemoryMax MEM_FILE=memory.max
		CPU_PROP=CPUWeight CPU_FILE=cpu.weight CPU_VALUE=$weight
	else
		# v1 names: systemd maps them to memory.limit_in_bytes and
		# cpu.shares (a weight of 100 is 1024 shares).
		MEM_PROP=MemoryLimit MEM_FILE=memory.limit_in_bytes
		CPU_PROP=CPUShares CPU_FILE=cpu.shares CPU_VALUE=$((weight * 1024 / 100))
		weight=$CPU_VALUE
	fi
	PROPS="$MEM_PROP t $mem
TasksMax t $tasks
$CPU_PROP t $weight"
}

# True while the process (a pid in the container) exists and is no zombie.
sd_alive() {
	sd_run grep -q '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status" 2>/dev/null
}

sd_gone() { ! sd_alive "$1"; }

# True once systemd no longer knows the unit.
sd_unit_gone() { [[ $(sd_show "$1" LoadState) == not-found ]]; }

# retry_until SECONDS CMD...: CMD until it succeeds, every 0.2 s.
retry_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}
