#!/usr/bin/env bash
# The k8s set of bench/run.sh: nsrun against crun and runc on what a
# Kubernetes node asks of a runtime (bench/README.md, "The k8s set"):
#
#   run     `RUNTIME run ID` of two bundles, process /bin/true: the plain
#           one (`crun spec`, as the oci set's) and a Kubernetes-shaped one
#           (bench/k8s-bundle.py: 20 bind mounts, 4 tmpfs, containerd's
#           masked and read-only paths, a seccomp profile of 90 names and
#           about 200 argument rules). The same id every run: run deletes
#           the container when its process exits.
#   exec    `RUNTIME exec ID /bin/true` into a running container (`run -d`,
#           process `sleep 100000`) of each bundle, one container per
#           runtime and bundle, started before and deleted after.
#   steps   (not run unless asked for) the k8s bundle taken apart, nsrun
#           and crun: `run` and `exec` with the k8s bundle's mounts and no
#           seccomp filter, and with a filter by name only (the calls of
#           the argument rules allowed outright), against the plain and the
#           whole k8s bundle.
#
# Each part is measured twice: hyperfine -N in rotated rounds (as the other
# sets), and bench/abrun.c, which interleaves the commands run by run and
# gives the median of paired differences, steadier on a busy machine.
#
#   SET=k8s bash bench/run.sh                   # builds nsrun, then this
#   NSRUN=build-bench/nsrun bash bench/k8s.sh   # an nsrun built already
#
# Environment (all optional; run.sh passes ROUNDS, RUNS, WARMUP, RESULTS_DIR
# and NSRUN):
#   NSRUN=<repo>/build-bench/nsrun
#   ROUNDS=3 RUNS=200 WARMUP=20   hyperfine, as in run.sh
#   AB_RUNS=300 AB_WARMUP=20      abrun: interleaved rounds; 0 skips it
#   PARTS=run,exec                run, exec and steps
#   RESULTS_DIR=<repo>/bench/results/k8s-<date>-<time>
#   NICE=                         run everything at this nice value (as
#                                 bench/oci.sh)
#
# On a hybrid cgroup host everything runs in a mount namespace with
# /sys/fs/cgroup/unified unmounted (in_layout v1, lib.sh), where crun 1.8
# works. Root only. Installs what is missing with apt-get (crun, runc,
# hyperfine, busybox-static). Writes k8s-*.json/md/txt (hyperfine),
# k8s-abrun-*.txt, k8s-config.json, k8s-check.txt, k8s.md (the tables) and
# appends to env.txt.
#
# rt_cmd's output and the commands' text are split on white space on
# purpose, as hyperfine -N splits them.
# shellcheck disable=SC2046,SC2206
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

nsrun=${NSRUN:-$root/build-bench/nsrun}
rounds=${ROUNDS:-3}
runs=${RUNS:-200}
warmup=${WARMUP:-20}
ab_runs=${AB_RUNS:-300}
ab_warmup=${AB_WARMUP:-20}
parts=${PARTS:-run,exec}
out=${RESULTS_DIR:-$here/results/k8s-$(date +%Y%m%d-%H%M%S)}

part() { [[ ",$parts," == *",$1,"* ]]; }

nice_=${NICE:-}
rerun_niced K8S_SH_NICED "$@"

prebuilt_nsrun "build it (SET=k8s bash bench/run.sh does) or set NSRUN"

need=()
command -v crun >/dev/null || need+=(crun)
command -v runc >/dev/null || need+=(runc)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v python3 >/dev/null || need+=(python3)
command -v cc >/dev/null || need+=(gcc)
[[ -x /bin/busybox ]] || need+=(busybox-static)
apt_install "${need[@]}"
crun=$(command -v crun)
runc=$(command -v runc)
cached_alike "$nsrun" "$crun" "$runc"
rts=(nsrun crun runc)
rt_path() {
	case $1 in nsrun) echo "$nsrun" ;; crun) echo "$crun" ;; runc) echo "$runc" ;; esac
}

# One layout: v1 on a hybrid host (crun 1.8 refuses hybrid), else the host's.
cgroup_layouts
layout=${layouts[0]}
tag=k$$x # in every container id of this run
work=$(mktemp -d /tmp/nsrun-bench-k8s.XXXXXX)
chmod 755 "$work"
rt_cmd() { echo "$(rt_path "$1") --root $work/state/$1"; }

