#!/usr/bin/env bash
# nsrun start-up benchmark, with hyperfine -N. Four sets of commands:
#
#   startup  nsrun against util-linux unshare(1) and a minimal launcher
#            (bench/floor.c), staged (-p) and in place
#   sandbox  nsrun's sandbox options against bubblewrap (a busybox root and
#            the --sandbox preset), gosu (--as) and unshare + tini (--init)
#   oci      nsrun as an OCI runtime against crun and runc: `run`, batches of
#            100 containers, peak RSS, and podman with each (bench/oci.sh,
#            which has knobs of its own)
#   k8s      nsrun, crun and runc on a Kubernetes-shaped bundle: `run` of it
#            and of the plain one, and `exec` into a running container of
#            each (bench/k8s.sh, which has knobs of its own)
#
#   bash bench/run.sh                 # all four sets
#   SET=sandbox bash bench/run.sh     # one of them
#
# Environment (all optional):
#   SET=all                      startup, sandbox, oci, k8s or all
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
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rounds=${ROUNDS:-3}
runs=${RUNS:-200}
warmup=${WARMUP:-20}
rev=${REV:-}
set_=${SET:-all}
build=${BUILD_DIR:-$root/build-bench}
out=${RESULTS_DIR:-$here/results/$(date +%Y%m%d-%H%M%S)}

case $set_ in
startup) sets=(startup) ;;
sandbox) sets=(sandbox) ;;
oci) sets=(oci) ;;
k8s) sets=(k8s) ;;
all) sets=(startup sandbox oci k8s) ;;
*) die "SET=$set_: expected startup, sandbox, oci, k8s or all" ;;
esac
want() { [[ " ${sets[*]} " == *" $1 "* ]]; }
# The oci and k8s sets run rootful containers: fail now rather than after
# the others.
if { want oci || want k8s; } && [[ $(id -u) -ne 0 ]]; then
	die "SET=$set_ includes the oci or k8s set, which need root"
fi
# The sets measured here; oci and k8s are bench/oci.sh's and bench/k8s.sh's,
# run after them.
hf_sets=()
for s in "${sets[@]}"; do [[ $s == oci || $s == k8s ]] || hf_sets+=("$s"); done

