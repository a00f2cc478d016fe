#!/usr/bin/env bats
# nsrun --print-config: the config.json of a sandbox command line. Each
# config is run for real with `nsrun run` (and crun where it can run it),
# and what its command sees is compared with what the sandbox's command
# sees: ids, hostname, working directory, environment, capabilities,
# no_new_privs, seccomp, limits and the visible mounts with their options.

load helpers
load sandbox_helpers

CRUN_V1="$BATS_TEST_DIRNAME/../validation/crun-v1"

# What a command sees, printed from inside (busybox or the host's tools).
# Mounts as "ID PARENT MOUNT-POINT OPTIONS FSTYPE", filtered outside.
PROBE='
echo "id: $(id)"
echo "hostname: $(hostname)"
echo "cwd: $(pwd)"
env | grep -v -e "^_=" -e "^SHLVL=" -e "^PWD=" -e "^OLDPWD=" | sort | sed "s/^/env: /"
grep -E "^(Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
echo "nofile: $(ulimit -n) $(ulimit -Hn)"
awk "{ for (i = 7; \$i != \"-\"; i++) ; print \"mount:\", \$1, \$2, \$5, \$6, \$(i + 1) }" /proc/self/mountinfo
'

setup() {
	nsrun_setup
	PC_IDS=()
}

teardown() {
	local id
	for id in "${PC_IDS[@]}"; do
		"$NSRUN" --root "$TEST_TMP/state" delete --force "$id" >/dev/null 2>&1 || true
	done
	nsrun_teardown
}

# The mounts the command can see, sorted: a mount is hidden under one made
# over it (same parent, on the same or a higher directory, made later) and
# with its parent. Tables list mounts in different orders, and nsrun's
# config builds the root in layers the sandbox does not show.
visible_mounts() {
	python3 -c '
import sys
rows = [l.split()[1:] for l in sys.stdin if l.startswith("mount: ")]
m = {r[0]: r for r in rows}
def under(p, d):
    return p == d or d == "/" or p.startswith(d + "/")
def hidden(mid, seen=()):
    mid_, parent, mp = m[mid][0], m[mid][1], m[mid][2]
    for o in rows:
        if o[0] != mid and o[1] == parent and under(mp, o[2]) and \
           (o[2] != mp or int(o[0]) > int(mid)):
            return True
    return parent in m and parent not in seen and hidden(parent, seen + (mid,))
for r in sorted((r for r in rows if not hidden(r[0])), key=lambda r: (r[2], r[3], r[4])):
    print("mount:", r[2], r[3], r[4])
'
}

# The probe's output with the mounts made comparable.
normalize() {
	grep -v '^mount: ' "$1" || true
	visible_mounts <"$1"
}

# run_both OPTIONS... -- COMMAND...: the config into $BUNDLE, the sandbox's
# view into $TEST_TMP/sandbox, nsrun run's into $TEST_TMP/run.
run_both() {
	BUNDLE=$TEST_TMP/bundle
	mkdir -p "$BUNDLE"
	"$NSRUN" --print-config "$@" >"$BUNDLE/config.json"
	jq -e .ociVersion "$BUNDLE/config.json" >/dev/null
	local id="pc-${TEST_TMP##*.}" rc=0
	PC_IDS+=("$id")
	timeout "$NSRUN_IT_TIMEOUT" "$NSRUN" "$@" </dev/null >"$TEST_TMP/sandbox.raw" \
		2>"$TEST_TMP/sandbox.err" || rc=$?
	echo "status: $rc" >>"$TEST_TMP/sandbox.raw"
	rc=0
	timeout "$NSRUN_IT_TIMEOUT" "$NSRUN" --root "$TEST_TMP/state" run -b "$BUNDLE" "$id" \
		</dev/null >"$TEST_TMP/run.raw" 2>"$TEST_TMP/run.err" || rc=$?
	echo "status: $rc" >>"$TEST_TMP/run.raw"
	normalize "$TEST_TMP/sandbox.raw" >"$TEST_TMP/sandbox"
	normalize "$TEST_TMP/run.raw" >"$TEST_TMP/run"
	echo "# sandbox stderr: $(cat "$TEST_TMP/sandbox.err")"
	echo "# run stderr: $(cat "$TEST_TMP/run.err")"
	grep -qx 'status: 0' "$TEST_TMP/sandbox"
}

# assert_same A B: the two views, or their difference.
assert_same() {
	if ! diff "$1" "$2" >"$TEST_TMP/diff"; then
		echo "# $1 and $2 differ:"
		sed 's/^/#   /' "$TEST_TMP/diff"
		return 1
	fi
}