# The crun directories under the unmounted /sys/fs/cgroup/unified (see the
# oci set) of this run's ids, removed in one mount namespace.
stray_clean() {
	[[ $layout == v1 ]] || return 0
	in_layout v1 sh -c 'cd /sys/fs/cgroup/unified || exit 0
		for d in *"$1"*; do [ -d "$d" ] || continue; rm -f "$d/cgroup.procs"; rmdir "$d"; done' sh "$tag"
}
cleanup() {
	local rt d
	for rt in "${rts[@]}"; do
		for d in "$work/state/$rt"/*/; do
			[[ -d $d ]] || continue
			in_layout "$layout" $(rt_cmd "$rt") delete --force "$(basename "$d")" >/dev/null 2>&1 || true
		done
	done
	stray_clean || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$out" "$work/bin" "${rts[@]/#/$work/state/}"
cc -O2 -Wall -Wextra -Werror -o "$work/bin/abrun" "$here/abrun.c"
abrun=$work/bin/abrun

# --- the bundles -------------------------------------------------------------------
# plain: the oci set's (plain_config, lib.sh). k8s: that, through
# k8s-bundle.py. Each has its own busybox root; the sleep bundles, for exec,
# use the same roots by absolute path.
for b in plain k8s; do busybox_root "$work/$b/rootfs" proc dev sys tmp etc; done
plain_config "$work/plain"
python3 "$here/k8s-bundle.py" "$work/plain/config.json" "$work/k8s/config.json" "$work/volumes"
cp "$work/k8s/config.json" "$out/k8s-config.json"
# sleep-B: bundle B running `sleep 100000`; check: k8s showing what it got.
# EDIT, if set, is a Python statement run on the config c.
derive() { # [EDIT=...] derive FROM TO ARG...
	local from=$1 to=$2
	shift 2
	mkdir -p "$work/$to"
	python3 - "$work/$from" "$work/$to/config.json" "${EDIT:-pass}" "$@" <<'PY'
import json, sys
src, path, edit, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
c = json.load(open(src + "/config.json"))
c["root"]["path"] = src + "/rootfs"
c["process"]["args"] = args
exec(edit)
json.dump(c, open(path, "w"), indent=2)
PY
}
derive plain sleep-plain sleep 100000
derive k8s sleep-k8s sleep 100000
# The steps: the k8s bundle without its filter ("mounts"), and with a
# filter by name only ("names": the calls of the argument rules allowed
# outright, in the one rule of names; clone3's ENOSYS kept).
no_filter='del c["linux"]["seccomp"]'
names_only='s = c["linux"]["seccomp"]
extra = sorted({n for r in s["syscalls"] if r.get("args") for n in r["names"]})
s["syscalls"] = [{"names": s["syscalls"][0]["names"] + extra, "action": "SCMP_ACT_ALLOW"}] + \
    [r for r in s["syscalls"] if r["action"] != "SCMP_ACT_ALLOW"]'
EDIT=$no_filter derive k8s k8s-mounts /bin/true
EDIT=$no_filter derive k8s sleep-k8s-mounts sleep 100000
EDIT=$names_only derive k8s k8s-names /bin/true
EDIT=$names_only derive k8s sleep-k8s-names sleep 100000
derive k8s check /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr "\t\n" "  "
	echo "mounts $(grep -c . /proc/self/mounts), read-only $(grep -c " ro[, ]" /proc/self/mounts);" \
		"mkfifo: $(mkfifo /tmp/f 2>&1 || true)"'

{
	echo "--- k8s set"
	echo "nsrun: $nsrun ($(stat -c %s "$nsrun") bytes; $("$nsrun" --version | head -1))"
	echo "crun: $("$crun" --version | head -1)"
	echo "runc: $("$runc" --version | head -1)"
	echo "cgroup layout: $layout"
	echo "k8s parts: $parts; hyperfine $rounds x $runs (warm-up $warmup); abrun $ab_runs (warm-up $ab_warmup)"
	echo "work directory: $work (removed afterwards); container ids contain $tag"
	echo "nice: $(nice)${nice_:+ (NICE=$nice_)}"
} >>"$out/env.txt"

# --- checks: every runtime runs both bundles, and sees the same container -----------
: >"$out/k8s-check.txt"
for rt in "${rts[@]}"; do
	for b in plain k8s; do
		in_layout "$layout" $(rt_cmd "$rt") run -b "$work/$b" "${tag}c$rt$b" ||
			die "$rt run of the $b bundle failed"
	done
	printf '%s: %s\n' "$rt" "$(in_layout "$layout" $(rt_cmd "$rt") run -b "$work/check" "${tag}c$rt")" \
		>>"$out/k8s-check.txt" || die "$rt run of the k8s check bundle failed"
done
cat "$out/k8s-check.txt" >&2

busy_note() {
	local load
	busy_before "$1"
	echo "busy before $1: ${load}% of CPU time" >>"$out/env.txt"
}
# measure NAME "label|command"...: hyperfine rounds and abrun, in the layout.
measure() {
	local name=$1 c ab=()
	shift
	busy_note "$name"
	hyperfine_rounds "$rounds" "$runs" "$warmup" "k8s $name" "$out/k8s-$name" \
		in_layout "$layout" -- "$@"
	if ((ab_runs > 0)); then
		for c in "$@"; do ab+=(${ab:+:::} ${c#*|}); done
		say "k8s $name: abrun, $ab_runs interleaved rounds"
		in_layout "$layout" "$abrun" -n "$ab_runs" -w "$ab_warmup" "${ab[@]}" >"$out/k8s-abrun-$name.txt"
		for c in "$@"; do echo "${c%%|*}"; done >"$out/k8s-abrun-$name.names"
	fi
}

# --- part 1: run ----------------------------------------------------------------------
if part run; then
	cmds=()
	for b in plain k8s; do
		for rt in "${rts[@]}"; do
			cmds+=("$rt run $b|$(rt_cmd "$rt") run -b $work/$b ${tag}r$rt$b")
		done
	done
	cmds+=("/bin/true|/bin/true")
	measure run "${cmds[@]}"
fi

# --- part 2: exec -----------------------------------------------------------------------
if part exec; then
	for rt in "${rts[@]}"; do
		for b in plain k8s; do
			in_layout "$layout" $(rt_cmd "$rt") run -d -b "$work/sleep-$b" "${tag}x$rt$b" \
				</dev/null >/dev/null 2>&1 || die "$rt run -d of sleep-$b failed"
			in_layout "$layout" $(rt_cmd "$rt") exec "${tag}x$rt$b" /bin/true ||
				die "$rt exec into sleep-$b failed"
		done
	done
	cmds=()
	for b in plain k8s; do
		for rt in "${rts[@]}"; do
			cmds+=("$rt exec $b|$(rt_cmd "$rt") exec ${tag}x$rt$b /bin/true")
		done
	done
	cmds+=("/bin/true|/bin/true")
	measure exec "${cmds[@]}"
	for rt in "${rts[@]}"; do
		for b in plain k8s; do
			in_layout "$layout" $(rt_cmd "$rt") delete --force "${tag}x$rt$b" >/dev/null
		done
	done
fi
# --- part 3: steps ---------------------------------------------------------------------
# abrun only: paired differences are what this part is for.
if part steps; then
	steps=(plain k8s-mounts k8s-names k8s)
	srts=(nsrun crun)
	for rt in "${srts[@]}"; do
		for b in "${steps[@]}"; do
			in_layout "$layout" $(rt_cmd "$rt") run -b "$work/$b" "${tag}s$rt$b" ||
				die "$rt run of $b failed"
			in_layout "$layout" $(rt_cmd "$rt") run -d -b "$work/sleep-$b" "${tag}y$rt$b" \
				</dev/null >/dev/null 2>&1 || die "$rt run -d of sleep-$b failed"
		done
	done
	for verb in run exec; do
		cmds=()
		for rt in "${srts[@]}"; do
			for b in "${steps[@]}"; do
				if [[ $verb == run ]]; then
					cmds+=("$rt run $b|$(rt_cmd "$rt") run -b $work/$b ${tag}s$rt$b")
				else
					cmds+=("$rt exec $b|$(rt_cmd "$rt") exec ${tag}y$rt$b /bin/true")
				fi
			done
		done
		ab=()
		for c in "${cmds[@]}"; do ab+=(${ab:+:::} ${c#*|}); done
		busy_note "steps $verb"
		say "k8s steps $verb: abrun, $ab_runs interleaved rounds"
		in_layout "$layout" "$abrun" -n "$ab_runs" -w "$ab_warmup" "${ab[@]}" >"$out/k8s-steps-$verb.txt"
		for c in "${cmds[@]}"; do echo "${c%%|*}"; done >"$out/k8s-steps-$verb.names"
	done
	for rt in "${srts[@]}"; do
		for b in "${steps[@]}"; do
			in_layout "$layout" $(rt_cmd "$rt") delete --force "${tag}y$rt$b" >/dev/null
		done
	done
fi

n_state=$(find "$work/state" -mindepth 2 -maxdepth 2 | wc -l)
echo "k8s leftovers: $n_state state directories" >>"$out/env.txt"
((n_state == 0)) || say "warning: $n_state state directories left"

# --- summary --------------------------------------------------------------------------
python3 - "$out" "$parts" "$nice_" <<'PY' >"$out/k8s.md"
import glob, json, os, statistics as st, sys

out, parts, nice = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
targets = {"run": 0.45, "exec": 0.5}
print("### k8s")
print()
if nice:
    print(f"Run at nice {nice} (NICE={nice}).")
    print()
for part in ("run", "exec"):
    if part not in parts:
        continue
    times, rounds = {}, {}
    paths = sorted(glob.glob(f"{out}/k8s-{part}-round*.json"))
    for path in paths:
        for r in json.load(open(path))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
            rounds.setdefault(r["command"], []).append(r["median"])
    ab, ab_n = {}, "no"
    abpath = f"{out}/k8s-abrun-{part}.txt"
    if os.path.exists(abpath):
        names = open(f"{out}/k8s-abrun-{part}.names").read().splitlines()
        lines = open(abpath).read().splitlines()
        ab_n = lines[0].split()[0]
        rows = [l.split() for l in lines[2:]]
        for name, row in zip(names, rows):
            ab[name] = (float(row[0]) / 1e3, float(row[4]) / 1e3)
    order = list(times)
    med = {k: st.median(times[k]) * 1e3 for k in order}
    print(f"#### `{part}`" + (" of /bin/true into a running container" if part == "exec" else ""))
    print()
    print(f"hyperfine: {len(times[order[0]])} runs per command, pooled over {len(paths)} rounds. "
          f"abrun: {ab_n} interleaved rounds; its median, and the median of the paired "
          f"differences from the first line.")
    print()
    print("| command | median ms | mean ± σ ms | min ms | round medians ms | abrun median ms | abrun paired ms |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for k in order:
        t = [x * 1e3 for x in times[k]]
        a = ab.get(k)
        print(f"| {k} | {med[k]:.2f} | {st.mean(t):.2f} ± {st.stdev(t):.2f} | {min(t):.2f} "
              f"| {' / '.join(f'{m * 1e3:.2f}' for m in rounds[k])} "
              f"| {f'{a[0]:.2f}' if a else ''} | {f'{a[1]:+.2f}' if a else ''} |")
    print()
    print("| ratio of medians | hyperfine | abrun | target | met (hyperfine / abrun) |")
    print("|---|---:|---:|---|---|")
    for b in ("plain", "k8s"):
        for other, limit in (("crun", targets[part]), ("runc", None)):
            x, y = f"nsrun {part} {b}", f"{other} {part} {b}"
            if x not in med or y not in med:
                continue
            v = med[x] / med[y]
            w = ab[x][0] / ab[y][0] if x in ab and y in ab else None
            tgt = f"≤ {limit:.2f}" if limit else ""
            met = ""
            if limit:
                met = ("yes" if v <= limit else "no") + (" / " + ("yes" if w <= limit else "no") if w else "")
            print(f"| {x} / {y} | {v:.2f} | {f'{w:.2f}' if w else ''} | {tgt} | {met} |")
    for rt in ("nsrun", "crun", "runc"):
        x, y = f"{rt} {part} k8s", f"{rt} {part} plain"
        if x in med and y in med:
            print(f"| {x} / {y} | {med[x] / med[y]:.2f} | "
                  f"{f'{ab[x][0] / ab[y][0]:.2f}' if x in ab and y in ab else ''} | | |")
    print()
PY
if part steps; then
	python3 - "$out" <<'PY' >>"$out/k8s.md"
import sys
out = sys.argv[1]
what = {"plain": "the plain bundle", "k8s-mounts": "+ the k8s mounts, paths, root and env (no filter)",
        "k8s-names": "+ the filter by name only (121 names, no argument rules)",
        "k8s": "+ its 207 argument rules: the k8s bundle"}
for verb in ("run", "exec"):
    lines = open(f"{out}/k8s-steps-{verb}.txt").read().splitlines()
    names = open(f"{out}/k8s-steps-{verb}.names").read().splitlines()
    rows = {n: (float(r.split()[0]) / 1e3, float(r.split()[4]) / 1e3) for n, r in zip(names, lines[2:])}
    print(f"#### steps, `{verb}` ({lines[0].split()[0]} interleaved abrun rounds)")
    print()
    print("| bundle | nsrun median ms | nsrun paired ms | step ms | crun median ms | crun paired ms | step ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    prev = {}
    for b in ("plain", "k8s-mounts", "k8s-names", "k8s"):
        cells = []
        for rt in ("nsrun", "crun"):
            m, d = rows[f"{rt} {verb} {b}"]
            step = f"{d - prev[rt]:+.2f}" if rt in prev else ""
            prev[rt] = d
            cells += [f"{m:.2f}", f"{d:+.2f}", step]
        print(f"| {what[b]} | " + " | ".join(cells) + " |")
    print()
    print("Paired: the median of the differences from `nsrun " + verb + " plain` in the same round; "
          "a step is the difference of two paired medians.")
    print()
PY
fi
cat "$out/k8s.md"
say "k8s results: $out (k8s.md, k8s-*.json, k8s-abrun-*.txt, k8s-check.txt, env.txt)"
