# Shell functions the bench scripts share; sourced, not run:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sets here (this directory, bench/) and root (the repository).
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

say() { printf '== %s\n' "$*" >&2; }
# Messages name the script that was run, as each script's own did.
die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# apt_install PACKAGE...: install the packages, if any are given.
apt_install() {
	(($#)) || return 0
	say "installing $*"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Other work on the machine shows up directly in the numbers.
busy() { # percent of all CPU time not idle over one second
	local a b total=0 i
	read -ra a < <(grep '^cpu ' /proc/stat)
	sleep 1
	read -ra b < <(grep '^cpu ' /proc/stat)
	for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
	local idle=$((b[4] - a[4] + b[5] - a[5]))
	echo $(((100 * (total - idle)) / (total > 0 ? total : 1)))
}

# busy_before WHAT: sets load to busy's figure, with a warning at 10% or more.
busy_before() {
	load=$(busy)
	((load < 10)) || say "warning: the machine was ${load}% busy before $1; expect noise"
}

# busybox_root DIR [SUBDIR...]: a root with no libc in DIR: bin/busybox, a
# copy of the static /bin/busybox, a relative link bin/APPLET -> busybox for
# every applet it lists, and the empty directories SUBDIR to mount on.
busybox_root() {
	local dir=$1 d applet
	shift
	for d in bin "$@"; do mkdir -p "$dir/$d"; done
	cp /bin/busybox "$dir/bin/busybox"
	# Without a libc in the root, the binary must need no program interpreter.
	if LC_ALL=C readelf -l "$dir/bin/busybox" | grep -q 'program interpreter'; then
		die "/bin/busybox is linked dynamically: install busybox-static"
	fi
	for applet in $("$dir/bin/busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$dir/bin/$applet"
	done
}

# plain_config BUNDLE: BUNDLE/config.json from `crun spec`, running /bin/true
# without a terminal. crun spec puts CAP_AUDIT_WRITE, CAP_KILL and
# CAP_NET_BIND_SERVICE in the ambient set but leaves the inheritable set
# empty; the kernel refuses to raise an ambient capability that is not
# inheritable. crun and runc go on without them; nsrun up to 2b7edf3 failed
# the container ("raise ambient CAP_KILL: Operation not permitted"), and
# skips them since 194aafe. So the inheritable set gets the ambient
# capabilities, for all three runtimes and every commit measured (they all
# raise the three then). crun spec's own file stays as config.json.crun-spec,
# and the config without the inheritable change as config.json.pristine.
plain_config() {
	local bundle=$1
	(cd "$bundle" && crun spec)
	cp "$bundle/config.json" "$bundle/config.json.crun-spec"
	python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(path + ".pristine", "w"), indent=2)
caps = c["process"]["capabilities"]
caps["inheritable"] = sorted(set(caps.get("inheritable", [])) | set(caps.get("ambient", [])))
json.dump(c, open(path, "w"), indent=2)
PY
}

# rerun_niced GUARD ARG...: with NICE set, run the calling script again
# under nice -n NICE, once (GUARD names the variable that marks the rerun).
rerun_niced() {
	local guard=$1
	shift
	[[ -n ${NICE:-} && -z ${!guard:-} ]] || return 0
	export "$guard=1"
	exec nice -n "$NICE" bash "${BASH_SOURCE[-1]}" "$@"
}

# hyperfine_rounds ROUNDS RUNS WARMUP LABEL PREFIX [WRAPPER...] -- NAME|COMMAND...:
# ROUNDS hyperfine -N invocations (no shell: COMMAND is split on white
# space), RUNS runs of each command after WARMUP warm-up runs, exported to
# PREFIX-roundN.json, .md and .txt. The command order rotates from round to
# round, so that slow drift (network namespaces are torn down asynchronously
# by a kernel worker) spreads over all the commands instead of landing on
# whichever runs last. WRAPPER, if given, runs hyperfine (in_layout v1).
hyperfine_rounds() {
	local rounds=$1 runs=$2 warmup=$3 label=$4 prefix=$5 wrap=()
	shift 5
	while [[ $1 != -- ]]; do
		wrap+=("$1")
		shift
	done
	shift
	local cmds=("$@") n=$# r i c args
	for ((r = 0; r < rounds; r++)); do
		args=()
		for ((i = 0; i < n; i++)); do
			c=${cmds[$(((i + r * n / rounds) % n))]}
			args+=(--command-name "${c%%|*}" "${c#*|}")
		done
		say "$label, round $((r + 1))/$rounds: $n commands x $runs runs (warm-up $warmup)"
		"${wrap[@]}" hyperfine -N --style basic --warmup "$warmup" --runs "$runs" \
			--export-json "$prefix-round$((r + 1)).json" \
			--export-markdown "$prefix-round$((r + 1)).md" \
			"${args[@]}" >"$prefix-round$((r + 1)).txt"
	done
}

# reexec_variants WORK V...: builds variant V of bench/reexec-variants.patch
# in WORK/bV (release, nsrun only) for each V, from an export of REV to
# WORK/tree; sets rev. The variants take apart the design before f54b57b,
# where every staged start re-executed nsrun: the patch applies to that code
# only, so the tree measured is a commit of then (REV, 6007cc4 unless given).
reexec_variants() {
	local work=$1 v
	shift
	rev=$(git -C "$root" rev-parse --verify "${REV:-6007cc4}^{commit}")
	say "exporting commit $rev to $work/tree and applying reexec-variants.patch"
	mkdir -p "$work/tree"
	git -C "$root" archive "$rev" | tar -x -C "$work/tree"
	patch -s -d "$work/tree" -p1 <"$here/reexec-variants.patch"
	for v; do
		say "building variant $v"
		if ! { meson setup "$work/b$v" "$work/tree" --buildtype=release \
			-Dc_args=-DNSRUN_BENCH_VARIANT="$v" && ninja -C "$work/b$v" nsrun; } >"$work/build.log" 2>&1; then
			tail -20 "$work/build.log" >&2
			die "building variant $v failed"
		fi
	done
}

# exec_shim WORK: builds bench/exec-shim.c into WORK/exec-shim and exports
# NSRUN_BENCH_SHIM, where variant 4 looks for it.
exec_shim() {
	cc -O2 -Wall -Wextra -Werror -static -nostdlib -fno-stack-protector \
		-o "$1/exec-shim" "$here/exec-shim.c"
	export NSRUN_BENCH_SHIM=$1/exec-shim
}

# cached_alike PROGRAM...: drop the programs from the page cache, so that
# each is read back from disk at its first run, as after a reboot: a file
# the linker or cp just wrote is cached otherwise, and a program cached in
# large folios starts up to 0.3 ms faster here (uncache.py).
cached_alike() {
	python3 "$here/uncache.py" "$@"
}

# in_layout LAYOUT COMMAND...: COMMAND in that cgroup layout: "v1" is a
# private mount namespace without /sys/fs/cgroup/unified (there crun 1.8,
# which refuses hybrid hosts, works), any other the host as it is.
in_layout() {
	local l=$1
	shift
	if [[ $l == v1 ]]; then
		unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# The cgroup layouts to measure the runtimes in, into layouts: v1 and
# hybrid on a hybrid host (cgroup2 on /sys/fs/cgroup/unified), else host.
# shellcheck disable=SC2034 # layouts is for the caller
cgroup_layouts() {
	if [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
		layouts=(v1 hybrid)
	else
		layouts=(host)
	fi
}

# prebuilt_nsrun HINT: checks that this runs as root (the runtimes run
# rootful containers) and that nsrun is an executable, then makes nsrun an
# absolute path. HINT says how to get one.
prebuilt_nsrun() {
	[[ $(id -u) -eq 0 ]] || die "run it as root: the runtimes run rootful containers"
	[[ -x $nsrun ]] || die "no nsrun at $nsrun: $1"
	nsrun=$(readlink -f "$nsrun")
}
