#!/usr/bin/env bash
# boot.sh: boot the Debian root of make-root.sh, systemd as PID 1, as an
# nsrun container.
#
#   boot.sh up DIR [ID]     write DIR/bundle, run it detached, wait until
#                           systemd is up (running or degraded; the failed
#                           units are printed when degraded)
#   boot.sh down DIR [ID]   stop it (SIGRTMIN+3, SIGKILL after a timeout),
#                           delete it, unmount and remove DIR, and check
#                           that no process or cgroup of it is left
#   boot.sh exec DIR [ID] -- CMD...   run CMD in it (nsrun exec)
#
# ID defaults to sd-<basename of DIR>. The environment:
#   NSRUN                 the nsrun binary (default: nsrun on PATH)
#   NSRUN_SD_CACHE        the systemd root, made by make-root.sh when it
#                         is not there (default /var/cache/nsrun/systemd-root)
#   NSRUN_SD_BIND         "SRC:DEST ..." more directories, bound read-only
#   NSRUN_SD_BOOT_TIMEOUT seconds for systemd to come up (default 90)
#   NSRUN_SD_STOP_TIMEOUT seconds for it to halt before SIGKILL (default 30)
#
# The root is never written: DIR/bundle/rootfs is an overlay with the cache
# as its lower layer (a copy where overlayfs is refused). nsrun's state is
# in DIR/state, systemd's console in DIR/console.log.
#
# Exit status: 0 on success; 3 when the root cannot be made because the
# Debian mirror does not answer; 1 on any other failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NSRUN=${NSRUN:-nsrun}
CACHE=${NSRUN_SD_CACHE:-/var/cache/nsrun/systemd-root}
BOOT_TIMEOUT=${NSRUN_SD_BOOT_TIMEOUT:-90}
STOP_TIMEOUT=${NSRUN_SD_STOP_TIMEOUT:-30}

usage() {
	echo "usage: boot.sh up|down DIR [ID]; boot.sh exec DIR [ID] -- CMD..." >&2
	exit 2
}

