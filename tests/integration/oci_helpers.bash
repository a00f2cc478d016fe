# Shared set-up for the OCI runtime tests (oci_*.bats):
#
#   load oci_helpers
#
# Every test gets its own state root (--root) and bundle in TEST_TMP: a copy
# of a busybox-static root filesystem and a config.json written by
# `nsrun spec`, edited with jq. Containers the test makes are registered
# (oci_new_id) and removed with `delete --force` in teardown, which then
# checks that nothing of them is left: no live process, no state directory,
# no cgroup directory named after the id, no change in the host's mount table.
#
# nsrun is always run with its stdio on files (oci below): a container
# inherits the runtime's stdio, and a container holding the pipe of a bats
# `run` would keep it waiting.

load helpers
load sandbox_helpers

# --- per file ---------------------------------------------------------------

oci_setup_file() {
	nsrun_setup_file
	export MOUNTINFO_OF="$NSRUN_IT_DIR/mountinfo-of"
	write_mountinfo_of "$MOUNTINFO_OF"
	export OCI_ROOTFS="$NSRUN_IT_DIR/rootfs"
	make_busybox_rootfs "$OCI_ROOTFS"
}

setup_file() { oci_setup_file; }
teardown_file() { nsrun_teardown_file; }

# --- per test ---------------------------------------------------------------

