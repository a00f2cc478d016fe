#!/usr/bin/env bash
# Run the OCI runtime-tools validation suite, at the commit pinned below,
# against one or more OCI runtimes and print one TAP line per validation test:
#
#   ok - validation/NAME          every sub-test passed (sub-test skips allowed)
#   not ok - validation/NAME      a sub-test failed, or the test crashed or timed out
#
# With several runtimes each line ends with " (RUNTIME)", and a table of every
# test against every runtime follows as "#" lines: pass, fail, skip (every
# sub-test skipped), xfail (failed only as EXPECTED_FAIL says it must here),
# xpass (passed although listed there). The failing sub-test lines,
# their YAML diagnostics and the test's stderr go to stderr. Tests that cannot
# pass on this host are listed below in EXPECTED_FAIL, each with the probe
# that checks it; they print "ok ... # SKIP expected to fail here: reason",
# or, where only some sub-tests are excused and the rest pass,
# "ok ... # N sub-test(s) expected to fail here: reason".
#
#   tests/validation/run.sh RUNTIME...
#
# RUNTIME is the path of a runc-compatible binary (or a wrapper such as
# tests/validation/crun-v1), optionally as NAME=PATH to name its column:
#
#   tests/validation/run.sh build/nsrun
#   tests/validation/run.sh nsrun=build/nsrun crun=tests/validation/crun-v1 runc=/usr/sbin/runc
#
# Environment:
#   RUNTIME_TOOLS_SRC        a runtime-tools source tree to use as it is
#   RUNTIME_TOOLS_CACHE      where the pinned tree is kept, outside the
#                            repository (default /var/cache/nsrun/runtime-tools-0105384)
#   RUNTIME_TOOLS_GIT        a git repository (bare or not) of runtime-tools
#                            holding the pinned commit, to fill that cache from
#                            (default /var/cache/nsrun/runtime-tools.git)
#   NSRUN_VALIDATION_CACHE   build and run directory (default /var/tmp/nsrun-validation)
#   VALIDATION_TESTS         names to run (default: every validation/NAME)
#   VALIDATION_TIMEOUT       seconds per test (default 180)
#
# Must run as root: the suite mounts, makes device nodes, cgroups and namespaces.
# Exit status: 0 all passed (or the suite is skipped: "1..0 # SKIP reason"
# when no runtime-tools source can be found), 1 a test failed, 2 the suite
# could not be set up.
set -u

# The suite's commit: newer ones need Go 1.21, Debian 12 has 1.19.
RUNTIME_TOOLS_COMMIT=0105384f68e16803891d0a17d9067b1def6a2778
rt_short=${RUNTIME_TOOLS_COMMIT:0:7}

# What cannot pass on this host whatever the runtime does, one entry a line:
#   NAME|SUB-TEST|reason
# SUB-TEST is empty for the whole test, else an awk regular expression that
# the description of each excused "not ok" sub-test matches. Each entry
# applies only while "host_lacks NAME" succeeds.
EXPECTED_FAIL=(
	"linux_process_apparmor_profile||AppArmor is not enabled in this kernel"
	"linux_cgroups_hugetlb||no cgroup v1 hugetlb hierarchy under /sys/fs/cgroup"
	"linux_cgroups_relative_hugetlb||no cgroup v1 hugetlb hierarchy under /sys/fs/cgroup"
	"linux_cgroups_network||no cgroup v1 net_cls and net_prio hierarchies under /sys/fs/cgroup"
	"linux_cgroups_relative_network||no cgroup v1 net_cls and net_prio hierarchies under /sys/fs/cgroup"
	"linux_cgroups_blkio||the cgroup v1 blkio hierarchy has no blkio.weight (no weight-based I/O scheduler)"
	"linux_cgroups_relative_blkio||the cgroup v1 blkio hierarchy has no blkio.weight (no weight-based I/O scheduler)"
	"linux_cgroups_memory|^memory kernel is set correctly$|the kernel ignores memory.kmem.limit_in_bytes (it reads back unlimited)"
	"linux_cgroups_relative_memory|^memory kernel is set correctly$|the kernel ignores memory.kmem.limit_in_bytes (it reads back unlimited)"
	"process_capabilities||the capability bounding set here lacks a capability the kernel has, and the test asks for them all"
	# Failures of the suite itself at the pinned commit, whatever the
	# runtime (runc and crun fail them the same way):
	"hooks||the suite expects poststart and poststop output its own hooks do not write (\"post-start1\" without \"called\")"
	"prestart||the suite wants prestart hooks run at start; the runtime spec since 1.0 and runc and crun run them at create"
	"misc_props||the second container's bundle has no /runtimetest to run"
	"pidfile||the suite kills the container after its process (true) has exited and takes kill's error as a failure"
	"process_rlimits|^has expected soft RLIMIT_NOFILE$|runtimetest is a Go 1.19 program: the Go runtime raises its own soft RLIMIT_NOFILE to the hard limit"
	"start|^exit status|the suite asserts that start without process succeeds where it says it must fail"
)

