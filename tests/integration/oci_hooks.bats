#!/usr/bin/env bats
# OCI hooks run in the runtime's namespaces: prestart (status "created")
# and createRuntime ("creating") at create, poststart at start ("running",
# once the process runs), poststop at delete ("stopped"), each with the
# state JSON on stdin, in order, within its timeout. A failing create hook
# leaves nothing behind; poststart and poststop only warn.
# createContainer (at create, before pivot_root) and startContainer (at
# start, before the command) run in the container's namespaces.

load helpers
load sandbox_helpers
load oci_helpers


@test "hooks: prestart, createRuntime, poststart and poststop run in order with the state on stdin" {
	cfg_sh 'echo running; sleep 0.3'
	local h
	for kind in prestart createRuntime poststart poststop; do
		cfg_edit ".hooks.$kind = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"jq -r '\\\"$kind \\\\(.status) \\\\(.pid) \\\\(.id)\\\"' >> $TEST_TMP/hooks.log\"]}]"
	done
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci_ok delete "$ID"
	cat "$TEST_TMP/hooks.log"
	mapfile -t got <"$TEST_TMP/hooks.log"
	[ "${#got[@]}" -eq 4 ]
	[ "${got[0]}" = "prestart created $pid $ID" ]
	[ "${got[1]}" = "createRuntime creating $pid $ID" ]
	[ "${got[2]}" = "poststart running $pid $ID" ]
	[ "${got[3]}" = "poststop stopped 0 $ID" ]
}

@test "hooks: a createRuntime hook past its timeout fails create and leaves nothing" {
	cfg_args true
	cfg_edit '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"hooks.createRuntime[0]"*"timed out"* ]]
	oci state "$ID"
	[[ $stderr == *"container does not exist"* ]]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

# create_fails_on_hook KIND: with a KIND hook that fails, create fails,
# naming the hook, and no container of the id exists afterwards.
create_fails_on_hook() {
	cfg_edit ".hooks.$1 = [{path: \"/bin/false\"}]"
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"hooks.$1[0]: /bin/false failed"* ]]
	oci state "$ID"
	[[ $stderr == *"container does not exist"* ]]
}

@test "hooks: a failing prestart hook fails create, naming it; a failing poststop only warns" {
	cfg_args true
	create_fails_on_hook prestart
	cfg_edit '.hooks = {poststop: [{path: "/bin/false"}]}'
	oci_new_id
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci delete "$ID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: hooks.poststop[0]"* ]]
}

@test "hooks: a failing poststart hook warns; the next one runs and the container goes on" {
	cfg_sh 'sleep 0.5; echo done >/tmp/done'
	cfg_edit '.hooks.poststart = [{path: "/bin/false"},
		{path: "/bin/sh", args: ["sh", "-c", "cat /proc/$(jq .pid)/comm > '"$TEST_TMP"'/second"]}]'
	oci_new_id
	oci_create
	oci start "$ID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: hooks.poststart[0]: /bin/false failed"* ]]
	# The second hook ran once the container's own program did.
	[ "$(cat "$TEST_TMP/second")" = sh ]
	oci_wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/done")" = done ]
	oci_new_id
	oci_ok run --bundle "$BUNDLE" "$ID"
	[[ $stderr == *"warning: hooks.poststart[0]"* ]]
}

@test "hooks: createContainer runs at create in the container's mount namespace, after its mounts, its path on the host" {
	cfg_args sleep 30
	cfg_edit ".hooks.createContainer = [{path: \"/bin/sh\", args: [\"sh\", \"-c\",
		\"jq -r '\\\"\\\\(.status) \\\\(.pid) \\\\(.id)\\\"' > $TEST_TMP/cc.log;
		readlink /proc/self/ns/mnt > $TEST_TMP/cc.mnt;
		test -e $BUNDLE/rootfs/proc/self/stat && echo proc > $TEST_TMP/cc.proc\"]}]"
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	[ "$(cat "$TEST_TMP/cc.log")" = "creating $pid $ID" ]
	# The container's mount namespace, where its /proc is already mounted.
	[ "$(cat "$TEST_TMP/cc.mnt")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(cat "$TEST_TMP/cc.mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	[ "$(cat "$TEST_TMP/cc.proc")" = proc ]
	oci_ok delete --force "$ID"
}

@test "hooks: startContainer runs at start, not at create, in the container, its path inside the container" {
	cfg_sh 'cat /tmp/started'
	# /bin/sh and /tmp are the container's (busybox), not the host's.
	cfg_edit '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "cat > /tmp/started"]}]'
	oci_new_id
	oci_create
	local pid
	pid=$(oci_pid "$ID")
	[ ! -e "$BUNDLE/rootfs/tmp/started" ]
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[ "$(jq -r '"\(.status) \(.pid) \(.id)"' "$BUNDLE/rootfs/tmp/started")" = "created $pid $ID" ]
	oci_ok delete "$ID"
}

@test "hooks: a failing createContainer hook fails create, naming it, and leaves nothing; a failing startContainer hook stops the container" {
	cfg_args true
	create_fails_on_hook createContainer
	cfg_sh 'echo ran'
	cfg_edit '.hooks = {startContainer: [{path: "/bin/false"}]}'
	oci_new_id
	oci_create
	# The container writes to create's stdout.
	local out=$OCI_OUT
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[[ $(cat "$out") != *ran* ]]
	cfg_edit '.hooks = {startContainer: [{path: "/bin/true"}]}'
	oci_new_id
	oci_create
	out=$OCI_OUT
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	[[ $(cat "$out") == ran ]]
	oci_ok delete "$ID"
}