# crun 1.8 on this host: through the cgroup v1 wrapper (tests/validation).
crun_or_skip() {
	[[ -x /usr/bin/crun ]] || skip "crun is not installed"
	if ! /usr/bin/crun --version >/dev/null 2>&1; then
		skip "crun does not run here"
	fi
}

# run_crun: the bundle with crun, its view into $TEST_TMP/crun. crun sets
# HOME where the environment has none (the tests give one). crun binds
# its own default devices over the config's (nosuid, noexec): those lines
# are left out of its view.
run_crun() {
	local id="pcc-${TEST_TMP##*.}"
	local rc=0
	timeout "$NSRUN_IT_TIMEOUT" "$CRUN_V1" --root "$TEST_TMP/crunstate" run -b "$BUNDLE" "$id" \
		</dev/null >"$TEST_TMP/crun.raw" 2>"$TEST_TMP/crun.err" || rc=$?
	echo "status: $rc" >>"$TEST_TMP/crun.raw"
	echo "# crun stderr: $(cat "$TEST_TMP/crun.err")"
	normalize "$TEST_TMP/crun.raw" |
		grep -v -E '^mount: /dev/(null|zero|full|random|urandom|tty) .*nosuid,noexec' >"$TEST_TMP/crun"
	grep -v -E '^mount: /dev/(null|zero|full|random|urandom|tty) ' "$TEST_TMP/sandbox" >"$TEST_TMP/sandbox.nodev"
	grep -v -E '^mount: /dev/(null|zero|full|random|urandom|tty) ' "$TEST_TMP/crun" >"$TEST_TMP/crun.nodev"
}

@test "print-config: writes config.json and starts nothing" {
	run -0 "$NSRUN" --print-config -Urp --rootfs "$ROOTFS" --memory 64m -- \
		/bin/touch "$TEST_TMP/ran"
	[[ ! -e $TEST_TMP/ran ]]
	jq -e '.ociVersion and .root.path and .process.args == ["/bin/touch", "'"$TEST_TMP/ran"'"]' <<<"$output"
	jq -e '.linux.resources.memory.limit == 67108864' <<<"$output"
}

