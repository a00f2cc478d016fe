#!/usr/bin/env bash
# The oci set of bench/run.sh: nsrun as an OCI runtime against crun and runc
# (bench/README.md, "The oci set"). Four parts:
#
#   run     `RUNTIME run ID` of a busybox bundle (process /bin/true), a fresh
#           id per run through bench/oci-id.c, with hyperfine -N in rotated
#           rounds; with cgroups (cgroupfs) and with the cgroup manager
#           disabled
#   batch   BATCH containers (`run`) one after the other and BATCH at 2-way
#           concurrency (xargs -P 2): total wall time, containers per second
#   rss     peak RSS per process image during `run` (bench/peakrss.c), and
#           /usr/bin/time -f %M
#   podman  `podman run --rm ... localhost/bb /bin/true` with each runtime
#           (a containers.conf each, vfs storage, an image imported from the
#           bundle's root), hyperfine -N in rotated rounds
#
# crun 1.8 refuses hybrid cgroup hosts ("cgroups in hybrid mode not
# supported"). On such a host every part runs twice: in a mount namespace
# with /sys/fs/cgroup/unified unmounted (layout "v1", all runtimes, crun
# included) and on the host's own layout ("hybrid", nsrun and runc).
#
#   SET=oci bash bench/run.sh                 # builds nsrun, then this
#   NSRUN=build-bench/nsrun bash bench/oci.sh # an nsrun built already
#
# Environment (all optional; run.sh passes ROUNDS, RUNS, WARMUP, RESULTS_DIR
# and NSRUN):
#   NSRUN=<repo>/build-bench/nsrun
#   ROUNDS=3 RUNS=200 WARMUP=20   the run part, as in run.sh
#   BATCH=100 BATCHES=5           containers per batch, batches per runtime
#                                 and mode (the order rotates each time)
#   RSS_RUNS=10                   runs per runtime for the rss part
#   PODMAN_RUNS=7 PODMAN_WARMUP=2 podman runs per round (ROUNDS rounds)
#   PARTS=run,batch,rss,podman    which parts
#   RESULTS_DIR=<repo>/bench/results/oci-<date>-<time>
#   NICE=                         run everything at this nice value (e.g.
#                                 -20): a last resort when processes that are
#                                 not yours keep the CPUs busy; recorded in
#                                 env.txt and oci.md
#
# Root only. Installs what is missing with apt-get (crun, runc, podman,
# conmon, time, busybox-static, hyperfine). Writes oci-*.json/md/txt,
# oci-batch.tsv, oci-rss/, oci.md (the tables) and appends to env.txt.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

nsrun=${NSRUN:-$root/build-bench/nsrun}
rounds=${ROUNDS:-3}
runs=${RUNS:-200}
warmup=${WARMUP:-20}
batch=${BATCH:-100}
batches=${BATCHES:-5}
rss_runs=${RSS_RUNS:-10}
podman_runs=${PODMAN_RUNS:-7}
podman_warmup=${PODMAN_WARMUP:-2}
parts=${PARTS:-run,batch,rss,podman}
out=${RESULTS_DIR:-$here/results/oci-$(date +%Y%m%d-%H%M%S)}

part() { [[ ",$parts," == *",$1,"* ]]; }

nice_=${NICE:-}
rerun_niced OCI_SH_NICED "$@"

prebuilt_nsrun "build it (SET=oci bash bench/run.sh does) or set NSRUN"

# --- tools ------------------------------------------------------------------
need=()
command -v crun >/dev/null || need+=(crun)
command -v runc >/dev/null || need+=(runc)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v python3 >/dev/null || need+=(python3)
command -v cc >/dev/null || need+=(gcc)
command -v xargs >/dev/null || need+=(findutils)
[[ -x /usr/bin/time ]] || need+=(time)
[[ -x /bin/busybox ]] || need+=(busybox-static)
if part podman; then
	command -v podman >/dev/null || need+=(podman)
	command -v conmon >/dev/null || need+=(conmon)
