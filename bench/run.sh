#!/usr/bin/env bash
# nsrun start-up benchmark: nsrun against util-linux unshare(1) and a minimal
# launcher (bench/floor.c), staged (-p) and in place, with hyperfine -N.
#
#   bash bench/run.sh
#
# Environment (all optional):
#   ROUNDS=3 RUNS=200 WARMUP=20  hyperfine invocations (the order of the
#                                commands rotates each time), runs and warm-up
#                                runs per command in each; the summary pools
#                                the runs of all rounds
#   REV=<commit>                 measure that commit (git archive into a
#                                temporary directory, built there) instead of
#                                the working tree
#   BUILD_DIR=<repo>/build-bench meson build directory (release) for nsrun;
#                                floor is built into BUILD_DIR/bench/floor
#   RESULTS_DIR=<repo>/bench/results/<date>-<time>
#                                where the results go (bench/results/ is
#                                ignored by git)
#
# Meant to run as root (it installs missing tools with apt-get). As another
# user it needs unprivileged user namespaces and the tools already installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
rounds=${ROUNDS:-3}
runs=${RUNS:-200}
warmup=${WARMUP:-20}
rev=${REV:-}
build=${BUILD_DIR:-$root/build-bench}
out=${RESULTS_DIR:-$here/results/$(date +%Y%m%d-%H%M%S)}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v meson >/dev/null || need+=(meson)
command -v ninja >/dev/null || need+=(ninja-build)
command -v cc >/dev/null || need+=(gcc)
command -v python3 >/dev/null || need+=(python3)
command -v unshare >/dev/null || need+=(util-linux)
if ((${#need[@]})); then
	[[ $(id -u) -eq 0 ]] || die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
	say "installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[[ $(id -u) -eq 0 ]] || say "warning: not root; the results in bench/README.md were taken as root"

# --- build ------------------------------------------------------------------
src=$root
if [[ -n $rev ]]; then
	rev=$(git -C "$root" rev-parse --verify "$rev^{commit}")
	tmp=$(mktemp -d /tmp/nsrun-bench.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	src=$tmp/src
	build=${BUILD_DIR:-$tmp/build}
	mkdir -p "$src"
	git -C "$root" archive "$rev" | tar -x -C "$src"
	say "measuring commit $rev"
fi
say "building nsrun (release) in $build"
if [[ ! -f $build/build.ninja ]]; then
	log=$(mktemp)
	meson setup "$build" "$src" --buildtype=release >"$log" 2>&1 ||
		{ cat "$log" >&2; rm -f "$log"; die "meson setup failed"; }
	rm -f "$log"
fi
ninja -C "$build" nsrun >/dev/null || die "building nsrun failed"
nsrun=$build/nsrun
mkdir -p "$build/bench"
floor=$build/bench/floor
say "building floor into $floor"
cc -O2 -Wall -Wextra -Werror -o "$floor" "$here/floor.c"
unshare=$(command -v unshare)

# --- commands -----------------------------------------------------------------
# "name|command"; hyperfine -N splits the command on white space (no shell).
# floor as the issue defines it does only clone/unshare + maps + exec; the
# "+proc", "+lo" variants also do what nsrun does on top for these options
# (--mount-proc mounts proc; -n brings lo up), so they do the same work.
cmds=(
	"nsrun staged|$nsrun -Urpmuin --mount-proc -- /bin/true"
	"unshare staged|$unshare -Urpmuinf --mount-proc /bin/true"
	"floor staged|$floor -Upmnui /bin/true"
	"floor staged +proc|$floor -UpmnuiP /bin/true"
	"floor staged +proc +lo|$floor -UpmnuiPL /bin/true"
	"nsrun in place|$nsrun -Urmuin -- /bin/true"
	"unshare in place|$unshare -Urmuin /bin/true"
	"floor in place|$floor -I -Umnui /bin/true"
	"floor in place +lo|$floor -I -UmnuiL /bin/true"
	"/bin/true|/bin/true"
)
for c in "${cmds[@]}"; do
	cmd=${c#*|}
	# Fail early, with the command's own message, rather than in hyperfine.
	$cmd || die "'$cmd' failed (exit $?)"
done

# Other work on the machine shows up directly in these numbers.
busy() { # percent of all CPU time not idle over one second
	local a b
	read -ra a < <(grep '^cpu ' /proc/stat)
	sleep 1
	read -ra b < <(grep '^cpu ' /proc/stat)
	local total=0 i
	for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
	local idle=$((b[4] - a[4] + b[5] - a[5]))
	echo $(((100 * (total - idle)) / (total > 0 ? total : 1)))
}
load=$(busy)
((load < 10)) || say "warning: the machine was ${load}% busy before the run; expect noise"

mkdir -p "$out"
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	if [[ -n $rev ]]; then
		echo "git: $rev (REV)"
	else
		echo "git: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown) (working tree)"
	fi
	echo "kernel: $(uname -r)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
	echo "user: $(id -un) (uid $(id -u))"
	echo "hyperfine: $(hyperfine --version)"
	echo "unshare: $("$unshare" --version)"
	echo "cc: $(cc --version | head -1)"
	echo "nsrun: $(stat -c %s "$nsrun") bytes"
	echo "busy before the run: ${load}% of CPU time"
	echo "rounds: $rounds x $runs runs, warm-up $warmup"
	echo "command: ${REV:+REV=$REV }ROUNDS=$rounds RUNS=$runs WARMUP=$warmup bash bench/run.sh"
} >"$out/env.txt"

# --- measure ------------------------------------------------------------------
# One hyperfine invocation per round; the command order rotates from round to
# round, so slow drift (a 2-core VM here, and network namespaces are torn down
# asynchronously by a kernel worker) spreads over all the commands instead of
# landing on whichever runs last.
n=${#cmds[@]}
for ((r = 0; r < rounds; r++)); do
	shift_by=$((r * n / rounds))
	args=()
	for ((i = 0; i < n; i++)); do
		c=${cmds[$(((i + shift_by) % n))]}
		args+=(--command-name "${c%%|*}" "${c#*|}")
	done
	say "round $((r + 1))/$rounds: $n commands x $runs runs (warm-up $warmup)"
	hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
		--export-json "$out/round$((r + 1)).json" \
		--export-markdown "$out/round$((r + 1)).md" \
		"${args[@]}" >"$out/round$((r + 1)).txt"
done

# --- summary ----------------------------------------------------------------
python3 - "$out"/round*.json >"$out/summary.md" <<'PY'
import json, statistics as st, sys

times, rounds = {}, {}
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
        rounds.setdefault(r["command"], []).append(r["median"])
order = ["nsrun staged", "unshare staged", "floor staged", "floor staged +proc",
         "floor staged +proc +lo", "nsrun in place", "unshare in place",
         "floor in place", "floor in place +lo", "/bin/true"]
ms = lambda s: s * 1e3
med = {k: ms(st.median(times[k])) for k in order}
base = med["/bin/true"]

print(f"{len(times[order[0]])} runs per command, pooled over {len(sys.argv) - 1} rounds.")
print()
print("| command | median ms | mean ± σ ms | min ms | median − /bin/true ms | round medians ms |")
print("|---|---:|---:|---:|---:|---|")
for k in order:
    t = times[k]
    print(f"| {k} | {med[k]:.2f} | {ms(st.mean(t)):.2f} ± {ms(st.stdev(t)):.2f} "
          f"| {ms(min(t)):.2f} | {med[k] - base:+.2f} "
          f"| {' / '.join(f'{ms(m):.2f}' for m in rounds[k])} |")
print()
print("| ratio of medians | value | target | met |")
print("|---|---:|---|---|")

def ratio(a, b, limit=None, strict=False):
    v = med[a] / med[b]
    target = met = ""
    if limit is not None:
        target = f"{'<' if strict else '≤'} {limit:.2f}"
        met = "yes" if (v < limit if strict else v <= limit) else "no"
    print(f"| {a} / {b} | {v:.2f} | {target} | {met} |")

ratio("nsrun staged", "floor staged", 1.2)
ratio("nsrun staged", "floor staged +proc", 1.2)
ratio("nsrun staged", "floor staged +proc +lo", 1.2)
ratio("nsrun staged", "unshare staged", 1.0, strict=True)
ratio("nsrun in place", "floor in place", 1.2)
ratio("nsrun in place", "floor in place +lo", 1.2)
ratio("nsrun in place", "unshare in place", 1.0, strict=True)
PY

cat "$out/summary.md"
say "results: $out (summary.md, round*.{json,md,txt}, env.txt)"
