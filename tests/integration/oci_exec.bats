#!/usr/bin/env bats
# exec: another process in a running container, with arguments or with a
# process file as conmon and containerd's shim write it.

load oci_helpers

NS_TYPES='cgroup ipc mnt net pid user uts'

# A running container: sleep as init, hostname oci-exec-test.
start_container() {
	oci_new_id
	cfg_args sleep 60
	cfg_edit '.hostname = "oci-exec-test"'
	oci_run_d
	INIT=$(oci_pid "$ID")
}

# "TYPE LINK" of a process's namespaces, as seen from the host.
host_ns_of() {
	local t
	for t in $NS_TYPES; do
		echo "$t $(readlink "/proc/$1/ns/$t")"
	done
}

@test "exec runs in the container's namespaces, with its hostname, not as pid 1" {
	start_container
	oci_ok exec "$ID" sh -c 'for t in '"$NS_TYPES"'; do echo "$t $(readlink /proc/self/ns/$t)"; done
		echo "hostname=$(hostname)"; echo "mypid=$$"'
	local want
	want=$(host_ns_of "$INIT")
	assert_text "$want" "$(grep -v -e '^hostname=' -e '^mypid=' <<<"$output")"
	grep -qx 'hostname=oci-exec-test' <<<"$output"
	local pid
	pid=$(sed -n 's/^mypid=//p' <<<"$output")
	((pid > 1))
	# And not in ours.
	[ "$(readlink /proc/self/ns/pid)" != "$(readlink "/proc/$INIT/ns/pid")" ]
}

@test "the container's process and an exec'd one each lead a session of their own, as with runc (off the caller's terminal)" {
	start_container
	# The field after the process group in /proc/PID/stat is the session.
	oci_ok exec "$ID" sh -c 'read _ _ _ _ _ sid _ </proc/self/stat; echo "$$ $sid"
		read _ _ _ _ _ sid _ </proc/1/stat; echo "1 $sid"'
	local pid
	pid=$(head -1 <<<"$output" | cut -d' ' -f1)
	assert_text "$pid $pid
1 1" "$output"
}

@test "exec runs in the container's cgroups" {
	start_container
	oci_ok exec "$ID" sh -c 'cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup'
	local self init
	self=$(sed '/^---$/,$d' <<<"$output")
	init=$(sed '1,/^---$/d' <<<"$output")
	[ -n "$self" ]
	assert_text "$init" "$self"
	# From the host: a detached exec is in every cgroup of the init.
	oci_ok exec -d --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 30
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	oci_track_pid "$pid"
	assert_text "$(cat "/proc/$INIT/cgroup")" "$(cat "/proc/$pid/cgroup")"
	oci_ok ps --format json "$ID"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
}

@test "exec -d --pid-file writes the host pid of the exec'd process, without a newline" {
	start_container
	oci_ok exec -d --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 30
	[ -z "$output" ]
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	[[ $pid =~ ^[1-9][0-9]*$ ]]
	[ "$(wc -c <"$TEST_TMP/exec.pid")" -eq "${#pid}" ]
	oci_track_pid "$pid"
	[ "$pid" != "$INIT" ]
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	[ "$(proc_state "$pid")" != Z ]
	assert_text "$(host_ns_of "$INIT")" "$(host_ns_of "$pid")"
	# The container is still running, its init unchanged.
	[ "$(oci_status "$ID")" = running ]
	[ "$(oci_pid "$ID")" = "$INIT" ]
}

@test "exec --process FILE: a bare process object with user, args, env, cwd, capabilities, rlimits" {
	start_container
	cat >"$TEST_TMP/process.json" <<-'EOF'
		{
			"terminal": false,
			"user": { "uid": 1000, "gid": 1000, "additionalGids": [2000] },
			"args": [ "sh", "-c", "echo uid $(id -u); echo gid $(id -g); echo groups $(id -G); echo cwd $(pwd); grep ^Cap /proc/$$/status; grep '^Max open files' /proc/$$/limits; grep ^NoNewPrivs /proc/$$/status; echo env; tr '\\0' '\\n' </proc/$$/environ; echo end" ],
			"env": [ "PATH=/usr/bin:/bin", "FOO=from the process file", "HOME=/home/app" ],
			"cwd": "/home/app",
			"capabilities": {
				"bounding": [ "CAP_KILL", "CAP_CHOWN" ],
				"effective": [ "CAP_KILL" ],
				"permitted": [ "CAP_KILL" ],
				"inheritable": [ "CAP_KILL" ],
				"ambient": [ "CAP_KILL" ]
			},
			"rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 200, "hard": 300 } ],
			"noNewPrivileges": true
		}
	EOF
	oci_ok exec --process "$TEST_TMP/process.json" "$ID"
	grep -qx 'uid 1000' <<<"$output"
	grep -qx 'gid 1000' <<<"$output"
	grep -qx 'groups 1000 2000' <<<"$output"
	grep -qx 'cwd /home/app' <<<"$output"
	grep -qx "CapBnd:	$(caps_mask CAP_KILL CAP_CHOWN)" <<<"$output"
	grep -qx "CapInh:	$(caps_mask CAP_KILL)" <<<"$output"
	grep -qx "CapPrm:	$(caps_mask CAP_KILL)" <<<"$output"
	grep -qx "CapEff:	$(caps_mask CAP_KILL)" <<<"$output"
	grep -qx "CapAmb:	$(caps_mask CAP_KILL)" <<<"$output"
	grep -Eqx 'Max open files +200 +300 +files *' <<<"$output"
	grep -qx 'NoNewPrivs:	1' <<<"$output"
	# The environment is the process file's, exactly.
	assert_text "$(printf '%s\n' 'PATH=/usr/bin:/bin' 'FOO=from the process file' 'HOME=/home/app')" \
		"$(sed -e '1,/^env$/d' -e '/^end$/,$d' <<<"$output")"
}

