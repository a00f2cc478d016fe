#!/usr/bin/env bats
# The exec shim (src/shim/exec-shim.c). Where the init stage runs in the
# cloned child rather than a re-executed sealed copy of nsrun (a new PID
# namespace or a joined one as exec's, no --init, no --block-fd, no
# in-container hooks, a seccomp filter that lets the shim run), a parked
# container's PID 1 and the image the command's execve starts from are a
# sealed memfd copy of the shim: never nsrun's binary on the host
# (CVE-2019-5736). Elsewhere the stage re-executes the sealed copy of
# nsrun, as before. (That exec's stage is out of the container's reach
# while it runs: faults.bats, which can stop it.)

load oci_helpers

setup() {
	oci_setup
	NSRUN_SUM=$(cksum <"$NSRUN")
}

teardown() {
	local rc=0
	[[ -z ${NSRUN_SUM:-} || $(cksum <"$NSRUN") == "$NSRUN_SUM" ]] ||
		{ echo "# nsrun's binary changed"; rc=1; }
	oci_teardown || rc=1
	return $rc
}

# F_GET_SEALS of a process's executable; "error" if it cannot be read.
exe_seals() {
	python3 -c '
import fcntl, os, sys
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    print(hex(fcntl.fcntl(fd, 1034)))
except OSError as e:
    print("error", e.errno)' "/proc/$1/exe"
}

# Try to open a process's executable for writing: prints the errno.
exe_open_write() {
	python3 -c '
import errno, os, sys
try:
    os.open(sys.argv[1], os.O_WRONLY)
    print("opened")
except OSError as e:
    print(errno.errorcode[e.errno])' "/proc/$1/exe"
}

@test "shim: a created container's parked init is the sealed exec shim, not nsrun, and cannot be opened for writing" {
	cfg_sh 'echo started'
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	echo "# init $pid: $(readlink "/proc/$pid/exe"), comm $(cat "/proc/$pid/comm")"
	[ "$(readlink "/proc/$pid/exe")" = "/memfd:nsrun:exec (deleted)" ]
	[ "$(cat "/proc/$pid/comm")" = "nsrun:exec" ]
	local seals
	seals=$(exe_seals "$pid")
	echo "# seals: $seals"
	# F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE at least.
	(((seals & 0xf) == 0xf))
	[ "$(exe_open_write "$pid")" = ETXTBSY ]
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[ "$(cat "$TEST_TMP/oci.1.out")" = started ]
}

@test "shim: a process exec'd into a created container sees the shim as PID 1 and cannot write it" {
	cfg_sh 'sleep 30'
	oci_new_id
	oci_create
	oci exec "$ID" sh -c 'readlink /proc/1/exe; cat /proc/1/comm; echo x >>/proc/1/exe && echo wrote'
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ "${lines[0]}" = "/memfd:nsrun:exec (deleted)" ]
	[ "${lines[1]}" = "nsrun:exec" ]
	[[ $output != *wrote* ]]
	# Start still runs the command once, from the shim.
	oci_ok start "$ID"
	oci_wait_status "$ID" running
	local pid
	pid=$(oci_pid "$ID")
	[ "$(readlink "/proc/$pid/exe")" = /bin/busybox ]
}

@test "shim: a command that is /proc/self/exe, or a #!/proc/self/exe script, starts the shim, never nsrun" {
	local version
	version=$("$NSRUN" --version)
	oci_new_id
	cfg_args /proc/self/exe --version
	oci run --bundle "$BUNDLE" "$ID"
	# The shim, given no arguments of its own, exits 125 and says nothing.
	[ "$status" -eq 125 ]
	[[ $output != *"$version"* && -z $output ]]
	printf '#!/proc/self/exe --version\n' >"$BUNDLE/rootfs/bin/trap"
	chmod 0755 "$BUNDLE/rootfs/bin/trap"
	oci_new_id
	cfg_args /bin/trap
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 125 ]
	[[ -z $output ]]
	# The sandbox CLI's staged path does the same.
	run "$NSRUN" -Urp --mount-proc -- /proc/self/exe --version
	[ "$status" -eq 125 ]
	[[ $output != *"$version"* ]]
}

@test "shim: exec's stage runs in the cloned child: a command that is /proc/self/exe starts the shim, never nsrun" {
	local version
	version=$("$NSRUN" --version)
	cfg_args sleep 60
	oci_new_id
	oci_run_d
	oci exec "$ID" /proc/self/exe --version
	[ "$status" -eq 125 ]
	[[ $output != *"$version"* && -z $output ]]
	# Under a filter that refuses execveat, the sealed copy of nsrun runs
	# the command, and nsrun answers, not the shim: its version, or from a
	# dynamically linked build (make check's ASan one), whose copy cannot
	# start without its loader inside, its own error.
	cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	oci_new_id
	oci_run_d
	oci exec "$ID" /proc/self/exe --version
	if [ "$status" -eq 0 ]; then
		[ "$output" = "$version" ]
	else
		[ "$status" -eq 127 ]
		[[ $stderr == "nsrun: /proc/self/exe: "* ]]
	fi
}

