#!/usr/bin/env bash
# The load set: containers per second, nsrun against crun, for the work of
# the load test (tests/load/run.sh): `RUNTIME run` of a busybox bundle
# (process /bin/true), and `create` + `start` + the container's exit +
# `delete`, one after the other and 8 at a time (bench/README.md, "The load
# set").
#
#   NSRUN=build-load/nsrun bash bench/load.sh
#
# Both runtimes run the same bundle (`nsrun spec`, process /bin/true), a
# fresh container id per container, driven by the load test's supervisor
# (tests/load/load.py --bench: one Python process, a child subreaper, that
# starts the commands with posix_spawn and collects the container's exit as
# containerd's shim does; it checks nothing and measures the wall time of
# a whole batch). crun 1.8 refuses hybrid cgroup hosts, so on a hybrid
# host both run in a mount namespace without /sys/fs/cgroup/unified
# (layout "v1", as bench/oci.sh does); nsrun also runs on the host's own
# layout ("hybrid"), for reference.
#
# Environment (all optional):
#   NSRUN=<repo>/build-bench/nsrun
#   COUNT=300      containers per batch
#   JOBS=8         concurrency of the concurrent batches
#   ROUNDS=5       batches per runtime, kind and concurrency; the order of
#                  the runtimes rotates from round to round
#   RESULTS_DIR=<repo>/bench/results/load-<date>-<time>
#
# Root only. Installs crun, busybox-static and jq with apt-get if they are
# missing. Writes load.jsonl (one line per batch), env.txt and load.md (the
# table) to RESULTS_DIR, and prints load.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

nsrun=${NSRUN:-$root/build-bench/nsrun}
count=${COUNT:-300}
jobs=${JOBS:-8}
rounds=${ROUNDS:-5}
out=${RESULTS_DIR:-$here/results/load-$(date +%Y%m%d-%H%M%S)}

prebuilt_nsrun "build it or set NSRUN"
need=()
command -v crun >/dev/null || need+=(crun)
command -v jq >/dev/null || need+=(jq)
[[ -x /bin/busybox ]] || need+=(busybox-static)
apt_install "${need[@]}"
crun=$(command -v crun)
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)

work=$(mktemp -d /tmp/nsrun-bench-load.XXXXXX)
chmod 0755 "$work"
tag=bl$$x # in every container id of this run: leftovers can be found

# --- cgroup layouts -------------------------------------------------------------
cgroup_layouts
# (layout, runtime) pairs measured: crun 1.8 not on the hybrid layout.
pairs=()
for l in "${layouts[@]}"; do
	pairs+=("$l nsrun")
	[[ $l == hybrid ]] || pairs+=("$l crun")
done
rt_path() { case $1 in nsrun) echo "$nsrun" ;; crun) echo "$crun" ;; esac; }