(($# >= 2)) || usage
cmd=$1 DIR=$2
shift 2
[[ $DIR == /* ]] || DIR=$PWD/$DIR
DIR=${DIR%/}
ID=sd-$(basename "$DIR")
if (($# > 0)) && [[ $1 != -- ]]; then
	ID=$1
	shift
fi
STATE=$DIR/state
BUNDLE=$DIR/bundle
ROOTFS=$BUNDLE/rootfs

say() { echo "boot.sh: $*" >&2; }

ns() { timeout --kill-after=5 30 "$NSRUN" --root "$STATE" "$@" </dev/null; }

status() { ns state "$ID" 2>/dev/null | jq -r .status 2>/dev/null || true; }

# --- the bundle --------------------------------------------------------------------

# What systemd as PID 1 needs on top of `nsrun spec`'s starter config:
# - tmpfs on /run, /run/lock and /tmp: systemd expects them empty and
#   writable at boot, and the root is never a host directory to fill;
# - /sys/fs/cgroup as a read-write cgroup mount in the (starter's) cgroup
#   namespace: systemd makes its units' cgroups below its own;
# - container=nsrun: systemd then knows it is in a container and skips
#   what needs the host (udev, fsck, sysctl, hardware units);
# - the capabilities: CAP_SETPCAP (systemd drops the bounding set of
#   services that name a CapabilityBoundingSet=: journald and logind fail
#   with 218/CAPABILITIES without it, and dbus-daemon clears its own when
#   it becomes messagebus), CAP_SETUID and CAP_SETGID (dbus-daemon's
#   switch to messagebus: "Failed to drop capabilities"), CAP_CHOWN,
#   CAP_FOWNER, CAP_FSETID and CAP_DAC_OVERRIDE (tmpfiles gives /run's
#   directories their owners), CAP_SYS_CHROOT and CAP_SETFCAP (services'
#   RootDirectory=, packages' file capabilities); no CAP_SYS_ADMIN;
# - noNewPrivileges off: it would hold for the whole system, setuid
#   programs (su, the D-Bus activation helper) included;
# - RLIMIT_NOFILE's hard limit raised as far as nsrun may (dbus-daemon
#   raises its own soft limit to 65536 where it can).
write_bundle() {
	local caps hard binds='[]' b
	mkdir -p "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	"$NSRUN" spec -b "$BUNDLE"
	caps='["CAP_AUDIT_WRITE","CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID",
	       "CAP_KILL","CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP",
	       "CAP_SETUID","CAP_SYS_CHROOT"]'
	hard=$(ulimit -Hn)
	[[ $hard == unlimited || $hard -gt 524288 ]] && hard=524288
	for b in ${NSRUN_SD_BIND:-}; do
		[[ $b == /*:/* ]] || { say "NSRUN_SD_BIND: '$b' is not SRC:DEST"; return 1; }
		binds=$(jq -c --arg s "${b%%:*}" --arg d "${b#*:}" \
			'. + [{destination: $d, type: "bind", source: $s, options: ["rbind", "ro", "nosuid", "nodev"]}]' \
			<<<"$binds")
	done
	jq --argjson caps "$caps" --argjson hard "$hard" --argjson binds "$binds" '
		.root = {path: "rootfs", readonly: false}
		| .hostname = "nsrun-systemd"
		| .process.terminal = false
		| .process.args = ["/sbin/init"]
		| .process.env += ["container=nsrun"]
		| .process.noNewPrivileges = false
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: $hard}]
		| .mounts += [
			{destination: "/run", type: "tmpfs", source: "tmpfs",
			 options: ["nosuid", "nodev", "mode=755", "size=64m"]},
			{destination: "/run/lock", type: "tmpfs", source: "tmpfs",
			 options: ["nosuid", "nodev", "noexec", "mode=1777", "size=4m"]},
			{destination: "/tmp", type: "tmpfs", source: "tmpfs",
			 options: ["nosuid", "nodev", "mode=1777"]},
			{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
			 options: ["rw", "nosuid", "nodev", "noexec"]}]
		| .mounts += $binds
		| if any(.linux.namespaces[]; .type == "cgroup") then .
		  else .linux.namespaces += [{type: "cgroup"}] end
	' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# The root, writable, the cache untouched: an overlay, else a copy.
mount_rootfs() {
	mkdir -p "$ROOTFS" "$DIR/upper" "$DIR/work"
	if mountpoint -q "$ROOTFS"; then
		return 0
	fi
	if ! mount -t overlay overlay \
		-o "lowerdir=$CACHE,upperdir=$DIR/upper,workdir=$DIR/work" "$ROOTFS" 2>/dev/null; then
		say "overlayfs refused; copying the root"
		cp -a "$CACHE/." "$ROOTFS/"
	fi
}

# --- up ------------------------------------------------------------------------------

up() {
	local rc=0 t s deadline
	NSRUN_SD_CACHE=$CACHE "$here/make-root.sh" "$CACHE" >/dev/null || rc=$?
	((rc == 0)) || return "$rc"
	mkdir -p "$DIR" "$STATE"
	mount_rootfs
	write_bundle
	t=$(date +%s.%N)
	if ! timeout --kill-after=5 60 "$NSRUN" --root "$STATE" run -d --bundle "$BUNDLE" "$ID" \
		</dev/null >>"$DIR/console.log" 2>&1; then
		say "nsrun run failed:"
		tail -n 20 "$DIR/console.log" >&2
		return 1
	fi
	deadline=$((SECONDS + BOOT_TIMEOUT))
	local errors=0 err=$DIR/exec.err
	while :; do
		s=$(ns exec "$ID" systemctl is-system-running 2>"$err" || true)
		# nsrun's own error, not systemctl's answer: exec itself fails,
		# and waiting longer will not help.
		if grep -q '^nsrun: ' "$err"; then
			errors=$((errors + 1))
			if ((errors >= 5)); then
				say "nsrun exec fails: $(head -n 1 "$err")"
				return 1
			fi
		else
			errors=0
		fi
		# "offline" is also what systemctl says before systemd has made its
		# bus, in the first tenths of a second: waited out like the rest.
		case $s in
		running | degraded) break ;;
		maintenance | stopping)
			say "systemd is $s"
			break
			;;
		esac
		if ((SECONDS >= deadline)); then
			say "systemd is '${s:-unreachable}' after ${BOOT_TIMEOUT}s"
			break
		fi
		if [[ $(status) != running ]]; then
			say "the container stopped while booting:"
			tail -n 20 "$DIR/console.log" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "$ID: $s after $(awk -v t="$t" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - t }') s"
	case $s in
	running) return 0 ;;
	degraded)
		ns exec "$ID" systemctl --failed --no-pager --plain || true
		return 0
		;;
	esac
	ns exec "$ID" systemctl --failed --no-pager --plain >&2 || true
	ns exec "$ID" journalctl -b --no-pager -n 40 >&2 || true
	return 1
}

# --- down ----------------------------------------------------------------------------

# The signal systemd halts on.
halt() {
	ns kill "$ID" RTMIN+3
}

# Cgroup directories named ID anywhere under /sys/fs/cgroup.
cgroups_of() { find /sys/fs/cgroup -mindepth 1 -type d -name "$ID" 2>/dev/null || true; }

# Remove what is left in a cgroup directory and below it, deepest first.
remove_cgroups() {
	local d p
	while read -r d; do
		[[ -n $d ]] || continue
		while read -r p; do
			[[ -z $p ]] || kill -KILL "$p" 2>/dev/null || true
		done < <(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)
	done <<<"$1"
	sleep 0.2
	while read -r d; do
		[[ -z $d ]] || find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done <<<"$1"
	return 0
}

# Processes whose root is the container's rootfs (one find: a readlink
# per process would take seconds).
procs_in_rootfs() {
	find /proc -mindepth 2 -maxdepth 2 -name root \
		\( -lname "$ROOTFS" -o -lname "$ROOTFS/*" \) 2>/dev/null |
		awk -F/ '{ print $3 }' || true # processes vanish during the walk
}

down() {
	local rc=0 s left deadline
	if [[ -d $STATE/$ID ]]; then
		s=$(status)
		if [[ $s == running || $s == paused ]]; then
			[[ $s != paused ]] || ns resume "$ID" || true
			halt || say "could not send SIGRTMIN+3"
			deadline=$((SECONDS + STOP_TIMEOUT))
			while [[ $(status) == running ]] && ((SECONDS < deadline)); do
				sleep 0.2
			done
			if [[ $(status) == running ]]; then
				say "systemd did not halt in ${STOP_TIMEOUT}s: SIGKILL"
				ns kill "$ID" KILL || true
			fi
		fi
		if ! ns delete -f "$ID"; then
			say "nsrun delete -f $ID failed"
			rc=1
		fi
	fi
	local pids dirs
	mapfile -t pids < <(procs_in_rootfs)
	if ((${#pids[@]} > 0)); then
		say "processes left in the rootfs: ${pids[*]}"
		kill -KILL "${pids[@]}" 2>/dev/null || true
		rc=1
	fi
	left=$(cgroups_of)
	if [[ -n $left ]]; then
		mapfile -t dirs <<<"$left"
		say "cgroups left after delete:"
		find "${dirs[@]}" -type d | sed 's/^/  /' >&2
		remove_cgroups "$left"
		rc=1
	fi
	if mountpoint -q "$ROOTFS" 2>/dev/null; then
		umount "$ROOTFS" || { umount -l "$ROOTFS" && rc=1; }
	fi
	rm -rf --one-file-system -- "$BUNDLE" "$DIR/upper" "$DIR/work" "$STATE"
	if [[ $rc == 0 ]]; then
		rm -f "$DIR/console.log" "$DIR/exec.err"
		rmdir "$DIR" 2>/dev/null || true
	fi
	return "$rc"
}

case $cmd in
up) up ;;
down) down ;;
exec)
	[[ ${1:-} == -- ]] && shift
	(($# > 0)) || usage
	ns exec "$ID" "$@"
	;;
*) usage ;;
esac
