#!/usr/bin/env bats
# reexec-demo: a program built on <nsrun/reexec.h> spawns its "child" stage
# from a sealed copy of itself in new user, UTS and PID namespaces.

load helpers

# run_demo [as_nobody]: run reexec-demo, check what both stages report.
run_demo() {
	local host
	host=$(uname -n)
	run_t --separate-stderr "$@" "$NSRUN_DEMO"
	show_run "$@" "$NSRUN_DEMO"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "child: stage=child pid=1 exe=/memfd:nsrun (deleted) hostname=reexec-child" ]
	[[ ${lines[1]} =~ ^parent:\ child\ ([0-9]+)\ exited\ with\ status\ 0$ ]]
	# The child's PID as the parent sees it: a real one in our namespace.
	[ "${BASH_REMATCH[1]}" -gt 1 ]
	# The child's hostname stayed in its UTS namespace.
	[ "$(uname -n)" = "$host" ]
	[ "$host" != reexec-child ]
}

@test "reexec-demo: the child stage runs as PID 1 from the sealed memfd (root)" {
	run_demo
}

@test "reexec-demo: the same unprivileged (uid 65534)" {
	run_demo as_nobody
}

@test "reexec-demo: the binary on disk is unchanged after the run" {
	local before
	before=$(cksum <"$NSRUN_DEMO")
	run_demo
	[ "$(cksum <"$NSRUN_DEMO")" = "$before" ]
	cmp "$NSRUN_DEMO" "$NSRUN_DEMO_ORIG"
}

@test "reexec-demo: running the parent stage by name does the same" {
	# argv[0] "parent" selects the stage explicitly.
	run_t --separate-stderr bash -c 'exec -a parent "$0"' "$NSRUN_DEMO"
	show_run exec -a parent "$NSRUN_DEMO"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "child: stage=child pid=1 exe=/memfd:nsrun (deleted) hostname=reexec-child" ]
	[[ ${lines[1]} =~ ^parent:\ child\ [0-9]+\ exited\ with\ status\ 0$ ]]
}

@test "nsrun started as its init stage without a launcher exits 125" {
	# argv[0] "nsrun:init" selects the stage; with no launcher on the sync
	# descriptor (here /dev/null: EOF) it must give up, not run anything.
	run_t --separate-stderr bash -c 'exec -a nsrun:init "$0" 5 5</dev/null' "$NSRUN"
	show_run exec -a nsrun:init "$NSRUN" 5
	[ "$status" -eq 125 ]
	[ -z "$output" ]
}