# Temporary directories (the REV export, the busybox root), removed on exit.
tmps=()
cleanup() { ((${#tmps[@]} == 0)) || rm -rf "${tmps[@]}"; }
trap cleanup EXIT

# --- tools ------------------------------------------------------------------
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v meson >/dev/null || need+=(meson)
command -v ninja >/dev/null || need+=(ninja-build)
command -v cc >/dev/null || need+=(gcc)
command -v python3 >/dev/null || need+=(python3)
command -v unshare >/dev/null || need+=(util-linux)
command -v pkg-config >/dev/null || need+=(pkg-config)
# Build dependencies of the tree being measured (libseccomp and jansson
# since 5e0a214).
meson_build=$(if [[ -n $rev ]]; then git -C "$root" show "$rev:meson.build"; else cat "$root/meson.build"; fi 2>/dev/null || true)
for dep in libseccomp:libseccomp-dev jansson:libjansson-dev; do
	if grep -q "dependency('${dep%%:*}'" <<<"$meson_build" &&
		! pkg-config --exists "${dep%%:*}" 2>/dev/null; then
		need+=("${dep#*:}")
	fi
done
if want sandbox; then
	command -v bwrap >/dev/null || need+=(bubblewrap)
	command -v gosu >/dev/null || need+=(gosu)
	[[ -x /bin/busybox ]] || need+=(busybox-static)
fi
if ((${#need[@]})) && [[ $(id -u) -ne 0 ]]; then
	die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
fi
apt_install "${need[@]}"
# tini is informative only: installed when possible, its line skipped if not.
if want sandbox && ! command -v tini >/dev/null && [[ $(id -u) -eq 0 ]]; then
	say "installing tini"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tini >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tini >/dev/null 2>&1; } ||
		say "warning: tini is not installable; the unshare + tini line is skipped"
fi
[[ $(id -u) -eq 0 ]] || say "warning: not root; the results in bench/README.md were taken as root"

# --- build ------------------------------------------------------------------
src=$root
if [[ -n $rev ]]; then
	rev=$(git -C "$root" rev-parse --verify "$rev^{commit}")
	tmp=$(mktemp -d /tmp/nsrun-bench.XXXXXX)
	tmps+=("$tmp")
	src=$tmp/src
	build=${BUILD_DIR:-$tmp/build}
	mkdir -p "$src"
	git -C "$root" archive "$rev" | tar -x -C "$src"
	say "measuring commit $rev"
fi
say "building nsrun (release) in $build"
# A build directory set up for another source (an earlier REV export, which
# is gone by now) is set up again for this one.
configured_src() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$build/meson-info/meson-info.json" 2>/dev/null
}
setup=()
if [[ ! -f $build/build.ninja ]]; then
	setup=(meson setup "$build" "$src" --buildtype=release)
elif [[ $(configured_src) != "$src" ]]; then
	setup=(meson setup --wipe "$build" "$src" --buildtype=release)
fi
if ((${#setup[@]})); then
	log=$(mktemp)
	"${setup[@]}" >"$log" 2>&1 ||
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
cmds_startup=(
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

# The sandbox set. bench/README.md says what each side does beyond the other.
# "matched" lines are nsrun doing what bwrap does as closely as nsrun's
# options allow: bwrap's --unshare-all makes no time namespace and binds the
# root read-only. BUSYBOX is a fresh root: busybox-static and its applets.
cmds_sandbox=()
if want sandbox; then
	bbroot=$(mktemp -d /tmp/nsrun-bench-rootfs.XXXXXX)
	tmps+=("$bbroot")
	# mktemp makes it 0700; a root other users can enter, as an image's is.
	chmod 755 "$bbroot"
	busybox_root "$bbroot" proc dev tmp
	"$bbroot/bin/busybox" true 2>/dev/null ||
		die "/bin/busybox does not run from $bbroot (is it busybox-static?)"
	bwrap=$(command -v bwrap)
	gosu=$(command -v gosu)
	bb=$bbroot
	cmds_sandbox=(
		"nsrun rootfs|$nsrun -a -r --rootfs $bb --proc /proc --dev /dev -- /bin/true"
		"nsrun rootfs ro|$nsrun -a -r --ro-bind $bb / --proc /proc --dev /dev -- /bin/true"
		"nsrun rootfs matched|$nsrun -r -UmpnuiC --ro-bind $bb / --proc /proc --dev /dev -- /bin/true"
		"bwrap rootfs|$bwrap --unshare-all --ro-bind $bb / --proc /proc --dev /dev /bin/true"
		"nsrun --sandbox|$nsrun --sandbox -- /bin/true"
		"nsrun sandbox matched|$nsrun -r -UmpnuiC --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --hostname nsrun -- /bin/true"
		"bwrap sandbox|$bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --hostname nsrun /bin/true"
		"nsrun --as|$nsrun --as nobody -- /bin/true"
		"gosu|$gosu nobody /bin/true"
		"nsrun --init|$nsrun -Urp --init -- /bin/true"
	)
	if tini=$(command -v tini); then
		cmds_sandbox+=("unshare + tini|$unshare -Urpf $tini -s -- /bin/true")
	fi
	cmds_sandbox+=("/bin/true|/bin/true")
fi
cached_alike "$nsrun" "$unshare" ${bwrap:+"$bwrap"}

for s in "${hf_sets[@]}"; do
	declare -n cs="cmds_$s"
	for c in "${cs[@]}"; do
		cmd=${c#*|}
		# Fail early, with the command's own message, rather than in hyperfine.
		$cmd || die "'$cmd' failed (exit $?)"
	done
	unset -n cs
done

busy_before "the run"

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
	if want sandbox; then
		echo "bwrap: $("$bwrap" --version)"
		echo "gosu: $("$gosu" --version)"
		echo "tini: $(if [[ -n ${tini:-} ]]; then "$tini" --version; else echo "not installed (line skipped)"; fi)"
		echo "busybox: $(/bin/busybox 2>&1 | head -1) ($(stat -c %s /bin/busybox) bytes)"
		echo "busybox root: $bbroot (removed after the run)"
	fi
	echo "cc: $(cc --version | head -1)"
	echo "nsrun: $(stat -c %s "$nsrun") bytes"
	echo "busy before the run: ${load}% of CPU time"
	echo "sets: ${sets[*]}"
	echo "rounds: $rounds x $runs runs, warm-up $warmup"
	echo "command: ${REV:+REV=$REV }SET=$set_ ROUNDS=$rounds RUNS=$runs WARMUP=$warmup bash bench/run.sh"
} >"$out/env.txt"

# --- measure ------------------------------------------------------------------
# One hyperfine invocation per round and set (hyperfine_rounds, lib.sh).
# CPU time of the whole machine (/proc/stat, all CPUs, not idle) and of this
# script's children (bash's `times`), in clock ticks: the difference over a
# set is what ran besides the benchmarked processes. It includes the kernel
# workers that tear the namespaces down, so it is never zero; a run with
# other work on the machine shows it as a larger share.
stat_busy() {
	local a
	read -ra a < <(grep '^cpu ' /proc/stat)
	echo $((a[1] + a[2] + a[3] + a[6] + a[7] + a[8]))
}
own_ticks() { # sets own: CPU ticks of this script's waited-for children
	local t u s
	times >"$out/.times" # in this shell: a subshell has children of its own
	t=$(tail -1 "$out/.times") # "XmY.YYYs XmY.YYYs": user and system
	rm -f "$out/.times"
	u=${t%% *} s=${t##* }
	own=$(python3 -c 'import re, sys
def sec(x):
    m, s = re.match(r"(\d+)m([\d.]+)s", x).groups()
    return int(m) * 60 + float(s)
print(round((sec(sys.argv[1]) + sec(sys.argv[2])) * int(sys.argv[3])))' "$u" "$s" "$(getconf CLK_TCK)")
}
for s in "${hf_sets[@]}"; do
	declare -n cs="cmds_$s"
	own_ticks
	busy0=$(stat_busy) own0=$own t0=$SECONDS
	hyperfine_rounds "$rounds" "$runs" "$warmup" "$s" "$out/$s" -- "${cs[@]}"
	own_ticks
	busy1=$(stat_busy) own1=$own
	hz=$(getconf CLK_TCK)
	others=$((busy1 - busy0 - (own1 - own0)))
	msg="$s: $((SECONDS - t0)) s; CPU time besides the benchmarked commands: $((others * 1000 / hz)) ms of $(((busy1 - busy0) * 1000 / hz)) ms busy"
	say "$msg"
	echo "$msg" >>"$out/env.txt"
	unset -n cs
done

# --- summary ----------------------------------------------------------------
for s in "${hf_sets[@]}"; do
	python3 - "$s" "$out/$s"-round*.json <<'PY'
import json, statistics as st, sys

which, paths = sys.argv[1], sys.argv[2:]
times, rounds = {}, {}
for path in paths:
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
        rounds.setdefault(r["command"], []).append(r["median"])
order = {
    "startup": ["nsrun staged", "unshare staged", "floor staged", "floor staged +proc",
                "floor staged +proc +lo", "nsrun in place", "unshare in place",
                "floor in place", "floor in place +lo", "/bin/true"],
    "sandbox": ["nsrun rootfs", "nsrun rootfs ro", "nsrun rootfs matched", "bwrap rootfs",
                "nsrun --sandbox", "nsrun sandbox matched", "bwrap sandbox",
                "nsrun --as", "gosu", "nsrun --init", "unshare + tini", "/bin/true"],
}[which]
order = [k for k in order if k in times]  # tini may be missing
ms = lambda s: s * 1e3
med = {k: ms(st.median(times[k])) for k in order}
base = med["/bin/true"]

print(f"### {which}")
print()
print(f"{len(times[order[0]])} runs per command, pooled over {len(paths)} rounds.")
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

def ratio(a, b, limit=None, strict=False, at_least=False):
    if a not in med or b not in med:
        return
    v = med[a] / med[b]
    target = met = ""
    if limit is not None:
        if at_least:
            target, ok = f"≥ {limit:.2f}", v >= limit
        elif strict:
            target, ok = f"< {limit:.2f}", v < limit
        else:
            target, ok = f"≤ {limit:.2f}", v <= limit
        met = "yes" if ok else "no"
    print(f"| {a} / {b} | {v:.2f} | {target} | {met} |")

if which == "startup":
    ratio("nsrun staged", "floor staged", 1.2)
    ratio("nsrun staged", "floor staged +proc", 1.2)
    ratio("nsrun staged", "floor staged +proc +lo", 1.2)
    ratio("nsrun staged", "unshare staged", 1.0, strict=True)
    ratio("nsrun in place", "floor in place", 1.2)
    ratio("nsrun in place", "floor in place +lo", 1.2)
    ratio("nsrun in place", "unshare in place", 1.0, strict=True)
else:
    # bwrap / nsrun: how many times faster nsrun is (the issue: at least 1.5).
    ratio("bwrap rootfs", "nsrun rootfs", 1.5, at_least=True)
    ratio("bwrap rootfs", "nsrun rootfs ro", 1.5, at_least=True)
    ratio("bwrap rootfs", "nsrun rootfs matched", 1.5, at_least=True)
    ratio("bwrap sandbox", "nsrun --sandbox", 1.5, at_least=True)
    ratio("bwrap sandbox", "nsrun sandbox matched", 1.5, at_least=True)
    ratio("nsrun --as", "gosu", 1.0)
    ratio("nsrun --init", "unshare + tini")
print()
PY
done >"$out/summary.md"

# The oci set: bench/oci.sh, on the nsrun built above, into the same
# directory (its progress on stderr; its tables end up in summary.md).
if want oci; then
	NSRUN=$nsrun RESULTS_DIR=$out ROUNDS=$rounds RUNS=$runs WARMUP=$warmup \
		bash "$here/oci.sh" >/dev/null
	cat "$out/oci.md" >>"$out/summary.md"
fi
# The k8s set: bench/k8s.sh, likewise.
if want k8s; then
	NSRUN=$nsrun RESULTS_DIR=$out ROUNDS=$rounds RUNS=$runs WARMUP=$warmup \
		bash "$here/k8s.sh" >/dev/null
	cat "$out/k8s.md" >>"$out/summary.md"
fi

cat "$out/summary.md"
say "results: $out (summary.md, <set>-round*.{json,md,txt}, oci*, env.txt)"