@test "exec -d --process FILE --pid-file F: as conmon and containerd's shim call it" {
	start_container
	cat >"$TEST_TMP/process.json" <<-'EOF'
		{
			"user": { "uid": 0, "gid": 0 },
			"args": [ "sleep", "30" ],
			"env": [ "PATH=/bin", "FOO=detached" ],
			"cwd": "/"
		}
	EOF
	oci_ok exec --pid-file "$TEST_TMP/exec.pid" --process "$TEST_TMP/process.json" --detach "$ID"
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	oci_track_pid "$pid"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT/ns/pid")" ]
	# The environment of the process file (read from the host).
	assert_text "$(printf '%s\n' PATH=/bin FOO=detached)" "$(tr '\0' '\n' <"/proc/$pid/environ")"
}

@test "exec with arguments takes config.json's environment plus -e, nothing from the caller" {
	start_container
	cfg_edit '.process.env = ["PATH=/bin:/usr/bin", "FROM_CONFIG=yes"]'
	# The config was read at create: restart with the new one.
	oci_ok delete --force "$ID"
	oci_run_d
	INIT=$(oci_pid "$ID")
	export NSRUN_CALLER_ONLY=leak
	oci_ok exec -e EXTRA=1 "$ID" cat /proc/self/environ
	unset NSRUN_CALLER_ONLY
	assert_text "$(printf '%s\n' PATH=/bin:/usr/bin FROM_CONFIG=yes EXTRA=1)" "$(tr '\0' '\n' <"$OCI_OUT")"
}

@test "exec starts from the container's config as created: its process and seccomp filter, whatever the bundle says since" {
	start_container
	cfg_edit '.process.env = ["PATH=/bin:/usr/bin", "AT_CREATE=yes"]'
	cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	oci_ok delete --force "$ID"
	oci_run_d
	# The bundle changes after create; the profile cache is emptied.
	cfg_edit '.process.env = ["PATH=/bin:/usr/bin", "AFTER_CREATE=yes"] | del(.linux.seccomp)'
	rm -f "$OCI_ROOT"/@seccomp/*
	oci exec "$ID" sh -c 'tr "\0" "\n" </proc/self/environ; /bin/pwd'
	[ "$status" -ne 0 ]
	assert_text "$(printf '%s\n' PATH=/bin:/usr/bin AT_CREATE=yes)" "$output"
	[[ $stderr == *"Permission denied"* ]]
	oci_ok exec "$ID" sh -c 'grep ^Seccomp: /proc/self/status'
	assert_text "Seccomp:	2" "$output"
}

@test "exec into a container without an exec context (made by an earlier nsrun) reads its bundle's config.json" {
	start_container
	rm "$OCI_ROOT/$ID/exec.context"
	cfg_edit '.process.env = ["PATH=/bin:/usr/bin", "FROM_BUNDLE=yes"]'
	oci_ok exec "$ID" cat /proc/self/environ
	assert_text "$(printf '%s\n' PATH=/bin:/usr/bin FROM_BUNDLE=yes)" "$(tr '\0' '\n' <"$OCI_OUT")"
}

@test "exec with a damaged exec context fails with one line naming the file, and runs nothing" {
	start_container
	local f=$OCI_ROOT/$ID/exec.context
	for damage in truncate flip; do
		cp "$f" "$TEST_TMP/context"
		case $damage in
		truncate) head -c 40 "$TEST_TMP/context" >"$f" ;;
		flip) printf 'X' | dd of="$f" bs=1 seek=0 conv=notrunc status=none ;;
		esac
		oci exec "$ID" sh -c 'echo ran >/tmp/exec-ran'
		[ "$status" -ne 0 ]
		assert_error_contains "exec: $f: not an exec context of this nsrun"
		[ ! -e "$BUNDLE/rootfs/tmp/exec-ran" ]
		cp "$TEST_TMP/context" "$f"
	done
	oci_ok exec "$ID" true
}

@test "exec --cwd and --user override the config's process" {
	start_container
	oci_ok exec --cwd /tmp --user 1000:2000 "$ID" sh -c 'pwd; id -u; id -g'
	assert_text "$(printf '%s\n' /tmp 1000 2000)" "$output"
}

@test "a foreground exec exits with the command's status and passes its output" {
	start_container
	oci exec "$ID" sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	oci exec "$ID" true
	[ "$status" -eq 0 ]
	oci exec "$ID" false
	[ "$status" -eq 1 ]
	[ "$(oci_status "$ID")" = running ]
}

@test "exec of a missing command exits 127" {
	start_container
	oci exec "$ID" no-such-command
	[ "$status" -eq 127 ]
	[[ $stderr == *no-such-command* ]]
	[ "$(oci_status "$ID")" = running ]
}

@test "exec into a stopped container fails" {
	oci_new_id
	cfg_args true
	oci_run_d
	oci_wait_status "$ID" stopped
	oci exec "$ID" sh -c 'echo ran >/tmp/exec-ran'
	assert_error_contains
	[ "$status" -ne 127 ]
	[ ! -e "$BUNDLE/rootfs/tmp/exec-ran" ]
}

@test "exec processes die with the container on delete --force" {
	start_container
	oci_ok exec -d --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 30
	local id
	id=$(proc_id "$(cat "$TEST_TMP/exec.pid")")
	oci_track_pid "$(cat "$TEST_TMP/exec.pid")"
	oci_ok delete --force "$ID"
	retry 5 oci_proc_gone "$id"
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}
