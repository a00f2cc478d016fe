#!/usr/bin/env bash
# The load test's own test: every check of tests/load/run.sh must fail
# when its fault is there.
#
#   bash tests/load/selftest.sh NSRUN_BINARY
#
# Runs run.sh at SCALE=200 with every fault of load.py's --inject added to
# each phase (a command that exits 1, one 64 MB larger than the others, a
# process that outlives its nsrun, a mount on the host, a cgroup below the
# supervisor's, a state directory, a file in the root filesystem, a
# descriptor left open in the supervisor), and checks that each phase
# reports every one of them as "not ok", that run.sh exits 1, and that it
# cleaned up after itself. Prints TAP.
set -u

[[ $# -eq 1 ]] || { echo "usage: selftest.sh NSRUN_BINARY" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp /tmp/nsrun-load-selftest.XXXXXX)
trap 'rm -f "$out"' EXIT

LOAD_INJECT=exit,rss,orphan,mount,cgroup,state,rootfs,fd bash "$here/run.sh" "$1" 200 >"$out" 2>&1
rc=$?
work=$(sed -n 's/.*work directory \([^;]*\);.*/\1/p' "$out")
tag=$(sed -n 's/.* tag \([0-9a-f]*\)$/\1/p' "$out")

n=0 failed=0
check() { # check OK NAME
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

check $((rc != 1)) "run.sh exits 1 (it exited $rc)"
for phase in "sandbox CLI, 50 in sequence" "nsrun run, 50 in sequence" \
	"nsrun create + start + delete, 50 in sequence" "sandbox CLI, 10 8 at a time" \
	"nsrun run, 10 8 at a time" "nsrun create + start + delete, 10 8 at a time"; do
	case $phase in
	sandbox*) kind="nsrun --sandbox" ;;
	*run,*) kind=run ;;
	*) kind=create ;;
	esac
	for what in "runs, every exit status 0" "no process left" "no mount added" "no cgroup directory left" \
		"no state directory left" "the supervisor's descriptors unchanged" "the root filesystems unchanged" \
		"peak RSS of $kind flat"; do
		grep -qF "not ok" <(grep -F "$phase: " "$out" | grep -F "$what") </dev/null
		check $? "$phase: '$what' fails with its fault"
	done
done
left=$( (find /sys/fs/cgroup -name "load-supervisor.$tag*"; [[ -e $work ]] && echo "$work"; grep -F "$work" /proc/self/mountinfo) 2>/dev/null)
check $([[ -n $tag && -n $work && -z $left ]]; echo $?) "run.sh removed its cgroups, mounts and files${left:+: $left}"
echo "1..$n"
((failed == 0)) || { sed 's/^/# /' "$out"; exit 1; }