@test "print-config: an option config.json cannot say is refused by name" {
	local -a cases=(
		"--keep-fd|--keep-fd 5 --"
		"--block-fd|--block-fd 0 --"
		"--json-status-fd|--json-status-fd 1 --"
		"--init|-p --init --"
		"--init-group|-p --init-group --"
		"--die-with-parent|--die-with-parent --"
		"--no-pivot|-Ur --rootfs $ROOTFS --no-pivot --"
		"--setgroups|-U --setgroups deny --"
		"--dir|-Ur --rootfs $ROOTFS --dir /x --"
		"--symlink|-Ur --rootfs $ROOTFS --symlink a /b --"
		"--chmod|-Ur --rootfs $ROOTFS --chmod 700 /tmp --"
		"--remount-ro|-Ur --rootfs $ROOTFS --remount-ro / --"
		"--dev|-Ur --rootfs $ROOTFS --dev /other --"
		"--dir|--sandbox --dir /x --"
		"--boot|--boot --rootfs $ROOTFS --"
	)
	local c want opts
	for c in "${cases[@]}"; do
		want=${c%%|*}
		opts=${c#*|}
		# shellcheck disable=SC2086
		run -125 --separate-stderr "$NSRUN" --print-config $opts /bin/true
		[[ -z $output ]]
		[[ $stderr == "nsrun: --print-config: $want has no config.json equivalent" ]] || {
			echo "# $opts: $stderr"
			return 1
		}
	done
}

@test "print-config: a rootfs sandbox, as nsrun run and crun see it" {
	mkdir -p "$TEST_TMP/ro" "$TEST_TMP/rw"
	echo data >"$TEST_TMP/ro/file"
	run_both -U -r -p -u -i -n --rootfs "$ROOTFS" --proc /proc --dev /dev \
		--size 1m --perms 1777 --tmpfs /tmp --hostname h --clearenv --setenv A b \
		--setenv PATH /bin --setenv HOME /root --ro-bind "$TEST_TMP/ro" /mnt --bind "$TEST_TMP/rw" /home \
		--chdir /mnt --rlimit NOFILE=100:200 --cap-drop NET_RAW --no-new-privs -- /bin/sh -c "$PROBE"
	grep -qx 'hostname: h' "$TEST_TMP/sandbox"
	grep -q '^mount: /mnt ro,nodev' "$TEST_TMP/sandbox"
	grep -qx 'nofile: 100 200' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
	crun_or_skip
	run_crun
	assert_same "$TEST_TMP/sandbox.nodev" "$TEST_TMP/crun.nodev"
}

@test "print-config: --sandbox, as nsrun run sees it" {
	run_both --sandbox --setenv A b -- /bin/sh -c "$PROBE"
	grep -qx 'NoNewPrivs:	1' "$TEST_TMP/sandbox"
	grep -qx 'Seccomp:	2' "$TEST_TMP/sandbox"
	grep -q '^mount: / ro,nodev' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
	# crun 1.8 cannot pivot_root into root.path "/", the sandbox's host root.
	jq -e '.root.path == "/"' "$BUNDLE/config.json"
}

@test "print-config: cgroup limits, as nsrun run applies them" {
	local read_limits='c=$(grep -E "^[0-9]+:([^:]*,)?memory(,[^:]*)?:" /proc/self/cgroup | cut -d: -f3)
p=$(grep -E "^[0-9]+:([^:]*,)?pids(,[^:]*)?:" /proc/self/cgroup | cut -d: -f3)
if [ -e /sys/fs/cgroup/memory.max ]; then echo "memory: $(cat /sys/fs/cgroup$c/memory.max)"; echo "pids: $(cat /sys/fs/cgroup$p/pids.max)"
else echo "memory: $(cat /sys/fs/cgroup/memory$c/memory.limit_in_bytes)"; echo "pids: $(cat /sys/fs/cgroup/pids$p/pids.max)"; fi'
	run_both -Urp -m --ro-bind / / --proc /proc --memory 64m --pids 50 -- /bin/sh -c "$read_limits"
	grep -qx 'memory: 67108864' "$TEST_TMP/sandbox"
	grep -qx 'pids: 50' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
	jq -e '.linux.resources == {"memory": {"limit": 67108864}, "pids": {"limit": 50}}' "$BUNDLE/config.json"
}

@test "print-config: a seccomp profile file becomes linux.seccomp" {
	cat >"$TEST_TMP/profile.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		              {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		               "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
	EOF
	run_both -Urp --rootfs "$ROOTFS" --proc /proc --tmpfs /tmp --seccomp "$TEST_TMP/profile.json" -- \
		/bin/sh -c 'mkdir /tmp/x 2>&1; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	grep -q 'Permission denied' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
	jq -e '.linux.seccomp.syscalls[1] == {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		"errnoRet": 1, "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}' \
		"$BUNDLE/config.json"
}

@test "print-config: --as USER resolves in the sandbox's files" {
	run_both -p -M "$AS_MAP" -G "$AS_MAP" --rootfs "$ROOTFS" --proc /proc --as app \
		--cap-add NET_BIND_SERVICE --umask 027 -- /bin/sh -c "$PROBE umask"
	grep -q "^id: uid=$APP_UID(app) gid=$APP_GID(app) groups=$APP_GID(app),$EXTRA_GID(extra)" \
		"$TEST_TMP/sandbox"
	grep -qx '0027' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
	jq -e '.process.user == {"uid": 1000, "gid": 1000, "umask": 23, "additionalGids": [1000, 2000]}' \
		"$BUNDLE/config.json"
	crun_or_skip
	run_crun
	assert_same "$TEST_TMP/sandbox.nodev" "$TEST_TMP/crun.nodev"
}

@test "print-config: an unprivileged caller's sandbox, as nsrun run sees it" {
	as_test_user "$NSRUN" --print-config -Urp -u --rootfs "$ROOTFS" --proc /proc --hostname h \
		--tmpfs /tmp -- /bin/sh -c "$PROBE" >"$TEST_TMP/config.json"
	mkdir -p "$TEST_TMP/bundle"
	mv "$TEST_TMP/config.json" "$TEST_TMP/bundle/config.json"
	chmod -R a+rwX "$TEST_TMP/bundle"
	jq -e --argjson u "$TEST_USER_UID" '.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}]' \
		"$TEST_TMP/bundle/config.json"
	timeout "$NSRUN_IT_TIMEOUT" setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --clear-groups \
		"$NSRUN" -Urp -u --rootfs "$ROOTFS" --proc /proc --hostname h --tmpfs /tmp -- \
		/bin/sh -c "$PROBE" </dev/null >"$TEST_TMP/sandbox.raw"
	timeout "$NSRUN_IT_TIMEOUT" setpriv --reuid="$TEST_USER_UID" --regid="$TEST_USER_GID" --clear-groups \
		"$NSRUN" --root "$TEST_TMP/ustate" run -b "$TEST_TMP/bundle" pc-user </dev/null >"$TEST_TMP/run.raw"
	normalize "$TEST_TMP/sandbox.raw" >"$TEST_TMP/sandbox"
	normalize "$TEST_TMP/run.raw" >"$TEST_TMP/run"
	grep -qx 'hostname: h' "$TEST_TMP/sandbox"
	assert_same "$TEST_TMP/sandbox" "$TEST_TMP/run"
}
