#!/usr/bin/env bash
# Run the OCI runtime-tools validation suite against nsrun's OCI runtime and
# print one TAP line per validation test:
#
#   ok - validation/NAME          every sub-test passed (sub-test skips allowed)
#   not ok - validation/NAME      a sub-test failed, or the test crashed or timed out
#
# The failing sub-test lines, their YAML diagnostics and the test's stderr go
# to stderr. Tests that cannot apply on this host are listed below in
# EXPECTED_FAIL, each with its reason; they print "ok ... # SKIP reason".
#
#   tests/validation/run.sh NSRUN_BINARY
#
# Environment:
#   RUNTIME_TOOLS_SRC        a runtime-tools source tree with validation/ and
#                            cmd/runtimetest (default: $CACHE/runtime-tools,
#                            then Debian's /usr/share/gocode copy)
#   NSRUN_VALIDATION_CACHE   build and run directory (default /var/tmp/nsrun-validation)
#   VALIDATION_TESTS         names to run (default: every validation/NAME)
#   VALIDATION_TIMEOUT       seconds per test (default 180)
#
# Must run as root: the suite mounts, makes device nodes, cgroups and namespaces.
# Exit status: 0 all passed, 1 a test failed, 2 the suite could not be set up.
set -u

# Tests that cannot pass on this host whatever the runtime does.
# NAME|reason (checked against the host at run time where a probe exists)
EXPECTED_FAIL=(
	"linux_process_apparmor_profile|AppArmor is not enabled in this kernel (no /sys/module/apparmor)"
	"linux_cgroups_hugetlb|no cgroup v1 hugetlb controller is mounted under /sys/fs/cgroup"
	"linux_cgroups_relative_hugetlb|no cgroup v1 hugetlb controller is mounted under /sys/fs/cgroup"
	"linux_cgroups_network|no cgroup v1 net_cls/net_prio controllers are mounted under /sys/fs/cgroup"
	"linux_cgroups_relative_network|no cgroup v1 net_cls/net_prio controllers are mounted under /sys/fs/cgroup"
)

# A host probe per expected failure: the entry applies only while it succeeds,
# so the list cannot hide a real failure on a host where the test can pass.
host_lacks() {
	case $1 in
	linux_process_apparmor_profile) [ ! -e /sys/module/apparmor/parameters/enabled ] ||
		[ "$(cat /sys/module/apparmor/parameters/enabled)" != Y ] ;;
	*hugetlb) [ ! -d /sys/fs/cgroup/hugetlb ] ;;
	*network) [ ! -d /sys/fs/cgroup/net_cls ] || [ ! -d /sys/fs/cgroup/net_prio ] ;;
	*) return 1 ;;
	esac
}

