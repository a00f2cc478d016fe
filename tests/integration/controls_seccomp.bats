#!/usr/bin/env bats
# --seccomp FILE errors: malformed JSON names FILE:LINE:COLUMN, a bad field
# is named by its path in the profile; always 125, one "nsrun: " line, and
# the command does not run.

load helpers
load sandbox_helpers
load attack_helpers

# profile NAME: a profile file from stdin; sets PROFILE.
profile() {
	PROFILE=$TEST_TMP/$1
	cat >"$PROFILE"
	chmod 0644 "$PROFILE"
}

# seccomp_error SUBSTRING...: nsrun -Ur --seccomp PROFILE (and again as
# uid 65534, and through --sandbox) fails with one line holding each.
seccomp_error() {
	local w
	for w in "" as_nobody; do
		run_n --separate-stderr $w -Ur --seccomp "$PROFILE" -- touch "$TEST_TMP/ran"
		show_run "$(who $w):" nsrun -Ur --seccomp "$PROFILE"
		assert_one_error_line "$@"
		[ ! -e "$TEST_TMP/ran" ]
	done
	run_n --separate-stderr --sandbox --seccomp "$PROFILE" -- touch "$TEST_TMP/ran"
	show_run nsrun --sandbox --seccomp "$PROFILE"
	assert_one_error_line "$@"
}

@test "seccomp: malformed JSON: 125, one line naming FILE:LINE:COLUMN" {
	profile broken.json <<-'EOF'
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [ { "names": ["getcwd"] "action": "SCMP_ACT_ERRNO" } ]
		}
	EOF
	seccomp_error "$PROFILE:3:"
	[[ ${stderr_lines[0]} =~ ^nsrun:\ $PROFILE:3:[0-9]+:\ .+ ]]
	# Truncated, and empty.
	profile truncated.json < <(printf '%s' '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [')
	seccomp_error "$PROFILE:1:"
	profile empty.json </dev/null
	seccomp_error "$PROFILE:"
	# A duplicated key is refused too.
	profile dup.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_KILL" }'
	seccomp_error "$PROFILE:1:" defaultAction
}

@test "seccomp: an unknown action, as defaultAction or a rule's action: 125 naming the field and the action" {
	profile bad-default.json <<<'{ "defaultAction": "SCMP_ACT_NOPE" }'
	seccomp_error "$PROFILE" defaultAction "unknown action 'SCMP_ACT_NOPE'"
	profile bad-rule.json <<-'EOF'
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [
				{ "names": ["getpid"], "action": "SCMP_ACT_ALLOW" },
				{ "names": ["getcwd"], "action": "SCMP_ACT_FROB" }
			]
		}
	EOF
	seccomp_error "$PROFILE" "syscalls[1].action" "unknown action 'SCMP_ACT_FROB'"
	profile not-string.json <<<'{ "defaultAction": 7 }'
	seccomp_error "$PROFILE" defaultAction
	profile missing.json <<<'{ "syscalls": [] }'
	seccomp_error "$PROFILE" defaultAction
}

@test "seccomp: an unknown architecture: 125 naming the field (architectures[N])" {
	profile vax.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"] }'
	seccomp_error "$PROFILE" "architectures[1]"
	profile lower.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["x86_64"] }'
	seccomp_error "$PROFILE" "architectures[0]"
}

@test "seccomp: other bad fields are named: errnoRet, args, names, flags" {
	profile errno.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000 } ] }'
	seccomp_error "$PROFILE" "syscalls[0].errnoRet"
	profile args.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 9, "value": 0, "op": "SCMP_CMP_EQ" } ] } ] }'
	seccomp_error "$PROFILE" "syscalls[0].args[0]"
	profile names.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [], "action": "SCMP_ACT_ERRNO" } ] }'
	seccomp_error "$PROFILE" "syscalls[0]" names
	profile flags.json <<<'{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"] }'
	seccomp_error "$PROFILE" "flags[0]"
}

@test "seccomp: a missing profile file: 125 naming it" {
	PROFILE=$TEST_TMP/no-such-profile.json
	seccomp_error --seccomp "$PROFILE"
}