# Tests that fail now and then on a busy machine, by a race of their own:
# run up to three times, and pass at the first pass.
#   NAME|why
RACY=(
	"killsig|the suite signals the container as soon as it is running and gives it 5 s to stop; its command (sh: a trap, sleep 10 in the background, wait) now and then runs on, with this nsrun and with 08c2c2c's, under load"
)

# The probe per expected failure: it succeeds while the host lacks what the
# test needs, so the list cannot hide a real failure on a host that has it;
# for the suite's own failures, while the tree is the pinned commit.
# The suite's cgroup code reads cgroup v1 files only (it finds the hierarchy
# root from the first "cgroup" line of /proc/self/mountinfo).
host_lacks() {
	case $1 in
	linux_process_apparmor_profile)
		[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ;;
	linux_cgroups_hugetlb | linux_cgroups_relative_hugetlb)
		! v1_has hugetlb hugetlb ;;
	linux_cgroups_network | linux_cgroups_relative_network)
		! v1_has net_cls net_cls.classid || ! v1_has net_prio net_prio.ifpriomap ;;
	linux_cgroups_blkio | linux_cgroups_relative_blkio)
		! v1_has blkio blkio.weight ;;
	linux_cgroups_memory | linux_cgroups_relative_memory)
		kmem_limit_ignored ;;
	process_capabilities)
		bounding_set_partial ;;
	hooks | prestart | misc_props | pidfile | process_rlimits | start)
		[ "$(cat "$src_dir/.commit" 2>/dev/null)" = "$RUNTIME_TOOLS_COMMIT" ] ;;
	*) return 1 ;;
	esac
}

# The kernel takes a write of memory.kmem.limit_in_bytes but does not apply
# it (Linux 5.16 on deprecated it; the file reads back "unlimited"): tried
# on a scratch cgroup, once per run.
kmem_probe=
kmem_limit_ignored() {
	local dir cg value
	if [ -z "$kmem_probe" ]; then
		kmem_probe=no
		dir=$(v1_dir memory)
		if [ -n "$dir" ] && [ -e "$dir/memory.kmem.limit_in_bytes" ]; then
			cg=$dir/nsrun-validation-probe.$$
			if mkdir "$cg" 2>/dev/null; then
				echo 50593792 >"$cg/memory.kmem.limit_in_bytes" 2>/dev/null
				value=$(cat "$cg/memory.kmem.limit_in_bytes" 2>/dev/null)
				[ "$value" != 50593792 ] && kmem_probe=yes
				rmdir "$cg"
			fi
		elif [ -n "$dir" ]; then
			kmem_probe=yes
		fi
	fi
	[ "$kmem_probe" = yes ]
}

