# Shared set-up for the tests that run nsrun under real container engines,
# registered the way users register it: Docker's daemon.json "runtimes"
# (engine_docker.bats), buildah's --runtime and BUILDAH_RUNTIME
# (engine_buildah.bats), and containerd's runc v2 shim with a
# Kubernetes-shaped pod (engine_pod.bats).
#
#   load engine_helpers
#
# Each file starts its engine once, with every piece of its state (storage,
# state directories, sockets, logs) in ENGINE_DIR, a fresh directory under
# /tmp with a short name (unix socket paths are limited to 107 bytes), and
# removes all of it at the end, also after failures: the engine's daemons
# are stopped by pid, the processes left in ENGINE_DIR (shims, containers)
# are killed one by one, mounts under it are undone, cgroups are removed.
# Images are made from the busybox-static root filesystem of
# make_busybox_rootfs, packed as ENGINE_DIR/bb.tar.

load helpers
load sandbox_helpers
# Only the rootfs builder of sandbox_helpers: these files check leftovers
# their own way.
setup() { nsrun_setup; }
teardown() { nsrun_teardown; }

# --- per file ---------------------------------------------------------------

engine_setup_file() {
	nsrun_setup_file
	ENGINE_DIR=$(mktemp -d /tmp/nsrun-eng.XXXXXX)
	chmod 0755 "$ENGINE_DIR"
	export ENGINE_DIR
	export MOUNTINFO_OF=$ENGINE_DIR/mountinfo-of
	write_mountinfo_of "$MOUNTINFO_OF"
	make_busybox_rootfs "$ENGINE_DIR/rootfs"
	tar -C "$ENGINE_DIR/rootfs" -cf "$ENGINE_DIR/bb.tar" .
	chmod 0644 "$ENGINE_DIR/bb.tar"
}

# Everything under ENGINE_DIR goes: processes, mounts, files.
engine_teardown_file() {
	if [[ -n ${ENGINE_DIR:-} && -d $ENGINE_DIR ]]; then
		engine_kill_procs_of "$ENGINE_DIR"
		engine_umount_under "$ENGINE_DIR"
		rm -rf -- "$ENGINE_DIR"
	fi
	nsrun_teardown_file
}

# --- processes --------------------------------------------------------------

# Pids of live processes that belong to DIR: their root directory or working
# directory is under DIR, or a word of their command line names a path under
# it. These are the engine's shims, the containers and anything they
# started. (Few programs: forks are slow on a loaded machine.)
engine_procs_of() {
	local dir=$1
	[[ -n $dir && $dir == /?* ]] || return 0
	{
		find /proc -mindepth 2 -maxdepth 2 \( -name root -o -name cwd \) \
			\( -lname "$dir/*" -o -lname "$dir" \) 2>/dev/null
		grep -l -s -a -F -e "$dir/" /proc/[0-9]*/cmdline
	} | awk -F/ -v self="$$" -v sh="$BASHPID" '$3 ~ /^[0-9]+$/ && $3 != self && $3 != sh { print $3 }' | sort -un
	return 0
}

# SIGKILL, one pid at a time, every process of DIR (a frozen cgroup is
# thawed first, or the kill would wait).
engine_kill_procs_of() {
	local pid cg
	for pid in $(engine_procs_of "$1"); do
		for cg in $(awk -F: '$2 ~ /freezer/ { print $3 }' "/proc/$pid/cgroup" 2>/dev/null); do
			[[ -e /sys/fs/cgroup/freezer$cg/freezer.state ]] &&
				echo THAWED >"/sys/fs/cgroup/freezer$cg/freezer.state" 2>/dev/null
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	retry 5 engine_no_procs_of "$1" >/dev/null || true
}

engine_no_procs_of() { [[ -z $(engine_procs_of "$1") ]]; }

# engine_stop_pid PID [SECONDS]: SIGTERM, wait (default 20 s), then SIGKILL.
engine_stop_pid() {
	local pid=$1 tries=$(( ${2:-20} * 10 ))
	[[ -n $pid && -e /proc/$pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while ((tries-- > 0)); do
		[[ -e /proc/$pid && $(proc_state "$pid") != Z ]] || return 0
		sleep 0.1
	done
	echo "# pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) ignored SIGTERM: killed"
	kill -KILL "$pid" 2>/dev/null || true
}

# --- mounts -----------------------------------------------------------------

# Mount points under DIR, deepest first.
engine_mounts_under() {
	awk -v d="$1" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

engine_umount_under() {
	local m
	for m in $(engine_mounts_under "$1"); do
		umount -l "$m" 2>/dev/null || true
	done
}

# --- cgroups ----------------------------------------------------------------

# The mount point of every cgroup hierarchy the host has (v1 and v2).
engine_cgroup_mounts() {
	awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo | sort -u
}

# engine_cgroup_find REL: every directory MOUNT/REL that exists, and what is
# below it.
engine_cgroup_find() {
	local m dirs=()
	for m in $(engine_cgroup_mounts); do
		[[ -d $m/${1#/} ]] && dirs+=("$m/${1#/}")
	done
	((${#dirs[@]} == 0)) || find "${dirs[@]}" -type d 2>/dev/null
	return 0
}

# engine_cgroup_remove REL: thaw and kill what is in MOUNT/REL and below, in
# every hierarchy, then remove the directories, innermost first.
engine_cgroup_remove() {
	local dirs d p
	dirs=$(engine_cgroup_find "$1")
	[[ -n $dirs ]] || return 0
	while read -r d; do
		[[ -e $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[[ -e $d/cgroup.freeze ]] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
	done <<<"$dirs"
	sleep 0.2
	sort -r <<<"$dirs" | while read -r d; do
		rmdir "$d" 2>/dev/null || true
	done
}

# --- logs -------------------------------------------------------------------

# engine_log_mark FILE: the number of lines FILE has now.
engine_log_mark() { wc -l <"$1" 2>/dev/null || echo 0; }

# engine_log_since FILE MARK [REGEX]: the lines FILE got after MARK that
# match REGEX (all by default), as "# " comment lines, at most 40.
engine_log_since() {
	tail -n "+$(($2 + 1))" "$1" 2>/dev/null | grep -E -e "${3:-.}" | tail -n 40 | sed 's/^/#   /'
}

# --- running ----------------------------------------------------------------

# engine_wrapper PATH PROGRAM ARG...: an executable PATH that runs PROGRAM
# with ARG... and its own arguments, so that run_t and timeout can run an
# engine's client with its test options (socket, storage) as one word.
engine_wrapper() {
	local path=$1
	shift
	{
		echo '#!/bin/sh'
		printf 'exec'
		printf ' %q' "$@"
		printf ' "$@"\n'
	} >"$path"
	chmod 0755 "$path"
}

# engine_run CMD...: run_t, then show what it did (for the failure message).
engine_run() {
	local opts=()
	while [[ $1 == --* ]]; do
		opts+=("$1")
		shift
	done
	run_t "${opts[@]}" "$@"
	show_run "$@"
}