# create_parked_on_nsrun: create ID from BUNDLE, check that its parked init
# is the re-executed sealed copy of nsrun, start it and wait for its end.
create_parked_on_nsrun() {
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	echo "# init $pid: $(readlink "/proc/$pid/exe")"
	[ "$(readlink "/proc/$pid/exe")" = "/memfd:nsrun (deleted)" ]
	[ "$(cat "/proc/$pid/comm")" = "nsrun:init" ]
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
}

@test "shim: a seccomp profile that denies execveat still runs the container: its init re-executes the sealed nsrun copy" {
	cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO"}]}'
	cfg_sh 'echo started'
	create_parked_on_nsrun
	[ "$(cat "$TEST_TMP/oci.1.out")" = started ]
}

@test "shim: a container without its own PID namespace keeps the re-executed sealed nsrun copy" {
	cfg_edit 'del(.linux.namespaces[] | select(.type == "pid"))'
	cfg_sh 'readlink /proc/self/exe'
	create_parked_on_nsrun
}

@test "shim: a command the shim cannot execute after the checks gets nsrun's message and status" {
	# A file without a #! line runs under /bin/sh, as execvp does.
	printf 'echo from a script without a shebang\n' >"$BUNDLE/rootfs/bin/noshebang"
	chmod 0755 "$BUNDLE/rootfs/bin/noshebang"
	oci_new_id
	cfg_args noshebang
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "from a script without a shebang" ]
	# An ELF file whose interpreter is missing: found, then ENOENT at exec.
	cp /bin/true "$BUNDLE/rootfs/bin/dyn-true"
	oci_new_id
	cfg_args /bin/dyn-true
	oci run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 127 ]
	# Worded as runc words it: engines map "no such file or directory" to 127.
	[ "$stderr" = "nsrun: /bin/dyn-true: no such file or directory" ]
}

@test "shim: a profile that refuses read or write by descriptor number keeps the re-executed sealed nsrun copy, and the container runs" {
	local call
	for call in write read; do
		cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": [$c], "action": "SCMP_ACT_ERRNO",
				"args": [{"index": 0, "value": 1000, "op": "SCMP_CMP_GT"}]}]}' "$CONFIG" --arg c "$call"
		cfg_sh 'echo started'
		echo "# $call"
		create_parked_on_nsrun
	done
}

# The path the sandbox CLI's staged start takes, from its -v trace.
stage_path() {
	run --separate-stderr "$@"
	[ "$status" -eq 0 ] || { echo "# status $status: $stderr"; return 1; }
	case $stderr in
	*"the init stage runs in it"*) echo in-child ;;
	*"the init stage re-executes nsrun"*) echo re-exec ;;
	*) echo "# no clone line: $stderr"; return 1 ;;
	esac
}

@test "shim: the sandbox CLI runs the stage in the child only where nothing else can see it (root and nsrun-test)" {
	local who as=()
	for who in root nsrun-test; do
		as=()
		[[ $who == root ]] || as=(setpriv --reuid=1001 --regid=1001 --clear-groups)
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Urp -- true)" = in-child ]
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Urpn --mount-proc --seccomp-default -- true)" = in-child ]
		# No PID namespace of its own, an --init reaper, --block-fd,
		# --json-status-fd: the sealed copy of nsrun.
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Ur -f -- true)" = re-exec ]
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Urp --init -- true)" = re-exec ]
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Urp --block-fd 3 -- true 3</dev/null)" = re-exec ]
		[ "$(stage_path "${as[@]}" "$NSRUN" -v -Urp --json-status-fd 3 -- true 3>/dev/null)" = re-exec ]
		# Under a filter it cannot read (one that refuses execveat with
		# ENOSYS, here), nsrun re-executes its copy by its /proc path.
		printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execveat"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}\n' \
			>"$TEST_TMP/no-execveat.json"
		chmod 0644 "$TEST_TMP/no-execveat.json"
		[ "$(stage_path "${as[@]}" "$NSRUN" --seccomp "$TEST_TMP/no-execveat.json" -- \
			"$NSRUN" -v -Urp -- true)" = re-exec ]
	done
}

@test "shim: the command starts with no signal blocked (the stage blocked all) and the caller's ignored signals" {
	run env NSRUN="$NSRUN" bash -c 'trap "" USR1; exec "$NSRUN" -Urp -- sh -c "grep -E \"^Sig(Blk|Ign)\" /proc/self/status"'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ $output == *"SigBlk:	0000000000000000"* ]]
	# SIGUSR1 (bit 9) stays ignored, as with a direct execve.
	local ign
	ign=$(sed -n 's/^SigIgn:\t//p' <<<"$output")
	(((0x$ign & 0x200) != 0))
}