# The test gives the container every capability up to CAP_CHECKPOINT_RESTORE
# (40) that the kernel knows; no runtime can raise one that is missing from
# its own bounding set (capset fails with EPERM).
bounding_set_partial() {
	local last bnd want
	last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null) || return 1
	[ "$last" -gt 40 ] && last=40
	bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	want=$(( (1 << (last + 1)) - 1 ))
	[ -n "$bnd" ] && [ $(( 0x$bnd & want )) -ne $want ]
}

# v1_dir CONTROLLER: where its cgroup v1 hierarchy is mounted, if it is.
v1_dir() {
	awk -v c="$1" '{
		for (s = 7; s <= NF && $s != "-"; s++) ;
		if ($(s + 1) != "cgroup" || $5 !~ "^/sys/fs/cgroup/") next
		n = split($(s + 3), o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' \
		/proc/self/mountinfo
}

# v1_has CONTROLLER FILE: a cgroup v1 hierarchy with CONTROLLER is mounted
# and its root has a file whose name starts with FILE.
v1_has() {
	local dir
	dir=$(v1_dir "$1")
	[ -n "$dir" ] && compgen -G "$dir/$2*" >/dev/null
}

# Debian packages: the Go tool chain, unshare(1) for the namespace tests, and
# busybox for a rootfs when the source tree has no rootfs-amd64.tar.gz.
DEBIAN_PACKAGES=(golang-go util-linux tar gzip)
# Only for a source tree without vendor/: every Go package the suite imports
# that Debian packages, built in GOPATH mode.
DEBIAN_GOPATH_PACKAGES=(
	golang-github-opencontainers-runtime-tools-dev
	golang-github-opencontainers-specs-dev
	golang-github-opencontainers-selinux-dev
	golang-github-blang-semver-dev
	golang-github-hashicorp-go-multierror-dev
	golang-github-mrunalp-fileutils-dev
	golang-github-satori-go.uuid-dev
	golang-github-google-uuid-dev
	golang-github-sirupsen-logrus-dev
	golang-github-urfave-cli-dev
	golang-github-xeipuuv-gojsonschema-dev
	golang-gocapability-dev
	golang-golang-x-sys-dev
)

die() { echo "Bail out! validation: $*"; exit 2; }

[ $# -ge 1 ] || { echo "usage: $0 [NAME=]RUNTIME..." >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "the suite needs root (mounts, mknod, cgroups, namespaces)"

runtime_names=()
runtime_paths=()
for arg in "$@"; do
	case $arg in
	*=*) name=${arg%%=*} path=${arg#*=} ;;
	*) name=$(basename "$arg") path=$arg ;;
	esac
	[ $# -eq 1 ] && [ -n "${RUNTIME_NAME:-}" ] && name=$RUNTIME_NAME
	case $name in
	'' | *[!A-Za-z0-9._-]*) die "$arg: the runtime's name must be letters, digits, '.', '_' or '-'" ;;
	esac
	for n in "${runtime_names[@]}"; do
		[ "$n" != "$name" ] || die "two runtimes named $name: name them, as NAME=PATH"
	done
	path=$(readlink -f "$path") || die "$arg: not found"
	[ -f "$path" ] && [ -x "$path" ] || die "$arg: not an executable"
	runtime_names+=("$name")
	runtime_paths+=("$path")
done

cache=${NSRUN_VALIDATION_CACHE:-/var/tmp/nsrun-validation}
timeout_s=${VALIDATION_TIMEOUT:-180}
src_cache=${RUNTIME_TOOLS_CACHE:-/var/cache/nsrun/runtime-tools-$rt_short}
src_git=${RUNTIME_TOOLS_GIT:-/var/cache/nsrun/runtime-tools.git}

is_suite_tree() {
	[ -f "$1/validation/util/test.go" ] && [ -f "$1/cmd/runtimetest/main.go" ]
}

# The suite's source, in order: $RUNTIME_TOOLS_SRC as it is; the pinned tree
# in $src_cache; the pinned commit extracted from $src_git into $src_cache.
# With none, the suite is skipped (no network is assumed: the script never
# clones). Prints the tree's path, or the reason it was not found.
find_source() {
	local tmp head
	if [ -n "${RUNTIME_TOOLS_SRC:-}" ]; then
		is_suite_tree "$RUNTIME_TOOLS_SRC" ||
			die "RUNTIME_TOOLS_SRC=$RUNTIME_TOOLS_SRC has no validation/ and cmd/runtimetest"
		head=$(git -C "$RUNTIME_TOOLS_SRC" rev-parse HEAD 2>/dev/null) &&
			[ "$head" != "$RUNTIME_TOOLS_COMMIT" ] &&
			echo "# warning: RUNTIME_TOOLS_SRC is at ${head:0:7}, the suite is pinned at $rt_short" >&2
		readlink -f "$RUNTIME_TOOLS_SRC"
		return 0
	fi
	if [ "$(cat "$src_cache/.commit" 2>/dev/null)" = "$RUNTIME_TOOLS_COMMIT" ] &&
		is_suite_tree "$src_cache"; then
		echo "$src_cache"
		return 0
	fi
	if ! git --git-dir="$src_git" cat-file -e "$RUNTIME_TOOLS_COMMIT^{commit}" 2>/dev/null &&
		! git -C "$src_git" cat-file -e "$RUNTIME_TOOLS_COMMIT^{commit}" 2>/dev/null; then
		echo "no runtime-tools $rt_short tree in $src_cache and no git repository with that commit at $src_git (set RUNTIME_TOOLS_SRC or RUNTIME_TOOLS_GIT)"
		return 1
	fi
	mkdir -p "$(dirname "$src_cache")" || die "cannot create $(dirname "$src_cache")"
	tmp=$(mktemp -d "$src_cache.tmp.XXXXXX") || die "mktemp next to $src_cache failed"
	{ git --git-dir="$src_git" archive "$RUNTIME_TOOLS_COMMIT" 2>/dev/null ||
		git -C "$src_git" archive "$RUNTIME_TOOLS_COMMIT"; } | tar -x -C "$tmp" ||
		{ rm -rf "$tmp"; die "cannot extract runtime-tools $rt_short from $src_git"; }
	echo "$RUNTIME_TOOLS_COMMIT" >"$tmp/.commit"
	rm -rf "$src_cache" && mv "$tmp" "$src_cache" || die "cannot move the tree to $src_cache"
	echo "# extracted runtime-tools $rt_short from $src_git into $src_cache" >&2
	echo "$src_cache"
}

install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "# installing ${missing[*]} (log: $cache/apt.log)" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$cache/apt.log" 2>&1; then
		{ apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >>"$cache/apt.log" 2>&1 ||
			die "apt-get install ${missing[*]} failed (see $cache/apt.log)"
	fi
}

# Build runtimetest (static: it runs inside the rootfs) and one NAME.t per
# validation/NAME into $cache/run, once per source tree and Go version. A
# tree with vendor/ (as at the pinned commit) builds in module mode from its
# own vendor/, with the exact versions the suite was released with; one
# without it builds in GOPATH mode against Debian's golang-*-dev packages.
build_suite() {
	local src=$1 gopath=$cache/gopath stamp dir name failed=0 tree
	stamp=$( (go version; cd "$src" && find . -type f -name '*.go' | sort | xargs sha256sum) |
		sha256sum | cut -c1-16)
	if [ -f "$cache/run/.built-$stamp" ]; then
		return 0
	fi
	echo "# building the suite from $src with $(go version)" >&2
	rm -rf "$gopath" "$cache/run" "$cache/out"
	mkdir -p "$gopath" "$cache/run" "$cache/out" "$cache/gocache" || die "cannot create $cache"
	export GOPATH="$gopath" GOCACHE="$cache/gocache" GOPROXY=off GOFLAGS= CGO_ENABLED=0
	if [ -f "$src/vendor/modules.txt" ] && [ -f "$src/go.mod" ]; then
		export GO111MODULE=on GOFLAGS=-mod=vendor
		tree=$src
	else
		install_packages "${DEBIAN_GOPATH_PACKAGES[@]}"
		export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode"
		tree=$gopath/src/github.com/opencontainers/runtime-tools
		mkdir -p "$(dirname "$tree")" && cp -a "$src" "$tree" || die "cannot copy $src"
	fi
	(cd "$tree" && nice -n 10 go build -tags 'netgo osusergo' -ldflags '-extldflags -static' \
		-o "$cache/run/runtimetest" ./cmd/runtimetest) >&2 ||
		die "building runtimetest failed (see the Go errors above)"
	(cd "$tree" && nice -n 10 go build -o "$cache/out/" ./validation/...) >&2 ||
		die "building the validation tests failed (see the Go errors above)"
	for dir in "$tree"/validation/*/; do
		name=$(basename "$dir")
		[ -f "$dir/$name.go" ] || continue
		mv "$cache/out/$name" "$cache/run/$name.t" ||
			{ echo "# validation/$name was not built" >&2; failed=1; }
	done
	[ $failed -eq 0 ] || die "some validation tests did not build"
	touch "$cache/run/.built-$stamp"
}

# The rootfs the suite untars into every bundle (rootfs-$GOARCH.tar.gz in the
# directory the tests run from): the source tree's own when it has one,
# else one made from Debian's busybox.
make_rootfs() {
	local src=$1 tarball=$cache/run/rootfs-amd64.tar.gz root applet
	if [ -f "$src/rootfs-amd64.tar.gz" ]; then
		cmp -s "$src/rootfs-amd64.tar.gz" "$tarball" ||
			cp "$src/rootfs-amd64.tar.gz" "$tarball" || die "cannot copy the rootfs"
		return 0
	fi
	[ -f "$tarball" ] && return 0
	install_packages busybox-static
	root=$(mktemp -d "$cache/rootfs.XXXXXX") || die "mktemp failed"
	(cd "$root" && mkdir -p bin dev etc home proc root sys tmp usr/bin var) || die "rootfs dirs"
	cp /bin/busybox "$root/bin/busybox" || die "no /bin/busybox"
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	# "./" in the tarball carries this mode onto the bundle directory, which is
	# the container's "/": it must let a non-root or id-mapped user through.
	chmod 0755 "$root"
	chmod 1777 "$root/tmp"
	tar -C "$root" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" || die "cannot write $tarball"
	rm -rf "$root"
}

# Remove the suite's own cgroups that a runtime left behind (empty ones
# only), so that one runtime's leftovers do not change the next test.
clean_test_cgroups() {
	local d
	for d in /sys/fs/cgroup/*/testdir/cgrouptest/container /sys/fs/cgroup/*/testdir/cgrouptest \
		/sys/fs/cgroup/*/testdir /sys/fs/cgroup/*/cgrouptest /sys/fs/cgroup/unified/cgrouptest; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

# run_test RUNTIME NAME: run one test; set $verdict (pass, fail, skip, xfail
# or xpass), print its TAP line, and its failures on stderr.
run_test() {
	local rt=$1 name=$2 out err rc xfail_reason="" xfail_sub="" entry rest label=""
	[ ${#runtime_names[@]} -gt 1 ] && label=" ($rt)"
	out=$cache/logs/$rt/$name.tap
	err=$cache/logs/$rt/$name.err
	for entry in "${EXPECTED_FAIL[@]}"; do
		[ "${entry%%|*}" = "$name" ] && host_lacks "$name" || continue
		rest=${entry#*|}
		xfail_sub=${rest%%|*} xfail_reason=${rest#*|}
	done
	clean_test_cgroups
	(cd "$cache/run" && PATH="$cache/bin/$rt:$PATH" RUNTIME=$rt \
		timeout -k 10 "$timeout_s" "./$name.t") >"$out" 2>"$err" </dev/null
	rc=$?
	echo "$rc" >"$cache/logs/$rt/$name.rc"
	# Tests that report through sub-tests print "ok"/"not ok" lines; a few
	# (the hook tests) print only a YAML diagnostic when they fail, and a
	# bare "1..0" when they pass; those that check that a runtime refuses a
	# config (*_fail) print nothing at all when it does, and exit 0. Some
	# print several TAP documents, one after the other: their plans add up.
	verdict=$(awk -v rc="$rc" -v excuse="$xfail_sub" '
		/^TAP version/ { if (docyaml && docn == 0) orphan = 1; docn = 0; docyaml = 0 }
		/^1\.\.[0-9]+/ { split($1, p, "\\.\\."); plan += p[2]; if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) allskip = 1 }
		/^(not )?ok/ { docn++ }
		/^not ok/ { n++; d = $0; sub(/^not ok [0-9]* *-? */, "", d)
			if (excuse != "" && d ~ excuse) excused++; else bad++; next }
		/^ok/ { n++; if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) skipped++; else good++ }
		/^  ---/ && docn == 0 { docyaml = 1 }
		END {
			if (docyaml && docn == 0) orphan = 1
			if (rc == 124 || rc == 137) print "fail timed out"
			else if (bad) print "fail " bad " sub-test(s) failed"
			else if (rc != 0) print "fail exited with status " rc
			else if (plan == "" && NR == 0) print "pass"
			else if (plan == "") print "fail no TAP plan"
			else if (n != plan) print "fail " n " of " plan " planned sub-tests ran"
			else if (orphan) print "fail it reported an error (a diagnostic with no sub-test)"
			else if (excused) print "xfail " excused
			else if (good == 0 && (skipped > 0 || allskip)) print "skip"
			else if (good == 0 && plan == 0) print "pass"
			else if (good == 0) print "fail no sub-test ran"
			else print "pass"
		}' "$out")
	if [ -n "$xfail_reason" ] && [ -z "$xfail_sub" ]; then
		if [ "$verdict" = pass ]; then
			echo "ok - validation/$name$label # passed although listed as expected to fail: $xfail_reason"
			verdict=xpass
		else
			echo "ok - validation/$name$label # SKIP expected to fail here: $xfail_reason"
			verdict=xfail
		fi
		return 0
	fi
	if [ "${verdict%% *}" = xfail ]; then
		echo "ok - validation/$name$label # ${verdict#xfail } sub-test(s) expected to fail here: $xfail_reason"
		verdict=xfail
		return 0
	fi
	case $verdict in
	pass) echo "ok - validation/$name$label"; return 0 ;;
	skip) echo "ok - validation/$name$label # SKIP $(grep -m1 -i '# *skip' "$out" | sed 's/.*# *[Ss][Kk][Ii][Pp] *//')"
		return 0 ;;
	esac
	echo "not ok - validation/$name$label"
	{
		echo "# validation/$name$label: ${verdict#fail }"
		# the failing sub-tests, each with its YAML diagnostic block
		# (or the diagnostic of a test that reports only its errors)
		awk -v excuse="$xfail_sub" '/^not ok/ { show = 1; d = $0; sub(/^not ok [0-9]* *-? */, "", d)
				print "#   " $0 (excuse != "" && d ~ excuse ? " (expected to fail here)" : ""); next }
			/^TAP/ { show = 1; next }
			/^(ok|1\.\.)/ { show = 0 }
			show { print "#   " $0 }' "$out"
		if [ -s "$err" ]; then
			echo "#   stderr:"
			sed -n '1,40s/^/#     /p' "$err"
		fi
	} >&2
	verdict=fail
	return 1
}