# Debian packages: the Go tool chain, the busybox for the rootfs, unshare(1)
# (the namespace tests), and every Go package the suite imports that Debian
# packages (GOPATH mode; a source tree's own vendor/ takes precedence).
DEBIAN_PACKAGES=(
	golang-go busybox-static util-linux tar gzip
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

[ $# -eq 1 ] || { echo "usage: $0 NSRUN_BINARY" >&2; exit 2; }
nsrun_bin=$(readlink -f "$1") || die "$1: not found"
[ -x "$nsrun_bin" ] || die "$1: not an executable"
[ "$(id -u)" -eq 0 ] || die "the suite needs root (mounts, mknod, cgroups, namespaces)"

cache=${NSRUN_VALIDATION_CACHE:-/var/tmp/nsrun-validation}
timeout_s=${VALIDATION_TIMEOUT:-180}
mkdir -p "$cache" || die "$cache: cannot create"

install_packages() {
	local missing=() p
	for p in "${DEBIAN_PACKAGES[@]}"; do
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

# The suite's source: Debian's golang-github-opencontainers-runtime-tools-dev
# ships only the library packages (generate, validate, specerror...), not
# validation/ nor cmd/runtimetest, so a source tree is looked for in order.
find_source() {
	local d
	for d in ${RUNTIME_TOOLS_SRC:-} "$cache/runtime-tools" \
		/usr/share/gocode/src/github.com/opencontainers/runtime-tools; do
		if [ -f "$d/validation/util/test.go" ] && [ -f "$d/cmd/runtimetest/main.go" ]; then
			readlink -f "$d"
			return 0
		fi
	done
	return 1
}

# Build runtimetest (static) and one NAME.t per validation/NAME into
# $cache/run, once per source tree and Go version.
build_suite() {
	local src=$1 gopath=$cache/gopath stamp dir name failed=0
	local tree=$gopath/src/github.com/opencontainers/runtime-tools
	stamp=$( (go version; cd "$src" && find cmd validation generate specerror validate \
		cgroups error filepath vendor -type f -name '*.go' 2>/dev/null | sort |
		xargs sha256sum) | sha256sum | cut -c1-16)
	if [ -f "$cache/run/.built-$stamp" ]; then
		return 0
	fi
	echo "# building the suite from $src" >&2
	rm -rf "$gopath" "$cache/run"
	mkdir -p "$(dirname "$tree")" "$cache/run" "$cache/gocache" || die "cannot create $gopath"
	cp -a "$src" "$tree" || die "cannot copy $src"
	export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$cache/gocache" \
		GOFLAGS= GOPROXY=off CGO_ENABLED=0
	(cd "$tree" && nice -n 10 go build -tags netgo -installsuffix netgo \
		-ldflags '-extldflags -static' -o "$cache/run/runtimetest" ./cmd/runtimetest) >&2 ||
		die "building runtimetest failed (see the Go errors above: a missing import is a missing Debian golang-*-dev package)"
	for dir in "$tree"/validation/*/; do
		name=$(basename "$dir")
		[ "$name" = util ] && continue
		[ -f "$dir/$name.go" ] || continue
		(cd "$tree" && nice -n 10 go build -o "$cache/run/$name.t" "./validation/$name") >&2 ||
			{ echo "# building validation/$name failed" >&2; failed=1; }
	done
	[ $failed -eq 0 ] || die "some validation tests did not build"
	touch "$cache/run/.built-$stamp"
}

# The busybox rootfs the suite untars into every bundle
# (rootfs-$GOARCH.tar.gz in the directory the tests run from).
make_rootfs() {
	local tarball=$cache/run/rootfs-amd64.tar.gz root applet
	[ -f "$tarball" ] && return 0
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

# Run one test; print its TAP verdict line, and its failures on stderr.
run_test() {
	local name=$1 out err rc verdict xfail_reason="" entry
	out=$cache/logs/$name.tap
	err=$cache/logs/$name.err
	for entry in "${EXPECTED_FAIL[@]}"; do
		[ "${entry%%|*}" = "$name" ] && host_lacks "$name" && xfail_reason=${entry#*|}
	done
	(cd "$cache/run" && PATH="$cache/bin:$PATH" RUNTIME=nsrun \
		timeout -k 10 "$timeout_s" "./$name.t") >"$out" 2>"$err" </dev/null
	rc=$?
	verdict=$(awk -v rc="$rc" '
		/^1\.\.[0-9]+/ { split($1, p, "\\.\\."); plan = p[2]; if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) allskip = 1 }
		/^not ok/ { bad++; n++ ; next }
		/^ok/ { n++; if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) skipped++; else good++ }
		END {
			if (rc == 124 || rc == 137) print "fail timed out"
			else if (bad) print "fail " bad " sub-test(s) failed"
			else if (rc != 0) print "fail exited with status " rc
			else if (plan == "") print "fail no TAP plan"
			else if (n != plan) print "fail " n " of " plan " planned sub-tests ran"
			else if (good == 0 && (skipped > 0 || allskip)) print "skip"
			else if (good == 0) print "fail no sub-test ran"
			else print "pass"
		}' "$out")
	if [ -n "$xfail_reason" ]; then
		if [ "$verdict" = pass ]; then
			echo "ok - validation/$name # passed although listed as expected to fail: $xfail_reason"
		else
			echo "ok - validation/$name # SKIP expected to fail here: $xfail_reason"
		fi
		return 0
	fi
	case $verdict in
	pass) echo "ok - validation/$name"; return 0 ;;
	skip) echo "ok - validation/$name # SKIP $(grep -m1 -i '# *skip' "$out" | sed 's/.*# *[Ss][Kk][Ii][Pp] *//')"
		return 0 ;;
	esac
	echo "not ok - validation/$name"
	{
		echo "# validation/$name: ${verdict#fail }"
		# the failing sub-tests, each with its YAML diagnostic block
		awk '/^not ok/ { show = 1; print "#   " $0; next }
			/^(ok|1\.\.|TAP)/ { show = 0 }
			show { print "#   " $0 }' "$out"
		if [ -s "$err" ]; then
			echo "#   stderr:"
			sed -n '1,40s/^/#     /p' "$err"
		fi
	} >&2
	return 1
}

main() {
	local src names=() name failed=0
	install_packages
	src=$(find_source) || die "no runtime-tools source with validation/ and cmd/runtimetest:
  Debian's golang-github-opencontainers-runtime-tools-dev ships only the library packages.
  Put a checkout of https://github.com/opencontainers/runtime-tools in $cache/runtime-tools
  or point RUNTIME_TOOLS_SRC at one (see tests/validation/README.md)."
	build_suite "$src"
	make_rootfs
	# RUNTIME is resolved with exec.LookPath: a directory of its own on PATH
	# holds an "nsrun" that is the binary under test.
	mkdir -p "$cache/bin" "$cache/logs"
	ln -sfn "$nsrun_bin" "$cache/bin/nsrun"
	if [ -n "${VALIDATION_TESTS:-}" ]; then
		read -r -a names <<<"$VALIDATION_TESTS"
	else
		for name in "$cache"/run/*.t; do names+=("$(basename "$name" .t)"); done
	fi
	echo "1..${#names[@]}"
	for name in "${names[@]}"; do
		[ -x "$cache/run/$name.t" ] || { echo "not ok - validation/$name # no such test"; failed=1; continue; }
		run_test "$name" || failed=1
	done
	return $failed
}

main