fi
apt_install "${need[@]}"
crun=$(command -v crun)
runc=$(command -v runc)
cached_alike "$nsrun" "$crun" "$runc"

work=$(mktemp -d /tmp/nsrun-bench-oci.XXXXXX)
chmod 755 "$work"
cleanup() {
	# Containers a failed run may have left behind, then the files.
	local rt
	for rt in nsrun crun runc; do
		[[ -d $work/state/$rt ]] || continue
		for d in "$work/state/$rt"/*/; do
			[[ -d $d ]] || continue
			"$(rt_path "$rt")" --root "$work/state/$rt" delete --force "$(basename "$d")" \
				>/dev/null 2>&1 || true
		done
	done
	[[ -z ${hidden_before+x} ]] || hidden_clean >/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
rt_path() {
	case $1 in nsrun) echo "$nsrun" ;; crun) echo "$crun" ;; runc) echo "$runc" ;; esac
}

mkdir -p "$out" "$work/bin"
# oci-id: the fresh id per run; peakrss: the rss part.
cc -O2 -static -nostdlib -fno-stack-protector -fno-tree-loop-distribute-patterns \
	-Wall -Wextra -Werror -o "$work/bin/oci-id" "$here/oci-id.c"
cc -O2 -Wall -Wextra -Werror -o "$work/bin/peakrss" "$here/peakrss.c"
ociid=$work/bin/oci-id
peakrss=$work/bin/peakrss

# --- the bundle ----------------------------------------------------------------
# The root: busybox-static and its applets, as in run.sh's sandbox set.
bundle=$work/bundle
rootfs=$bundle/rootfs
busybox_root "$rootfs" proc dev sys tmp etc
# config.json: plain_config's (lib.sh: crun spec, /bin/true, no terminal,
# the ambient capabilities also inheritable); the unmodified config is tried
# once and its outcome recorded.
plain_config "$bundle"
cp "$bundle/config.json.crun-spec" "$work/config.crun-spec.json"
cp "$bundle/config.json" "$out/oci-config.json"

# --- cgroup layouts -------------------------------------------------------------
# On a hybrid host (cgroup2 on /sys/fs/cgroup/unified), "v1" is a private
# mount namespace without that mount, where crun 1.8 works; "hybrid" is the
# host as it is. Elsewhere there is one layout, "host", for all three.
cgroup_layouts
# Runtimes measured in a layout (crun 1.8 not on hybrid).
layout_runtimes() {
	case $1 in hybrid) echo nsrun runc ;; *) echo nsrun crun runc ;; esac
}

mkdir -p "$work/state/nsrun" "$work/state/crun" "$work/state/runc"
tag=b$$x # in every container id of this run: leftovers can be found
# rt_cmd RUNTIME [disabled]: the runtime's argv up to the verb's options.
rt_cmd() {
	local rt=$1 mode=${2:-}
	local p
	p=$(rt_path "$rt")
	case $rt:$mode in
	nsrun:disabled) echo "$p --root $work/state/$rt --cgroup-manager disabled" ;;
	crun:disabled) echo "$p --cgroup-manager=disabled --root $work/state/$rt" ;;
	*) echo "$p --root $work/state/$rt" ;;
	esac
}

# Leftovers after a part: state directories and cgroups of this run's ids.
# In the v1 layout, crun 1.8.1 also makes a directory per container (with a
# cgroup.procs file in it) under /sys/fs/cgroup/unified, which is a plain
# directory of the /sys/fs/cgroup tmpfs once the cgroup2 mount is gone, and
# never removes it; podman with crun makes libpod_parent/libpod-ID there.
# They are hidden on the host (under the cgroup2 mount): counted apart, and
# removed after each part (the ones with this run's ids, and podman's that
# were not there before this run).
hidden_list() {
	[[ ${layouts[0]} == v1 ]] || return 0
	in_layout v1 sh -c 'cd /sys/fs/cgroup/unified && find . -mindepth 1 -type d' | sort
}
hidden_before=$(hidden_list)
hidden_clean() {
	[[ ${layouts[0]} == v1 ]] || return 0
	local d dirs=()
	while read -r d; do
		case $d in ./*"$tag"* | ./libpod_parent | ./libpod_parent/libpod-*) dirs+=("$d") ;; esac
	done < <(comm -13 <(echo "$hidden_before") <(hidden_list) | sort -r)
	((${#dirs[@]})) || { echo 0; return 0; }
	# Deepest first (sort -r); one mount namespace for all of them.
	in_layout v1 sh -c 'cd /sys/fs/cgroup/unified || exit 1; n=0
		for d; do rm -f "$d/cgroup.procs" && rmdir "$d" && n=$((n + 1)); done; echo "$n"' sh "${dirs[@]}"
}
leftovers() {
	local what=$1 n_state n_cg n_hidden
	n_state=$(find "$work/state" -mindepth 2 -maxdepth 2 | wc -l)
	n_cg=$(find /sys/fs/cgroup -type d -name "*$tag*" 2>/dev/null | tee -a "$out/oci-leftovers.txt" | wc -l)
	n_hidden=$(hidden_clean)
	echo "leftovers after $what: $n_state state directories, $n_cg cgroups;" \
		"${n_hidden:-0} directories under the unmounted /sys/fs/cgroup/unified (v1 layout), removed" >>"$out/env.txt"
	((n_state + n_cg == 0)) || say "warning: $what left $n_state state directories and $n_cg cgroups (oci-leftovers.txt)"
}

note_busy() {
	local load
	busy_before "$1"
	echo "busy before $1: ${load}% of CPU time" >>"$out/env.txt"
}

# --- checks ---------------------------------------------------------------------
{
	echo "--- oci set"
	echo "nsrun: $nsrun ($(stat -c %s "$nsrun") bytes; $("$nsrun" --version | head -1))"
	echo "crun: $("$crun" --version | head -1)"
	echo "runc: $("$runc" --version | head -1)"
	if part podman; then
		echo "podman: $(podman --version)"
		echo "conmon: $(conmon --version | head -1)"
	fi
	echo "busybox: $(/bin/busybox 2>&1 | head -1)"
	echo "cgroup layouts: ${layouts[*]}"
	echo "oci parts: $parts; BATCH=$batch BATCHES=$batches RSS_RUNS=$rss_runs PODMAN_RUNS=$podman_runs PODMAN_WARMUP=$podman_warmup"
	echo "work directory: $work (removed afterwards); container ids contain $tag"
	echo "nice: $(nice)${nice_:+ (NICE=$nice_)}"
} >>"$out/env.txt"

# crun spec's config as it is (see above), once per runtime: recorded, not
# fatal.
mv "$bundle/config.json" "$bundle/config.json.adjusted"
cp "$bundle/config.json.pristine" "$bundle/config.json"
for rt in $(layout_runtimes "${layouts[0]}"); do
	r=$(cd "$bundle" && in_layout "${layouts[0]}" $(rt_cmd "$rt") run -b "$bundle" "${tag}pristine$rt" 2>&1 >/dev/null && echo ok || true)
	echo "crun spec config unmodified (${layouts[0]}): $rt: ${r:-failed}" | tr '\n' ' ' >>"$out/env.txt"
	echo >>"$out/env.txt"
done
mv "$bundle/config.json.adjusted" "$bundle/config.json"

# Every command once, in every layout, with its own error message.
for l in "${layouts[@]}"; do
	for rt in $(layout_runtimes "$l"); do
		in_layout "$l" $(rt_cmd "$rt") run -b "$bundle" "${tag}check$rt" ||
			die "$rt run failed in the $l layout"
		if [[ $rt != runc ]]; then
			in_layout "$l" $(rt_cmd "$rt" disabled) run -b "$bundle" "${tag}checkd$rt" ||
				die "$rt run with the cgroup manager disabled failed in the $l layout"
		fi
	done
done
leftovers checks

# --- part 1: run ---------------------------------------------------------------
# "name|command" per layout. oci-id adds one exec of a 9 KB program without
# libc to every line; "oci-id + /bin/true" shows what that costs.
if part run; then
	for l in "${layouts[@]}"; do
		cmds=()
		for rt in $(layout_runtimes "$l"); do
			cmds+=("$rt run|$ociid ${tag}r${rt:0:1}- $(rt_cmd "$rt") run -b $bundle @")
		done
		for rt in $(layout_runtimes "$l"); do
			[[ $rt == runc ]] && continue # runc has no such manager
			cmds+=("$rt run, cgroups disabled|$ociid ${tag}d${rt:0:1}- $(rt_cmd "$rt" disabled) run -b $bundle @")
		done
		cmds+=("oci-id + /bin/true|$ociid x /bin/true @" "/bin/true|/bin/true")
		note_busy "run ($l)"
		t0=$SECONDS
		hyperfine_rounds "$rounds" "$runs" "$warmup" "oci run ($l)" "$out/oci-run-$l" \
			in_layout "$l" -- "${cmds[@]}"
		echo "run ($l): $((SECONDS - t0)) s" >>"$out/env.txt"
	done
	leftovers run
fi

# --- part 2: batches of containers ------------------------------------------------
# One script per layout runs every batch there: BATCH `run`s from xargs (no
# shell per container), -P 1 and -P 2, timed with bash's EPOCHREALTIME
# around xargs. Order rotated from batch to batch.
if part batch; then
	cat >"$work/batch.sh" <<'SH'
# batch.sh LAYOUT BATCH BATCHES TAG BUNDLE "name|runtime argv" ...
set -euo pipefail
layout=$1 batch=$2 batches=$3 tag=$4 bundle=$5
shift 5
items=()
for c in "$@"; do
	for p in 1 2; do items+=("$p|$c"); done
done
n=${#items[@]}
for ((b = 0; b < batches; b++)); do
	for ((i = 0; i < n; i++)); do
		it=${items[$(((i + b) % n))]}
		p=${it%%|*} rest=${it#*|}
		name=${rest%%|*} argv=${rest#*|}
		prefix="${tag}t$b${name:0:1}$p-"
		t0=$EPOCHREALTIME
		seq -f "$prefix%g" 1 "$batch" | xargs -P "$p" -I{} $argv run -b "$bundle" {} >/dev/null
		t1=$EPOCHREALTIME
		printf '%s\t%s\t%d\t%d\t%s\n' "$layout" "$name" "$p" "$b" \
			"$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.4f}")' "$t0" "$t1")"
	done
done
SH
	printf 'layout\truntime\tparallel\tbatch\tseconds\n' >"$out/oci-batch.tsv"
	for l in "${layouts[@]}"; do
		c=()
		for rt in $(layout_runtimes "$l"); do c+=("$rt|$(rt_cmd "$rt")"); done
		note_busy "batch ($l)"
		say "oci batch ($l): ${#c[@]} runtimes x 2 modes x $batches batches of $batch containers"
		t0=$SECONDS
		in_layout "$l" bash "$work/batch.sh" "$l" "$batch" "$batches" "$tag" "$bundle" "${c[@]}" \
			>>"$out/oci-batch.tsv"
		echo "batch ($l): $((SECONDS - t0)) s" >>"$out/env.txt"
	done
	leftovers batch
fi

# --- part 3: peak RSS ---------------------------------------------------------------
if part rss; then
	mkdir -p "$out/oci-rss"
	note_busy rss
	for l in "${layouts[@]}"; do
		say "oci rss ($l): $rss_runs runs per runtime"
		for ((i = 0; i < rss_runs; i++)); do
			for rt in $(layout_runtimes "$l"); do
				for mode in cgroupfs disabled; do
					[[ $rt:$mode == runc:disabled ]] && continue
					base=$out/oci-rss/$l-$rt-$mode-$i
					arg=()
					[[ $mode == disabled ]] && arg=(disabled)
					in_layout "$l" "$peakrss" -o "$base.peakrss" \
						$(rt_cmd "$rt" "${arg[@]}") run -b "$bundle" "${tag}p$i$rt${mode:0:1}"
					in_layout "$l" /usr/bin/time -f %M -o "$base.time" \
						$(rt_cmd "$rt" "${arg[@]}") run -b "$bundle" "${tag}q$i$rt${mode:0:1}"
				done
			done
		done
	done
	leftovers rss
fi

# --- part 4: podman -------------------------------------------------------------------
if part podman; then
	pm=$work/podman
	mkdir -p "$pm/graph" "$pm/run" "$pm/tmp" "$pm/vol"
	cat >"$pm/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$pm/graph"
runroot = "$pm/run"
EOF
	# One containers.conf per runtime, differing only in engine.runtime.
	for rt in nsrun crun runc; do
		cat >"$pm/$rt.conf" <<EOF
[containers]

[engine]
runtime = "$rt"
runtime_supports_json = ["crun", "runc", "nsrun"]
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "$pm/tmp"
volume_path = "$pm/vol"

[engine.runtimes]
nsrun = ["$nsrun"]
crun = ["$crun"]
runc = ["$runc"]
EOF
	done
	cp "$pm/nsrun.conf" "$out/oci-podman-nsrun.conf"
	penv=(env "CONTAINERS_STORAGE_CONF=$pm/storage.conf")
	tar -C "$rootfs" -cf "$work/bb.tar" .
	"${penv[@]}" CONTAINERS_CONF="$pm/nsrun.conf" podman import -q "$work/bb.tar" localhost/bb >/dev/null
	pargs="run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 localhost/bb /bin/true"
	for l in "${layouts[@]}"; do
		cmds=()
		for rt in $(layout_runtimes "$l"); do
			in_layout "$l" "${penv[@]}" CONTAINERS_CONF="$pm/$rt.conf" podman $pargs ||
				die "podman run with $rt failed in the $l layout"
			cmds+=("podman + $rt|$(command -v env) CONTAINERS_STORAGE_CONF=$pm/storage.conf CONTAINERS_CONF=$pm/$rt.conf $(command -v podman) $pargs")
		done
		note_busy "podman ($l)"
		t0=$SECONDS
		hyperfine_rounds "$rounds" "$podman_runs" "$podman_warmup" "oci podman ($l)" \
			"$out/oci-podman-$l" in_layout "$l" -- "${cmds[@]}"
		echo "podman ($l): $((SECONDS - t0)) s" >>"$out/env.txt"
	done
	left=$("${penv[@]}" CONTAINERS_CONF="$pm/nsrun.conf" podman ps -aq | wc -l)
	echo "podman containers left: $left" >>"$out/env.txt"
	((left == 0)) || say "warning: podman left $left containers"
	"${penv[@]}" CONTAINERS_CONF="$pm/nsrun.conf" podman rm -af >/dev/null 2>&1 || true
	"${penv[@]}" CONTAINERS_CONF="$pm/nsrun.conf" podman rmi -af >/dev/null 2>&1 || true
fi

# --- summary ------------------------------------------------------------------------
python3 - "$out" "$batch" "$nice_" "${layouts[@]}" <<'PY' >"$out/oci.md"
import csv, glob, json, os, re, statistics as st, sys

out, batch, nice, layouts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
ms = lambda s: s * 1e3
print("### oci")
print()
if nice:
    print(f"Run at nice {nice} (NICE={nice}): other processes kept the CPUs busy.")
    print()

def pooled(kind, layout):
    times, rounds = {}, {}
    paths = sorted(glob.glob(f"{out}/oci-{kind}-{layout}-round*.json"))
    for path in paths:
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
            rounds.setdefault(r["command"], []).append(r["median"])
    return times, rounds, len(paths)

def ratio_row(label, a, b, limit=None):
    v = a / b
    target = met = ""
    if limit is not None:
        target, met = f"≤ {limit:.2f}", "yes" if v <= limit else "no"
    print(f"| {label} | {v:.2f} | {target} | {met} |")

# run
med_run = {}
for l in layouts:
    times, rounds, n = pooled("run", l)
    if not times:
        continue
    order = [k for k in ["nsrun run", "crun run", "runc run", "nsrun run, cgroups disabled",
                         "crun run, cgroups disabled", "oci-id + /bin/true", "/bin/true"] if k in times]
    med = {k: ms(st.median(times[k])) for k in order}
    med_run[l] = med
    w = med["oci-id + /bin/true"]
    print(f"#### `run`, {l} layout")
    print()
    print(f"{len(times[order[0]])} runs per command, pooled over {n} rounds; each run a fresh id.")
    print()
    print("| command | median ms | mean ± σ ms | min ms | median − (oci-id + /bin/true) ms | round medians ms |")
    print("|---|---:|---:|---:|---:|---|")
    for k in order:
        t = times[k]
        print(f"| {k} | {med[k]:.2f} | {ms(st.mean(t)):.2f} ± {ms(st.stdev(t)):.2f} | {ms(min(t)):.2f} "
              f"| {med[k] - w:+.2f} | {' / '.join(f'{ms(m):.2f}' for m in rounds[k])} |")
    print()
    print("| ratio of medians | value | target | met |")
    print("|---|---:|---|---|")
    if "crun run" in med:
        ratio_row("nsrun run / crun run", med["nsrun run"], med["crun run"], 0.5)
        ratio_row("the same, oci-id + /bin/true taken off both", med["nsrun run"] - w, med["crun run"] - w, 0.5)
    if "crun run, cgroups disabled" in med:
        ratio_row("nsrun / crun, cgroups disabled", med["nsrun run, cgroups disabled"],
                  med["crun run, cgroups disabled"], 0.5)
    if "runc run" in med:
        ratio_row("nsrun run / runc run", med["nsrun run"], med["runc run"])
    if "crun run" in med and "runc run" in med:
        ratio_row("crun run / runc run", med["crun run"], med["runc run"])
    print()
if "v1" in med_run and "hybrid" in med_run:
    a, b = med_run["hybrid"], med_run["v1"]
    print("| across layouts | hybrid ms | v1 ms | hybrid / v1 |")
    print("|---|---:|---:|---:|")
    for k in ["nsrun run", "runc run", "nsrun run, cgroups disabled"]:
        if k in a and k in b:
            print(f"| {k} | {a[k]:.2f} | {b[k]:.2f} | {a[k] / b[k]:.2f} |")
    print()

# batch
path = f"{out}/oci-batch.tsv"
if os.path.exists(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    if rows:
        print(f"#### {batch} containers (`run`), one after the other and 2 at a time")
        print()
        groups = {}
        for r in rows:
            groups.setdefault((r["layout"], r["parallel"], r["runtime"]), []).append(float(r["seconds"]))
        nb = len(next(iter(groups.values())))
        print(f"Median of {nb} batches; wall time of the whole batch.")
        print()
        print("| layout | concurrency | runtime | median s | containers/s | min – max s | / nsrun |")
        print("|---|---:|---|---:|---:|---|---:|")
        for (l, p, rt), t in groups.items():
            pass
        for l in layouts:
            for p in ("1", "2"):
                base = groups.get((l, p, "nsrun"))
                for rt in ("nsrun", "crun", "runc"):
                    t = groups.get((l, p, rt))
                    if not t:
                        continue
                    m = st.median(t)
                    rel = f"{m / st.median(base):.2f}" if base else ""
                    print(f"| {l} | {p} | {rt} | {m:.2f} | {batch / m:.1f} | {min(t):.2f} – {max(t):.2f} | {rel} |")
        print()

# rss
rss_dir = f"{out}/oci-rss"
if os.path.isdir(rss_dir):
    data = {}
    for f in glob.glob(f"{rss_dir}/*.peakrss"):
        l, rt, mode, i = os.path.basename(f)[:-len(".peakrss")].split("-")
        imgs = []
        for line in open(f):
            tgid, gen, depth, name, hwm = line.split()
            imgs.append((int(tgid), int(gen), int(depth), name, int(hwm)))
        top = max(h for t, g, d, n, h in imgs if d == 0)
        helpers = [h for t, g, d, n, h in imgs if d > 0 and n != "true"]
        cmd = [h for t, g, d, n, h in imgs if n == "true"]
        tm = int(open(f[:-len(".peakrss")] + ".time").read().split()[-1])
        d = data.setdefault((l, rt, mode), {"top": [], "helper": [], "cmd": [], "tree": [], "time": [], "n": []})
        d["top"].append(top)
        d["helper"].append(max(helpers) if helpers else 0)
        d["cmd"].append(max(cmd) if cmd else 0)
        d["tree"].append(max([top] + helpers))
        d["time"].append(tm)
        d["n"].append(len([1 for t, g, dd, n, h in imgs if n != "true"]))
    if data:
        n = len(next(iter(data.values()))["top"])
        print("#### Peak RSS during `run`, kB")
        print()
        print(f"Medians of {n} runs each. \"runtime process\": VmHWM of the process that was "
              "started (all its images); \"largest helper\": the largest other process image "
              "of the runtime (not the container's `true`); \"runtime images\": how many images "
              "of the runtime ran; `time -f %M`: the largest peak of the process and every "
              "descendant it waited for, the container's `true` included.")
        print()
        print("| layout | runtime | cgroups | runtime process | largest helper | runtime max | `true` | runtime images | `time -f %M` |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|")
        for l in layouts:
            for rt in ("nsrun", "crun", "runc"):
                for mode in ("cgroupfs", "disabled"):
                    d = data.get((l, rt, mode))
                    if not d:
                        continue
                    m = lambda k: int(st.median(d[k]))
                    print(f"| {l} | {rt} | {mode} | {m('top')} | {m('helper')} | {m('tree')} | {m('cmd')} | {m('n')} | {m('time')} |")
        print()
        for l in layouts:
            a, b = data.get((l, "nsrun", "cgroupfs")), data.get((l, "crun", "cgroupfs"))
            if a and b:
                print("| target ({}) | nsrun kB | crun kB | nsrun / crun | met (below) |".format(l))
                print("|---|---:|---:|---:|---|")
                for k, label in (("top", "runtime process"), ("tree", "runtime max"), ("time", "`time -f %M`")):
                    x, y = st.median(a[k]), st.median(b[k])
                    print(f"| {label} | {int(x)} | {int(y)} | {x / y:.2f} | {'yes' if x < y else 'no'} |")
                print()

# podman
for l in layouts:
    times, rounds, n = pooled("podman", l)
    if not times:
        continue
    order = [k for k in ["podman + nsrun", "podman + crun", "podman + runc"] if k in times]
    med = {k: ms(st.median(times[k])) for k in order}
    print(f"#### `podman run --rm`, {l} layout")
    print()
    print(f"{len(times[order[0]])} runs per runtime, pooled over {n} rounds.")
    print()
    print("| runtime | median ms | mean ± σ ms | min ms | round medians ms | / nsrun |")
    print("|---|---:|---:|---:|---|---:|")
    for k in order:
        t = times[k]
        print(f"| {k} | {med[k]:.1f} | {ms(st.mean(t)):.1f} ± {ms(st.stdev(t)):.1f} | {ms(min(t)):.1f} "
              f"| {' / '.join(f'{ms(m):.1f}' for m in rounds[k])} | {med[k] / med['podman + nsrun']:.2f} |")
    print()
PY
cat "$out/oci.md"
say "oci results: $out (oci.md, oci-*.json, oci-batch.tsv, oci-rss/, env.txt)"