oci_setup() {
	nsrun_setup
	HOST_MOUNTS_BEFORE=$(oci_host_mounts)
	OCI_ROOT=$TEST_TMP/state
	BUNDLE=$TEST_TMP/bundle
	CONFIG=$BUNDLE/config.json
	OCI_IDS=()
	OCI_PIDS=() # proc_ids (pid:start time) of container processes
	OCI_N=0
	OCI_RESTORE=()      # "FILE=VALUE": host files (sysctls) to put back
	OCI_HOST_MOUNTS=()  # mounts a test made on the host, unmounted first
	OCI_ID_SUFFIX=${TEST_TMP##*.}
	oci_make_bundle "$BUNDLE"
}

# Teardown: delete --force every container of the test, then check that
# nothing of them is left. Returns 1 (failing the test) if something is.
oci_teardown() {
	local id rc=0 pid left r m
	# A test whose setup skipped before oci_setup has nothing to clean.
	[[ -n ${TEST_TMP:-} && -n ${OCI_ROOT:-} ]] || return 0
	for id in "${OCI_IDS[@]}"; do
		if [[ -e $OCI_ROOT/$id/state.json ]]; then
			pid=$(jq -r '.pid // 0' "$OCI_ROOT/$id/state.json" 2>/dev/null || echo 0)
			oci_track_pid "$pid"
		fi
		timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" "$NSRUN" --root "$OCI_ROOT" delete --force "$id" \
			</dev/null >/dev/null 2>&1 || true
	done
	for pid in "${OCI_PIDS[@]}"; do
		# SIGKILLed processes need a moment to go.
		if ! retry 5 oci_proc_gone "$pid" >/dev/null; then
			echo "# a container process is still alive: ${pid%%:*} ($(cat "/proc/${pid%%:*}/cmdline" 2>/dev/null | tr '\0' ' '))"
			kill -KILL "${pid%%:*}" 2>/dev/null || true
			rc=1
		fi
	done
	# Any process left in a root filesystem of this test, tracked or not.
	assert_no_container_procs kill || rc=1
	for id in "${OCI_IDS[@]}"; do
		if [[ -e $OCI_ROOT/$id ]]; then
			echo "# state directory left: $OCI_ROOT/$id"
			rc=1
		fi
		left=$(oci_cgroup_dirs "$id")
		if [[ -n $left ]]; then
			echo "# cgroup directories left for $id:"
			sed 's/^/#   /' <<<"$left"
			oci_cgroup_cleanup "$left"
			rc=1
		fi
	done
	for r in "${OCI_RESTORE[@]}"; do
		echo "${r#*=}" >"${r%%=*}" || rc=1
	done
	for m in "${OCI_HOST_MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	assert_mounts_same "$HOST_MOUNTS_BEFORE" "$(oci_host_mounts)" || rc=1
	nsrun_teardown
	return "$rc"
}

setup() { oci_setup; }
teardown() { oci_teardown; }

# The host's mount table, less the mounts other programs on this machine
# may make or remove while a test runs (under /tmp outside our directory,
# /run, /var/lib/containers): a container's mount leaking to the host would
# land in our directory or on a system path.
oci_host_mounts() {
	awk -v ours="$NSRUN_IT_DIR" '
		index($5, ours) == 1 { print; next }
		$5 ~ "^/tmp/" || $5 ~ "^/run/" || $5 ~ "^/var/lib/containers/" { next }
		{ print }' /proc/self/mountinfo
}

# Cleanup after a failure: thaw, kill and remove cgroup directories,
# innermost first, so that later tests start clean.
oci_cgroup_cleanup() {
	local d p
	while read -r d; do
		[[ -e $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[[ -e $d/cgroup.freeze ]] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
	done <<<"$1"
	sleep 0.2
	sort -r <<<"$1" | while read -r d; do
		rmdir "$d" 2>/dev/null || true
	done
}

# write_console_listener PATH: a python3 program, PATH SOCKET REPORT [INPUT]:
# listens on the unix socket SOCKET, takes one connection, receives every
# message on it until EOF (recording payloads and SCM_RIGHTS fds), writes
# INPUT to the first fd received (a pty master), then reads the master until
# the container side closes (EIO) or 15 s pass. REPORT gets a JSON object:
# messages, payloads, cmsgs [{level, type, len}], fds (count), output.
write_console_listener() {
	cat >"$1" <<-'EOF'
		import array, json, os, select, socket, sys, time
		sock_path, report = sys.argv[1], sys.argv[2]
		data_in = sys.argv[3].encode() if len(sys.argv) > 3 else b""
		srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		srv.bind(sock_path)
		srv.listen(1)
		srv.settimeout(20)
		conn, _ = srv.accept()
		conn.settimeout(20)
		messages, payloads, cmsgs, fds = 0, [], [], []
		while True:
		    msg, anc, flags, _ = conn.recvmsg(8192, socket.CMSG_SPACE(16 * 4))
		    if not msg and not anc:
		        break
		    messages += 1
		    payloads.append(msg.decode("utf-8", "replace"))
		    for level, typ, data in anc:
		        cmsgs.append({"level": level, "type": typ, "len": len(data),
		                      "scm_rights": level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS})
		        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
		            a = array.array("i")
		            a.frombytes(data[: len(data) - len(data) % a.itemsize])
		            fds.extend(a)
		conn.close()
		out = b""
		if fds:
		    master = fds[0]
		    if data_in:
		        os.write(master, data_in)
		    deadline = time.time() + 15
		    while time.time() < deadline:
		        r, _, _ = select.select([master], [], [], 0.2)
		        if not r:
		            continue
		        try:
		            chunk = os.read(master, 4096)
		        except OSError:
		            break
		        if not chunk:
		            break
		        out += chunk
		with open(report + ".tmp", "w") as f:
		    json.dump({"messages": messages, "payloads": payloads, "cmsgs": cmsgs,
		               "fds": len(fds), "output": out.decode("utf-8", "replace")}, f)
		os.rename(report + ".tmp", report)
	EOF
}

# oci_root_empty [ROOT]: no container's state in ROOT (default OCI_ROOT):
# nothing but the seccomp cache (@seccomp) and the pool of emptied state
# directories (@free), whose entries are empty directories.
oci_root_empty() {
	local root=${1:-$OCI_ROOT} left kept
	left=$(ls -A "$root" 2>/dev/null | grep -vx -e @seccomp -e @free || true)
	kept=$(find "$root/@free" -mindepth 1 \( ! -type d -o ! -empty -o -mindepth 2 \) 2>/dev/null || true)
	if [[ -n $left$kept ]]; then
		echo "# in the state root: $left $kept"
		return 1
	fi
}

# --- bundles and ids ----------------------------------------------------------

# oci_make_bundle DIR: DIR/rootfs (a copy of the busybox rootfs) and
# DIR/config.json from `nsrun spec`, made writable (root.readonly false) so
# that commands can leave files in the rootfs for the test to read.
oci_make_bundle() {
	local dir=$1
	mkdir -p "$dir"
	cp -a "$OCI_ROOTFS" "$dir/rootfs"
	chmod 1777 "$dir/rootfs/tmp"
	"$NSRUN" spec -b "$dir"
	cfg_edit '.root.readonly = false' "$dir/config.json"
}

# cfg_edit FILTER [FILE] [jq options...]: edit config.json in place.
cfg_edit() {
	local filter=$1 file=${2:-$CONFIG}
	shift
	[[ $# -gt 0 ]] && shift
	local tmp
	tmp=$(mktemp "$TEST_TMP/.cfg.XXXXXX")
	jq "$@" "$filter" "$file" >"$tmp"
	mv "$tmp" "$file"
	chmod 0644 "$file"
}

# cfg_args ARG...: process.args of config.json.
cfg_args() {
	local json='[]' a
	for a in "$@"; do
		json=$(jq -c --arg a "$a" '. + [$a]' <<<"$json")
	done
	cfg_edit '.process.args = $a' "$CONFIG" --argjson a "$json"
}

# cfg_sh SCRIPT: process.args = sh -c SCRIPT.
cfg_sh() { cfg_args sh -c "$1"; }

# A fresh container id, registered for teardown; sets ID.
oci_new_id() {
	ID="oci-$OCI_ID_SUFFIX-${#OCI_IDS[@]}"
	OCI_IDS+=("$ID")
}

# Register a container process so that teardown checks it is gone.
oci_track_pid() {
	local id
	[[ -n $1 && $1 != 0 ]] || return 0
	id=$(proc_id "$1") || return 0
	[[ -n $id ]] && OCI_PIDS+=("$id")
	return 0
}

# True if the process of a proc_id is gone or a zombie (the container's
# processes are reparented to a pid 1 that may not reap them).
oci_proc_gone() { ! proc_id_alive "$1"; }

# Host pids of live processes whose root directory is under DIR (the
# processes of containers made from bundles there).
oci_procs_under() {
	local p
	# An empty DIR would match every process on the machine.
	[[ -n $1 && $1 == /?* ]] || { echo "oci_procs_under: no directory given" >&2; return 0; }
	# One find over the process table: a readlink per process made each
	# scan cost half a second, and the fault sweeps scan after every step.
	for p in $(find /proc/[0-9]*/root -maxdepth 0 -lname "$1/*" 2>/dev/null); do
		p=${p#/proc/}
		p=${p%/root}
		[[ $(proc_state "$p") != Z ]] && echo "$p"
	done
	return 0
}

oci_no_procs_under() { [[ -z $(oci_procs_under "$1") ]]; }

# assert_no_container_procs [kill]: no live process has its root directory
# in the test's bundles (under TEST_TMP), after a bounded wait; with "kill",
# those left are killed.
assert_no_container_procs() {
	retry 5 oci_no_procs_under "$TEST_TMP" >/dev/null && return 0
	local p
	for p in $(oci_procs_under "$TEST_TMP"); do
		echo "# a process is left in the test's bundles: $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
		[[ ${1:-} != kill ]] || kill -KILL "$p" 2>/dev/null || true
	done
	return 1
}

# Cgroup directories named after ID anywhere under /sys/fs/cgroup.
# (Other programs' cgroups may vanish during the walk: find's status is no
# verdict.)
oci_cgroup_dirs() {
	find /sys/fs/cgroup -mindepth 1 -type d -name "$1" 2>/dev/null || true
}

# --- running nsrun --------------------------------------------------------------

# oci ARG...: nsrun --root OCI_ROOT ARG..., bounded, with stdin /dev/null
# and stdout and stderr on files of their own (a container started by it
# writes there too). Sets status, output, stderr, lines and OCI_OUT/OCI_ERR
# (the files).
oci() {
	OCI_N=$((OCI_N + 1))
	OCI_OUT=$TEST_TMP/oci.$OCI_N.out
	OCI_ERR=$TEST_TMP/oci.$OCI_N.err
	status=0
	timeout --kill-after=5 "$NSRUN_IT_TIMEOUT" "$NSRUN" --root "$OCI_ROOT" "$@" \
		</dev/null >"$OCI_OUT" 2>"$OCI_ERR" || status=$?
	output=$(cat "$OCI_OUT")
	stderr=$(cat "$OCI_ERR")
	if [[ -n $output ]]; then mapfile -t lines <<<"$output"; else lines=(); fi
	echo "# nsrun $*"
	echo "#   status: $status"
	[[ -z $output ]] || printf '%s\n' "$output" | head -40 | sed 's/^/#   out: /'
	[[ -z $stderr ]] || printf '%s\n' "$stderr" | head -20 | sed 's/^/#   err: /'
	[[ $status != 124 ]] || echo "#   timed out after ${NSRUN_IT_TIMEOUT}s"
	return 0
}

# require_hybrid_host: skip unless the host has v1 controllers and a
# cgroup2 on /sys/fs/cgroup/unified, which a private mount namespace can
# unmount to show a host without cgroup2.
require_hybrid_host() {
	[[ -d /sys/fs/cgroup/pids && $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]] ||
		skip "needs a hybrid host (v1 controllers and /sys/fs/cgroup/unified)"
}

# oci_ok ARG...: oci, and fail unless the status is 0.
oci_ok() {
	oci "$@"
	[ "$status" -eq 0 ]
}

# oci_create [create options]: create ID from BUNDLE (a fresh ID unless ID
# is already set and not created yet); the init's pid is tracked.
oci_create() {
	oci_ok create --bundle "$BUNDLE" "$@" "$ID"
	oci_track_pid "$(oci_pid "$ID")"
}

# oci_run_d [run options]: run -d ID.
oci_run_d() {
	oci_ok run -d --bundle "$BUNDLE" "$@" "$ID"
	oci_track_pid "$(oci_pid "$ID")"
}

# The `state` JSON of a container (empty on failure).
oci_state() {
	timeout 10 "$NSRUN" --root "$OCI_ROOT" state "$1" </dev/null 2>/dev/null
}

oci_status() { oci_state "$1" | jq -r .status; }
oci_pid() { oci_state "$1" | jq -r .pid; }

# Poll until the container's status is STATUS (bounded).
oci_wait_status() {
	local id=$1 want=$2 tries=$(( ${3:-10} * 20 )) got
	while ((tries-- > 0)); do
		got=$(oci_status "$id")
		[[ $got == "$want" ]] && return 0
		sleep 0.05
	done
	echo "# $id: status '$got', expected '$want'"
	return 1
}

# Poll until a file exists (bounded).
wait_file() { retry "${2:-10}" test -e "$1"; }

# assert_error_contains TEXT...: status non-zero (not a crash or timeout),
# and every TEXT in the error output.
assert_error_contains() {
	if [[ $status -eq 0 ]]; then
		echo "# expected a failure, got status 0"
		return 1
	fi
	if ((status == 124 || status > 128)); then
		echo "# expected an error exit, got status $status (timeout, crash or signal)"
		return 1
	fi
	local s
	for s in "$@"; do
		if [[ $stderr != *"$s"* ]]; then
			echo "# the error does not contain '$s'"
			return 1
		fi
	done
}

# The capability bit of a name, from include/uapi/linux/capability.h.
cap_bit() {
	case $1 in
	CAP_CHOWN) echo 0 ;; CAP_DAC_OVERRIDE) echo 1 ;; CAP_FOWNER) echo 3 ;;
	CAP_KILL) echo 5 ;; CAP_SETGID) echo 6 ;; CAP_SETUID) echo 7 ;;
	CAP_NET_BIND_SERVICE) echo 10 ;; CAP_NET_ADMIN) echo 12 ;; CAP_NET_RAW) echo 13 ;;
	CAP_SYS_CHROOT) echo 18 ;; CAP_SYS_ADMIN) echo 21 ;; CAP_MKNOD) echo 27 ;;
	CAP_AUDIT_WRITE) echo 29 ;;
	*) return 1 ;;
	esac
}

# caps_mask NAME...: the hex mask /proc/PID/status shows for these caps.
caps_mask() {
	local m=0 c
	for c in "$@"; do
		m=$((m | (1 << $(cap_bit "$c"))))
	done
	printf '%016x\n' "$m"
}
