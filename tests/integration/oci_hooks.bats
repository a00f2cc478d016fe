#!/usr/bin/env bats
# OCI hooks run in the runtime's namespaces: prestart and createRuntime at
# create (status "creating"), poststart at start ("running"), poststop at
# delete ("stopped"), each with the state JSON on stdin, in order, within its
# timeout. A failing create hook leaves nothing behind; poststop only warns.

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
	[ "${got[0]}" = "prestart creating $pid $ID" ]
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

@test "hooks: a failing prestart hook fails create, naming it; a failing poststop only warns" {
	cfg_args true
	cfg_edit '.hooks.prestart = [{path: "/bin/false"}]'
	oci_new_id
	oci create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"hooks.prestart[0]: /bin/false failed"* ]]
	oci state "$ID"
	[[ $stderr == *"container does not exist"* ]]
	cfg_edit '.hooks = {poststop: [{path: "/bin/false"}]}'
	oci_new_id
	oci_create
	oci_ok start "$ID"
	oci_wait_status "$ID" stopped
	oci delete "$ID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: hooks.poststop[0]"* ]]
}