# run_with_retries RUNTIME NAME: run_test, three times at most for a test
# listed in RACY, and print what the last attempt printed.
run_with_retries() {
	local rt=$1 name=$2 tries=1 attempt entry why="" rc
	for entry in "${RACY[@]}"; do
		[ "${entry%%|*}" = "$name" ] && tries=3 why=${entry#*|}
	done
	for ((attempt = 1; attempt <= tries; attempt++)); do
		run_test "$rt" "$name" >"$cache/logs/$rt/$name.line" 2>"$cache/logs/$rt/$name.diag"
		rc=$?
		[ "$rc" -eq 0 ] && break
	done
	cat "$cache/logs/$rt/$name.line"
	cat "$cache/logs/$rt/$name.diag" >&2
	if [ "$rc" -eq 0 ] && [ "$attempt" -gt 1 ]; then
		echo "# validation/$name passed at attempt $attempt of $tries: $why"
	fi
	return "$rc"
}

main() {
	local src names=() name failed=0 i rt verdict line
	local -A result=() passed=() xfailed=()
	src=$(find_source)
	case $? in
	0) ;;
	1) echo "1..0 # SKIP validation: $src"; exit 0 ;;
	*) echo "$src"; exit 2 ;;
	esac
	src_dir=$src
	mkdir -p "$cache" || die "$cache: cannot create"
	install_packages "${DEBIAN_PACKAGES[@]}"
	build_suite "$src"
	make_rootfs "$src"
	# RUNTIME is resolved with exec.LookPath: a directory of its own at the
	# head of PATH holds a link, named after the runtime, to the binary.
	for i in "${!runtime_names[@]}"; do
		rt=${runtime_names[$i]}
		mkdir -p "$cache/bin/$rt" "$cache/logs/$rt"
		ln -sfn "${runtime_paths[$i]}" "$cache/bin/$rt/$rt"
	done
	if [ -n "${VALIDATION_TESTS:-}" ]; then
		read -r -a names <<<"$VALIDATION_TESTS"
	else
		for name in "$cache"/run/*.t; do names+=("$(basename "$name" .t)"); done
	fi
	echo "# runtime-tools $(cat "$src/.commit" 2>/dev/null || echo "$src"), $(go version | cut -d' ' -f3)"
	echo "1..$(( ${#names[@]} * ${#runtime_names[@]} ))"
	for rt in "${runtime_names[@]}"; do
		passed[$rt]=0 xfailed[$rt]=0
		for name in "${names[@]}"; do
			if [ ! -x "$cache/run/$name.t" ]; then
				echo "not ok - validation/$name # no such test"
				failed=1 result[$rt,$name]=missing
				continue
			fi
			run_with_retries "$rt" "$name" || failed=1
			result[$rt,$name]=$verdict
			[ "$verdict" = pass ] && passed[$rt]=$((passed[$rt] + 1))
			[ "$verdict" = xfail ] && xfailed[$rt]=$((xfailed[$rt] + 1))
		done
	done
	if [ ${#runtime_names[@]} -gt 1 ]; then
		line=$(printf '%-34s' test)
		for rt in "${runtime_names[@]}"; do line+=$(printf ' %-8s' "$rt"); done
		echo "# $line"
		for name in "${names[@]}"; do
			line=$(printf '%-34s' "$name")
			for rt in "${runtime_names[@]}"; do line+=$(printf ' %-8s' "${result[$rt,$name]}"); done
			echo "# $line"
		done
		line=$(printf '%-34s' passed)
		for rt in "${runtime_names[@]}"; do line+=$(printf ' %-8s' "${passed[$rt]}/${#names[@]}"); done
		echo "# $line"
		line=$(printf '%-34s' "expected to fail here")
		for rt in "${runtime_names[@]}"; do line+=$(printf ' %-8s' "${xfailed[$rt]}"); done
		echo "# $line"
	fi
	return $failed
}

main
