#!/usr/bin/env bash
# `docker run --rm IMAGE true` with nsrun, runc and crun as Docker's runtime,
# in one hyperfine run (bench/README.md, "Docker").
#
# It starts a dockerd of its own (Debian's docker.io) with the three runtimes
# registered in its daemon.json, vfs storage and no networking, in a mount
# namespace where /sys/fs/cgroup/unified is unmounted on a hybrid host (crun
# 1.8 refuses hybrid hosts), imports a busybox image and times
# `docker run --rm --runtime R nsrun-bb true`. Everything it made, dockerd
# included, is gone when it ends.
#
#   NSRUN=build/nsrun bash bench/docker.sh
#
# Environment: NSRUN (default <repo>/build-bench/nsrun), RUNS=30, WARMUP=3,
# RESULTS_DIR (default bench/results/docker-<date>-<time>). Root only.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

nsrun=$(readlink -f "${NSRUN:-$root/build-bench/nsrun}")
runs=${RUNS:-30}
warmup=${WARMUP:-3}
out=${RESULTS_DIR:-$here/results/docker-$(date +%Y%m%d-%H%M%S)}
[[ $(id -u) == 0 ]] || { echo "bench/docker.sh: needs root" >&2; exit 1; }
[[ -x $nsrun ]] || { echo "bench/docker.sh: no nsrun at $nsrun (set NSRUN)" >&2; exit 1; }
"$root/scripts/install-deps" docker.io runc crun busybox-static hyperfine jq

work=$(mktemp -d /tmp/nsrun-bench-docker.XXXXXX)
dockerd_pid=
cleanup() {
	if [[ -n $dockerd_pid ]]; then
		kill "$dockerd_pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
	fi
	awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# A busybox image.
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp"
cp /bin/busybox "$work/rootfs/bin/busybox"
for applet in sh true; do ln -s busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -cf "$work/bb.tar" .

jq -n --arg nsrun "$nsrun" --arg d "$work" '{
	runtimes: { nsrun: { path: $nsrun }, crun: { path: "/usr/bin/crun" } },
	iptables: false, ip6tables: false, bridge: "none", "storage-driver": "vfs",
	"data-root": ($d + "/data"), "exec-root": ($d + "/exec"), pidfile: ($d + "/docker.pid"),
	hosts: [ ("unix://" + $d + "/docker.sock") ]
}' >"$work/daemon.json"
cat >"$work/docker" <<EOF
#!/bin/sh
exec env DOCKER_CONFIG="$work/client" docker -H "unix://$work/docker.sock" "\$@"
EOF
chmod 0755 "$work/docker"
mkdir -p "$work/client"
unshare --mount --propagation private sh -c '
	if mountpoint -q /sys/fs/cgroup/unified; then umount -l /sys/fs/cgroup/unified; fi
	exec dockerd --config-file "$0"' "$work/daemon.json" >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do "$work/docker" version >/dev/null 2>&1 && break; sleep 0.1; done
"$work/docker" version >/dev/null || { tail -20 "$work/dockerd.log" >&2; exit 1; }
"$work/docker" import "$work/bb.tar" nsrun-bb >/dev/null

mkdir -p "$out"
cmds=()
for rt in nsrun runc crun; do
	cmds+=(-n "$rt" "$work/docker run --rm --runtime $rt nsrun-bb true")
done
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/docker.json" \
	--export-markdown "$out/docker.md" "${cmds[@]}"
echo "bench/docker.sh: results in $out"