# crun 1.8.1, in the v1 layout, makes a directory per container under
# /sys/fs/cgroup/unified, a plain directory of the /sys/fs/cgroup tmpfs
# once the cgroup2 mount is gone there, and never removes it: counted and
# removed after each batch (only this run's, named after $tag).
hidden_clean() {
	[[ ${layouts[0]} == v1 ]] || { echo 0; return 0; }
	in_layout v1 sh -c 'cd /sys/fs/cgroup/unified || exit 1; n=0
		for d in *"$1"*; do [ -d "$d" ] || continue
			rm -f "$d/cgroup.procs" && rmdir "$d" && n=$((n + 1)); done; echo "$n"' sh "$tag"
}
cleanup() {
	local rt d
	for rt in nsrun crun; do
		for d in "$work/$rt"/state/*/; do
			[[ -d $d ]] || continue
			in_layout "${layouts[0]}" "$(rt_path "$rt")" --root "$work/$rt/state" delete --force \
				"$(basename "$d")" >/dev/null 2>&1 || true
		done
	done
	hidden_clean >/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- the bundle ---------------------------------------------------------------------
bundle=$work/bundle
rootfs=$bundle/rootfs
busybox_root "$rootfs" etc proc dev sys tmp
"$nsrun" spec --bundle "$bundle"
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$bundle/config.json"
mkdir -p "$out" "$work/nsrun" "$work/crun"
cp "$bundle/config.json" "$out/load-config.json"

{
	echo "--- load set"
	echo "repository HEAD (not necessarily what NSRUN was built from): $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "nsrun: $nsrun ($(stat -c %s "$nsrun") bytes; $("$nsrun" --version | head -1))"
	echo "crun: $("$crun" --version | head -1)"
	echo "kernel: $(uname -r); cpus: $(nproc); python: $("$python" --version)"
	echo "layouts: ${layouts[*]}; COUNT=$count JOBS=$jobs ROUNDS=$rounds; nice $(nice)"
	echo "command: NSRUN=$nsrun COUNT=$count JOBS=$jobs ROUNDS=$rounds bash bench/load.sh"
} >>"$out/env.txt"

# batch LAYOUT RUNTIME KIND CONCURRENCY ROUND: one batch; a line of load.jsonl.
batch() {
	local l=$1 rt=$2 kind=$3 conc=$4 r=$5 load line
	load=$(busy)
	line=$(in_layout "$l" "$python" "$root/tests/load/load.py" --bench --runtime "$(rt_path "$rt")" \
		--work "$work/$rt" --bundle "$bundle" --tag "$tag-$l-$rt-$kind-$conc-$r" --kind "$kind" \
		--count "$count" --jobs "$conc") || die "$rt $kind in the $l layout failed: $line"
	jq -c --arg l "$l" --arg rt "$rt" --argjson r "$r" --argjson busy "$load" \
		'. + {layout: $l, name: $rt, round: $r, busy_before: $busy}' <<<"$line" >>"$out/load.jsonl"
	say "round $r, $l, $rt, $kind, $conc at a time: $(jq -r '"\(.count / .seconds | floor) a second"' <<<"$line")" \
		"(machine ${load}% busy before)"
	local hidden
	hidden=$(hidden_clean)
	((hidden == 0)) || echo "round $r $l $rt $kind $conc: removed $hidden directories under the unmounted /sys/fs/cgroup/unified" >>"$out/env.txt"
}

# Each runtime once, with its own error message, before anything is timed.
for p in "${pairs[@]}"; do
	read -r l rt <<<"$p"
	in_layout "$l" "$(rt_path "$rt")" --root "$work/$rt/state" run --bundle "$bundle" "$tag-check-$l-$rt" ||
		die "$rt run failed in the $l layout"
done
hidden_clean >/dev/null

# The runtimes take turns batch by batch, so that what the rest of the
# machine does weighs on both alike; the order rotates from round to round.
n=${#pairs[@]}
for ((r = 1; r <= rounds; r++)); do
	for kind in run lifecycle; do
		for conc in 1 "$jobs"; do
			for ((i = 0; i < n; i++)); do
				read -r l rt <<<"${pairs[$(((i + r - 1) % n))]}"
				batch "$l" "$rt" "$kind" "$conc" "$r"
			done
		done
	done
done
left_state=$(find "$work"/nsrun/state "$work"/crun/state -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
left_cg=$(find /sys/fs/cgroup -type d -name "*$tag*" 2>/dev/null | wc -l)
echo "leftovers: $left_state state directories, $left_cg cgroups named after this run's ids" >>"$out/env.txt"

"$python" - "$out" "$count" <<'PY' >"$out/load.md"
import json, statistics as st, sys
out, count = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open(f"{out}/load.jsonl")]
groups = {}
for r in rows:
    groups.setdefault((r["layout"], r["kind"], r["jobs"], r["name"]), []).append(r)
kinds = {"run": "`run`", "lifecycle": "`create` + `start` + `delete`"}
print(f"Containers per second: COUNT / the median wall time of {len(next(iter(groups.values())))} batches "
      f"of {count} containers each.")
print()
print("\"nsrun / crun\": crun's median time over nsrun's, how many times as many containers a second "
      "nsrun starts; \"paired\": the median over the rounds of the same ratio between the two batches "
      "of a round, which ran one after the other. \"busy before\": how busy the machine was in the "
      "second before each batch, per round.")
print()
print("| layout | work | at a time | runtime | containers/s | median s | min – max s | busy before (%) | nsrun / crun | paired |")
print("|---|---|---:|---|---:|---:|---|---|---:|---:|")
for (l, k, j, name), rs in sorted(groups.items(), key=lambda x: (x[0][0] != "v1", x[0][1] != "run", x[0][2], x[0][3] != "nsrun")):
    secs = [r["seconds"] for r in rs]
    med = st.median(secs)
    ratio = paired = ""
    if name == "nsrun" and (l, k, j, "crun") in groups:
        crun = groups[(l, k, j, "crun")]
        ratio = f"{st.median(r['seconds'] for r in crun) / med:.2f}"
        by_round = {r["round"]: r["seconds"] for r in crun}
        pairs = [by_round[r["round"]] / r["seconds"] for r in rs if r["round"] in by_round]
        paired = f"{st.median(pairs):.2f}" if pairs else ""
    busy = "/".join(str(r["busy_before"]) for r in rs)
    print(f"| {l} | {kinds[k]} | {j} | {name} | {count / med:.0f} | {med:.2f} | {min(secs):.2f} – {max(secs):.2f} "
          f"| {busy} | {ratio} | {paired} |")
PY
cat "$out/load.md"
say "load results: $out (load.md, load.jsonl, env.txt)"
