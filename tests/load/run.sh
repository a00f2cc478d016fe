#!/usr/bin/env bash
# The load test: nsrun leaks nothing at scale.
#
#   bash tests/load/run.sh NSRUN_BINARY [SCALE]
#
# Six phases, each run by one long-lived supervisor (tests/load/load.py):
#
#   sandbox CLI   10,000 in sequence, then 2,000 eight at a time, taking
#                 turns: `nsrun --sandbox -- /bin/true` as root; `nsrun -a -r
#                 --rootfs BUSYBOX --proc /proc --dev /dev --tmpfs /tmp --pids
#                 64 --memory 64m -- /bin/true` as root (a cgroup per run);
#                 `nsrun --sandbox -- /bin/true` as nsrun-test (uid 1001, or
#                 nobody if there is no such user), through setpriv
#   nsrun run     the same counts, `nsrun --root STATE run` of a busybox
#                 bundle (`nsrun spec`, process /bin/true)
#   lifecycle     the same counts, `create --pid-file`, `start`, the
#                 container's exit collected by the supervisor (a child
#                 subreaper, as containerd's shim is), `delete`
#
# SCALE divides the counts (SCALE=10: 1,000 and 200). After each phase it
# asserts (one TAP line each):
#
#   * every command exited 0, and every container's process too;
#   * no process is left: no child or zombie of the supervisor, no process
#     re-parented to it other than the lifecycle's container inits, nothing
#     in the supervisor's cgroups, no process carrying the run's tag
#     (NSRUN_LOAD_TAG, in every command's and container's environment), no
#     process whose root is in the test's files, none running NSRUN_BINARY;
#   * no line added to the host's /proc/self/mountinfo (less what other
#     programs mount under /tmp, /run and /var/lib/containers);
#   * no cgroup directory left: none named nsrun-PID (a launcher of this
#     phase) or after a container id of this run anywhere under
#     /sys/fs/cgroup, v1 hierarchies and cgroup2, and nothing below the
#     supervisor's own cgroups (it moves itself into one, below its own, in
#     each hierarchy nsrun uses, so every cgroup nsrun makes for it lands
#     there);
#   * no state directory left under --root;
#   * the supervisor's descriptors are the same;
#   * the root filesystems are unchanged;
#   * peak RSS flat, per command: the largest ru_maxrss (wait4: the
#     command's process and the children it reaped) of the last 100 runs is
#     at most that of the first 100 plus 10% or 256 kB, whichever is more.
#
# Root only. Needs python3, jq, setpriv, cc and a static busybox (/bin/busybox,
# Debian's busybox-static). Prints TAP; exits 1 if a test failed, 2 if it
# could not run.
set -u

die() { printf 'load: %s\n' "$*" >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: run.sh NSRUN_BINARY [SCALE]"
nsrun=$(readlink -f "$1") || die "no $1"
scale=${2:-1}
[[ -x $nsrun ]] || die "$1 is not an executable"
[[ $scale =~ ^[1-9][0-9]*$ ]] || die "SCALE must be a positive integer, not '$scale'"
[[ $(id -u) -eq 0 ]] || die "run it as root"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3) || die "python3 is missing"
for tool in jq setpriv cc; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (apt-get install busybox-static)"
if LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; then
	die "/bin/busybox is linked dynamically: install busybox-static"
fi

# The unprivileged user.
if uid=$(id -u nsrun-test 2>/dev/null); then
	gid=$(id -g nsrun-test)
else
	uid=65534 gid=65534
fi

tag=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
work=$(mktemp -d /tmp/nsrun-load.XXXXXX) || die "mktemp failed"
chmod 0755 "$work"

cleanup() {
	local d pid m
	# Mounts a failure left on the test's files (deepest first).
	for m in $(awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	# Containers a failed run may have left, then cgroups of the supervisor
	# if it was killed before it removed them.
	for d in "$work"/state/*/; do
		[[ -d $d ]] && timeout 20 "$nsrun" --root "$work/state" delete --force "$(basename "$d")" \
			>/dev/null 2>&1
	done
	while read -r d; do
		for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done < <(find /sys/fs/cgroup -type d -name "load-supervisor.$tag" 2>/dev/null)
	sleep 0.2
	find /sys/fs/cgroup -depth -type d -path "*/load-supervisor.$tag*" -exec rmdir {} + 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The peak RSS of each command, measured by a small parent (see maxrss.c).
cc -O2 -static -Wall -Wextra -Werror -o "$work/maxrss" "$here/maxrss.c" ||
	cc -O2 -Wall -Wextra -Werror -o "$work/maxrss" "$here/maxrss.c" || die "cannot build maxrss.c"

# A busybox-static root: the sandbox phases' --rootfs and the bundle's.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,etc,proc,dev,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
done
chmod -R u=rwX,go=rX "$rootfs"
chmod 1777 "$rootfs/tmp"
bundle=$work/bundle
mkdir -p "$bundle"
cp -a "$rootfs" "$bundle/rootfs"
"$nsrun" spec --bundle "$bundle" || die "nsrun spec failed"
jq --arg tag "NSRUN_LOAD_TAG=$tag" \
	'.process.args = ["/bin/true"] | .process.terminal = false | .process.env += [$tag]' \
	"$bundle/config.json" >"$work/config.json" || die "jq failed"
mv "$work/config.json" "$bundle/config.json"

seq=$((10000 / scale))
par=$((2000 / scale))
echo "# nsrun $nsrun ($("$nsrun" --version | head -1)), scale $scale: $seq in sequence, $par 8 at a time"
echo "# unprivileged user uid $uid gid $gid; work directory $work; tag $tag"
start=$(date +%s)
# Bounded: the supervisor kills any command that takes more than a minute;
# this kills the supervisor if something else hangs.
timeout --kill-after=10 $((3600 * 3 / scale + 600)) \
	"$python" "$here/load.py" --nsrun "$nsrun" --maxrss "$work/maxrss" --work "$work" --rootfs "$rootfs" \
	--bundle "$bundle" --uid "$uid" --gid "$gid" --tag "$tag" --seq "$seq" --par "$par" \
	--jobs 8 ${LOAD_PHASES:+--phases "$LOAD_PHASES"} ${LOAD_INJECT:+--inject "$LOAD_INJECT"}
rc=$?
echo "# run.sh wall time $(($(date +%s) - start)) s"
((rc == 0 || rc == 1)) || { echo "not ok - the supervisor exited with status $rc"; rc=1; }
exit "$rc"
