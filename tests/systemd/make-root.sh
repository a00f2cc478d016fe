#!/usr/bin/env bash
# make-root.sh [DIR]: a Debian bookworm root with systemd as init, for
# booting under nsrun (boot.sh). DIR defaults to NSRUN_SD_CACHE or
# /var/cache/nsrun/systemd-root; a complete DIR is reused as it is.
#
# The root is built in a temporary directory beside DIR and renamed into
# place only when it is complete, so a killed build never leaves a DIR that
# looks usable. A stamp inside DIR records what it was built from; a DIR
# with another stamp (a changed package list) is built again.
#
#   NSRUN_DEBIAN_MIRROR   the mirror (default: the first Debian URI in the
#                         host's apt sources, else deb.debian.org)
#   NSRUN_DEBIAN_SUITE    default bookworm
#
# Exit status: 0 with DIR complete; 3 when the mirror cannot be reached
# (callers skip rather than fail); 1 on any other error.
set -euo pipefail

DIR=${1:-${NSRUN_SD_CACHE:-/var/cache/nsrun/systemd-root}}
SUITE=${NSRUN_DEBIAN_SUITE:-bookworm}
# systemd and its bus; procps for ps and kill inside; the sanitizers'
# runtimes, so that programs of an ASan+UBSan build (the nsrun-systemd
# helper the tests bind in) run there too.
PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,procps,libasan8,libubsan1
STAMP_NAME=.nsrun-systemd-root
STAMP="suite=$SUITE packages=$PACKAGES layout=1"

die() { echo "make-root: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap)"
[[ $DIR == /?* ]] || DIR=$PWD/$DIR
DIR=${DIR%/}

complete() { [[ -f $DIR/$STAMP_NAME && $(<"$DIR/$STAMP_NAME") == "$STAMP" ]]; }

if complete; then
	echo "$DIR"
	exit 0
fi

mkdir -p "$(dirname "$DIR")"
# One build at a time: a second caller waits, then finds the root made.
exec 9>"$DIR.lock"
flock 9
if complete; then
	echo "$DIR"
	exit 0
fi

# The mirror: the host's own apt sources name one that answers here.
mirror() {
	if [[ -n ${NSRUN_DEBIAN_MIRROR:-} ]]; then
		echo "$NSRUN_DEBIAN_MIRROR"
		return
	fi
	local uri
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^[[:space:]]*#/ { next }
		     $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ "^[a-z]+://") { print $i; exit } }
		     $1 == "URIs:" { print $2; exit }' |
		grep -v -e security -e '-updates' | head -n1 || true)
	# Only a Debian archive will do (not a third-party repository).
	if [[ -n $uri ]] && curl_ok "${uri%/}/dists/$SUITE/Release"; then
		echo "${uri%/}"
	else
		echo http://deb.debian.org/debian
	fi
}

# True if URL answers (HEAD), within 20 s.
curl_ok() {
	if command -v curl >/dev/null; then
		curl -fsI --max-time 20 "$1" >/dev/null 2>&1
	else
		wget -q --spider --timeout=20 --tries=1 "$1" >/dev/null 2>&1
	fi
}

MIRROR=$(mirror)
if ! curl_ok "$MIRROR/dists/$SUITE/Release"; then
	echo "make-root: the Debian mirror $MIRROR does not answer for $SUITE" >&2
	exit 3
fi

if ! command -v debootstrap >/dev/null; then
	echo "make-root: installing debootstrap" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap; } >/dev/null ||
		die "cannot install debootstrap"
fi

# Unmount whatever a killed debootstrap left mounted (proc, sys, dev binds)
# inside a partial root, deepest first, before removing it.
remove_tree() {
	local d=$1 m
	[[ -e $d ]] || return 0
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(awk -v d="$d" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	rm -rf --one-file-system -- "$d"
}

# Partial roots of killed builds (the lock says no build is running).
for old in "$DIR".tmp.* "$DIR".old.*; do
	[[ -d $old ]] && remove_tree "$old"
done

TMP=$(mktemp -d "$DIR.tmp.XXXXXX")
trap 'remove_tree "$TMP"' EXIT

LOG=$DIR.debootstrap.log
echo "make-root: debootstrap $SUITE from $MIRROR into $TMP (log: $LOG)" >&2
if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$TMP" "$MIRROR" >"$LOG" 2>&1; then
	tail -n 20 "$LOG" >&2
	die "debootstrap failed (the whole log: $LOG)"
fi
rm -f "$LOG"

# Per-boot identity: an empty machine-id makes systemd generate one at boot
# (each container its own); the hostname comes from the bundle.
: >"$TMP/etc/machine-id"
rm -f "$TMP/var/lib/dbus/machine-id"
ln -s /etc/machine-id "$TMP/var/lib/dbus/machine-id"
echo nsrun-systemd >"$TMP/etc/hostname"
chroot "$TMP" apt-get clean
rm -rf "$TMP"/var/lib/apt/lists/*

echo "$STAMP" >"$TMP/$STAMP_NAME"
if [[ -e $DIR ]]; then
	# An incomplete or outdated root: out of the way first, then removed.
	OLD=$(mktemp -d "$DIR.old.XXXXXX")
	mv "$DIR" "$OLD/root"
	remove_tree "$OLD"
fi
mv "$TMP" "$DIR"
trap - EXIT
echo "$DIR"
