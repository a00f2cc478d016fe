#!/usr/bin/env bats
# The bash completion file: options from nsrun's own --help, verbs, and
# the ids of the containers under the state root the line names.

load oci_helpers

# complete_line WORDS...: the completions bash would offer for the last
# word of "nsrun WORDS..." (an empty last word: after a space).
complete_line() {
	COMP_WORDS=("$NSRUN" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nsrun
	printf '%s\n' "${COMPREPLY[@]}"
}

setup() {
	oci_setup
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../../completions/nsrun.bash"
}

@test "completion: sandbox options come from --help" {
	run complete_line --sand
	[ "$output" = --sandbox ]
	run complete_line --new-se
	[ "$output" = --new-session ]
	run complete_line --print-c
	[ "$output" = --print-config ]
	run complete_line --propagation s
	[[ $output == *shared* && $output == *slave* ]]
}

@test "completion: OCI verbs, and a verb's options from its --help" {
	run complete_line del
	[[ $output == *delete* ]]
	run complete_line delete --fo
	[ "$output" = --force ]
}

@test "completion: container ids under the state root given with --root" {
	cfg_args sleep 30
	local made=()
	for _ in 1 2; do
		oci_new_id
		oci_create
		made+=("$ID")
	done
	run complete_line --root "$OCI_ROOT" kill oci-
	echo "# offered: $output"
	[[ $output == *"${made[0]}"* && $output == *"${made[1]}"* ]]
	# Another root has other containers.
	run complete_line --root "$TEST_TMP/elsewhere" kill oci-
	[ -z "$output" ]
}
