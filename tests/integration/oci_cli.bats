#!/usr/bin/env bats
# features, spec (and a rootless run of spec --rootless), the console
# socket, the global flags (--log, --log-format, --debug,
# --cgroup-manager), and every verb's command line: --help, unknown
# options, and the options runc's callers pass that nsrun ignores.

load oci_helpers

# --- features -------------------------------------------------------------------

@test "features prints valid JSON advertising the namespaces and versions" {
	oci_ok features
	jq -e 'type == "object"' <<<"$output"
	[[ $(jq -r .ociVersionMin <<<"$output") == 1.* ]]
	[[ $(jq -r .ociVersionMax <<<"$output") == 1.* ]]
	local ns
	for ns in cgroup ipc mount network pid user uts; do
		jq -e --arg n "$ns" '.linux.namespaces | index($n) != null' <<<"$output"
	done
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null' <<<"$output"
	jq -e '.mountOptions | index("rbind") != null and index("ro") != null' <<<"$output"
	jq -e '.linux.seccomp.enabled == true' <<<"$output"
	# Exactly the hooks it runs (all six kinds), and no idmapped mounts.
	jq -e '.hooks == ["prestart", "createRuntime", "createContainer", "startContainer",
		"poststart", "poststop"]' <<<"$output"
	jq -e '.mountOptions | index("idmap") == null and index("tmpcopyup") == null' <<<"$output"
}

# --- spec -----------------------------------------------------------------------

@test "spec writes a config.json that runs unchanged, and refuses to overwrite it" {
	local dir=$TEST_TMP/fresh
	mkdir "$dir"
	cp -a "$OCI_ROOTFS" "$dir/rootfs"
	oci_ok spec -b "$dir"
	[ -z "$output" ]
	jq -e . "$dir/config.json" >/dev/null
	[[ $(jq -r .ociVersion "$dir/config.json") == 1.* ]]
	[ "$(jq -r .root.path "$dir/config.json")" = rootfs ]
	jq -e '.process.args | length > 0' "$dir/config.json"
	jq -e '[.linux.namespaces[].type] | index("mount") != null and index("pid") != null' "$dir/config.json"
	# Unchanged, it runs (sh reads EOF from /dev/null and exits 0).
	oci_new_id
	oci run --bundle "$dir" "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$OCI_ROOT/$ID" ]
	# A second spec must not overwrite it.
	echo '{"mine": true}' >"$dir/config.json"
	oci spec -b "$dir"
	assert_error_contains "config.json"
	[ "$(cat "$dir/config.json")" = '{"mine": true}' ]
}

@test "spec without -b writes into the current directory" {
	local dir=$TEST_TMP/cwd
	mkdir "$dir"
	(cd "$dir" && "$NSRUN" spec)
	jq -e . "$dir/config.json" >/dev/null
}

# rootless_bundle DIR PROCESS_FILTER: a bundle in DIR from `spec
# --rootless` run as uid 65534 (its config stays that user's), the jq
# filter applied to it; OCI_ROOT a state root of its own.
rootless_bundle() {
	local dir=$1 tmp
	mkdir "$dir"
	cp -a "$OCI_ROOTFS" "$dir/rootfs"
	chown "$NOBODY_UID:$NOBODY_GID" "$dir"
	as_nobody "$NSRUN" spec --rootless -b "$dir"
	tmp=$(mktemp "$TEST_TMP/.cfg.XXXXXX")
	jq "$2" "$dir/config.json" >"$tmp"
	cat "$tmp" >"$dir/config.json"
	OCI_ROOT=$TEST_TMP/rootless-state
}

@test "spec --rootless: the config runs as uid 65534 with its own --root" {
	local dir=$TEST_TMP/rootless
	rootless_bundle "$dir" '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	jq -e '[.linux.namespaces[].type] | index("user") != null' "$dir/config.json"
	# The mapping is of the caller: 65534.
	[ "$(jq -c '.linux.uidMappings' "$dir/config.json")" = "[{\"containerID\":0,\"hostID\":$NOBODY_UID,\"size\":1}]" ]
	oci_new_id
	status=0
	as_nobody timeout 20 "$NSRUN" --root "$OCI_ROOT" run --bundle "$dir" "$ID" \
		</dev/null >"$TEST_TMP/rl.out" 2>"$TEST_TMP/rl.err" || status=$?
	cat "$TEST_TMP/rl.out" "$TEST_TMP/rl.err"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p "$TEST_TMP/rl.out")" = 0 ]
	[ "$(sed -n 2p "$TEST_TMP/rl.out" | norm_map)" = "0 $NOBODY_UID 1" ]
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "spec --rootless: exec into a running rootless container, as uid 65534" {
	local dir=$TEST_TMP/rootless
	rootless_bundle "$dir" '.process.args = ["sleep", "60"] | .process.terminal = false'
	oci_new_id
	as_nobody timeout 20 "$NSRUN" --root "$OCI_ROOT" run -d --bundle "$dir" "$ID" </dev/null
	local init
	init=$(jq -r .pid "$OCI_ROOT/$ID/state.json")
	oci_track_pid "$init"
	status=0
	as_nobody timeout 20 "$NSRUN" --root "$OCI_ROOT" exec "$ID" \
		sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/pid' \
		</dev/null >"$TEST_TMP/rl.out" 2>"$TEST_TMP/rl.err" || status=$?
	cat "$TEST_TMP/rl.out" "$TEST_TMP/rl.err"
	as_nobody "$NSRUN" --root "$OCI_ROOT" delete --force "$ID"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p "$TEST_TMP/rl.out")" = 0 ]
	[ "$(sed -n 2p "$TEST_TMP/rl.out" | norm_map)" = "0 $NOBODY_UID 1" ]
	[ "$(sed -n 3p "$TEST_TMP/rl.out")" = "$(readlink "/proc/$init/ns/pid")" ]
}

# --- console socket -------------------------------------------------------------

# start_listener: the console listener in the background on
# TEST_TMP/console.sock, writing TEST_TMP/console.json; INPUT is typed
# into the terminal.
start_listener() {
	write_console_listener "$TEST_TMP/listener.py"
	bg_start listener python3 "$TEST_TMP/listener.py" "$TEST_TMP/console.sock" \
		"$TEST_TMP/console.json" "$@"
	LISTENER=$BG_PID
	wait_file "$TEST_TMP/console.sock"
}

@test "--console-socket: one SCM_RIGHTS fd with a payload; the container has a tty" {
	start_listener $'ping\n'
	oci_new_id
	cfg_edit '.process.terminal = true'
	cfg_sh 'tty; read line; echo "got:$line"'
	oci_create --console-socket "$TEST_TMP/console.sock"
	oci_ok start "$ID"
	bg_wait "$LISTENER" 20
	cat "$TEST_TMP/listener.err"
	[ "$BG_STATUS" -eq 0 ]
	local r=$TEST_TMP/console.json
	cat "$r"
	# Exactly one message, with exactly one control message holding one fd.
	[ "$(jq .messages "$r")" -eq 1 ]
	[ "$(jq '.cmsgs | length' "$r")" -eq 1 ]
	[ "$(jq '.cmsgs[0].scm_rights' "$r")" = true ]
	[ "$(jq '.cmsgs[0].len' "$r")" -eq 4 ]
	[ "$(jq .fds "$r")" -eq 1 ]
	local payload
	payload=$(jq -r '.payloads[0]' "$r")
	[ -n "$payload" ]
	((${#payload} < 4096))
	# What the container wrote on its terminal, read through the master.
	local out
	out=$(jq -r .output "$r" | tr -d '\r')
	grep -Eqx '/dev/pts/[0-9]+' <<<"$out"
	grep -qx 'got:ping' <<<"$out"
	oci_wait_status "$ID" stopped
}

@test "--console-socket: exec -d -t hands a new terminal to the listener" {
	oci_new_id
	cfg_args sleep 60
	oci_run_d
	start_listener
	oci_ok exec -d -t --console-socket "$TEST_TMP/console.sock" --pid-file "$TEST_TMP/exec.pid" \
		"$ID" sh -c 'tty; echo exec-done'
	oci_track_pid "$(cat "$TEST_TMP/exec.pid")"
	bg_wait "$LISTENER" 20
	local r=$TEST_TMP/console.json
	cat "$r"
	[ "$(jq .fds "$r")" -eq 1 ]
	[ "$(jq '.cmsgs | length' "$r")" -eq 1 ]
	[ -n "$(jq -r '.payloads[0]' "$r")" ]
	local out
	out=$(jq -r .output "$r" | tr -d '\r')
	grep -Eqx '/dev/pts/[0-9]+' <<<"$out"
	grep -qx exec-done <<<"$out"
}

@test "a console socket without process.terminal is refused, nothing left" {
	start_listener
	oci_new_id
	cfg_args true
	oci create --console-socket "$TEST_TMP/console.sock" --bundle "$BUNDLE" "$ID"
	assert_error_contains "console socket"
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

# --- global flags -----------------------------------------------------------------

@test "--debug with --log-format json: every log line is one JSON object" {
	local log=$TEST_TMP/log.json
	oci_new_id
	cfg_args sleep 30
	oci --debug --log "$log" --log-format json create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	oci_track_pid "$(oci_pid "$ID")"
	oci --debug --log "$log" --log-format json start "$ID"
	[ "$status" -eq 0 ]
	oci --debug --log "$log" --log-format json state "no-such-id-$ID"
	assert_error_contains "container does not exist"
	cat "$log"
	local line
	while IFS= read -r line; do
		jq -e 'type == "object" and (.level | type == "string") and (.msg | type == "string")' <<<"$line" >/dev/null
	done <"$log"
	# containerd takes the last error.
	[ "$(jq -rs 'map(select(.level == "error")) | last | .msg' "$log")" = "container does not exist" ]
}

@test "--log-format with a bad value is refused" {
	oci --log-format yaml list
	assert_error_contains "log-format"
}

@test "--root=DIR and --log=FILE are accepted in the = form" {
	oci_new_id
	cfg_args sleep 30
	status=0
	timeout 20 "$NSRUN" --root="$OCI_ROOT" --log="$TEST_TMP/log" create --bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1 || status=$?
	[ "$status" -eq 0 ]
	oci_track_pid "$(oci_pid "$ID")"
	[ "$(oci_status "$ID")" = created ]
}

@test "--cgroup-manager disabled: no cgroup is made" {
	oci_new_id
	cfg_args sleep 30
	oci_ok --cgroup-manager disabled create --bundle "$BUNDLE" "$ID"
	oci_track_pid "$(oci_pid "$ID")"
	[ "$(oci_status "$ID")" = created ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
	oci_ok --cgroup-manager disabled delete --force "$ID"
}

@test "kill, delete and state accept global flags before the verb (as go-runc passes them)" {
	oci_new_id
	cfg_args sleep 30
	oci_run_d
	oci_ok --log "$TEST_TMP/log" --log-format json kill "$ID" KILL
	oci_wait_status "$ID" stopped
	oci_ok --log "$TEST_TMP/log" --log-format json delete --force "$ID"
	[ ! -e "$OCI_ROOT/$ID" ]
}

@test "the global flags that have no effect are accepted, in both forms" {
	oci_ok --log-level debug --criu /nonexistent --rootless false --no-new-keyring list -q
	oci_ok --log-level=warn --criu=/nonexistent --rootless=auto --no-new-keyring=true \
		--cgroup-manager=cgroupfs list
}

@test "a sandbox command named like a verb runs after --; global flags lead to the runtime" {
	status=0
	"$NSRUN" -U -- run true </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
	cat "$TEST_TMP/err"
	# The sandbox CLI ran a command named run: not found in PATH.
	[ "$status" -eq 127 ]
	oci_ok list
	[[ ${lines[0]} == ID* ]]
}

# --- every verb's command line --------------------------------------------------

OCI_VERBS=(create start run state kill delete exec ps list features spec pause resume update events)

# verb_options VERB: the options VERB takes (its --help lists each).
verb_options() {
	local create="--bundle --pid-file --console-socket --no-pivot --preserve-fds --keep
		--no-new-keyring --no-subreaper --pidfd-socket"
	case $1 in
	create) echo "$create" ;;
	run) echo "$create --detach" ;;
	kill) echo --all ;;
	delete) echo --force ;;
	ps) echo --format ;;
	list) echo --format --quiet ;;
	spec) echo --bundle --rootless ;;
	events) echo --stats --interval ;;
	update) echo --resources --memory --memory-swap --memory-reservation --kernel-memory \
		--kernel-memory-tcp --cpu-share --cpu-period --cpu-quota --cpu-rt-period \
		--cpu-rt-runtime --cpu-idle --cpuset-cpus --cpuset-mems --blkio-weight --pids-limit \
		--l3-cache-schema --mem-bw-schema ;;
	exec) echo --process --detach --tty --pid-file --console-socket --cwd --env --user \
		--additional-gids --cap --no-new-privs --preserve-fds --process-label --apparmor \
		--cgroup --ignore-paused ;;
	esac
}

@test "every verb's --help and -h: status 0, a synopsis and one line per option" {
	local verb opt
	for verb in "${OCI_VERBS[@]}"; do
		oci_ok "$verb" --help
		[[ ${lines[0]} == "Usage: nsrun "*" $verb "* ]]
		for opt in $(verb_options "$verb") --help; do
			grep -Eq -- "^  (-[a-zA-Z], |    )$opt( |\$)" <<<"$output"
		done
		# Read on a terminal: no line wider than 80 columns.
		! grep -Eq '^.{81}' <<<"$output"
		local help=$output
		oci_ok "$verb" -h
		[ "$output" = "$help" ]
	done
}

@test "--help anywhere among a verb's options wins, even over a bad option" {
	oci_ok create --bundle "$BUNDLE" --help
	[[ ${lines[0]} == "Usage: nsrun "*" create "* ]]
	oci_ok kill --bogus --help
	[[ ${lines[0]} == "Usage: nsrun "*" kill "* ]]
	oci_ok delete no-such-id -h
	[[ ${lines[0]} == "Usage: nsrun "*" delete "* ]]
	# After exec's id, words are the command's: its -h is not exec's.
	oci exec no-such-id ls -h
	assert_error_contains "container does not exist"
}

@test "every verb refuses an unknown option with status 125, naming it" {
	local verb
	for verb in "${OCI_VERBS[@]}"; do
		oci "$verb" --bogus
		[ "$status" -eq 125 ]
		assert_error_contains "$verb" "'--bogus'"
		oci "$verb" --bogus=1
		[ "$status" -eq 125 ]
		assert_error_contains "'--bogus'"
	done
	oci ps -x some-id
	[ "$status" -eq 125 ]
	assert_error_contains "'-x'"
	oci create --bundle
	[ "$status" -eq 125 ]
	assert_error_contains "'--bundle'" "needs a value"
	oci run --no-pivot=yes some-id
	[ "$status" -eq 125 ]
	assert_error_contains "'--no-pivot'" "takes no value"
}

@test "the options runc's callers pass that nsrun ignores are accepted" {
	oci_new_id
	cfg_args sleep 30
	oci_ok create --no-new-keyring --no-subreaper --bundle "$BUNDLE" "$ID"
	oci_track_pid "$(oci_pid "$ID")"
	oci_ok start "$ID"
	oci_ok exec --cgroup some/path "$ID" true
	oci_ok list -q
	grep -qx "$ID" <<<"$output"
	oci_ok list --format json
	jq -e --arg id "$ID" 'map(select(.id == $id)) | length == 1' <<<"$output"
	oci_ok list -f table
	oci_ok ps -f json "$ID"
	jq -e 'length >= 1' <<<"$output"
	oci_ok ps --format=json "$ID"
	jq -e 'length >= 1' <<<"$output"
	oci_ok kill -a "$ID" KILL
	oci_wait_status "$ID" stopped
	oci_ok delete -f "$ID"
	# delete --force of a container that is not there: nothing to do.
	oci_ok delete --force "$ID"
	# One container id, exactly.
	oci state "$ID" "$ID"
	assert_error_contains "exactly one container id"
}

# --- a terminal nsrun holds (no --console-socket) ---------------------------------

@test "run with terminal: true and no --console-socket: nsrun holds the pty, its status is the container's" {
	command -v script >/dev/null || skip "no script(1)"
	oci_new_id
	cfg_sh 'tty; read line; echo "got $line"; exit 3'
	cfg_edit '.process.terminal = true'
	local st=0
	printf 'typed\n' | timeout 20 script -qec \
		"$NSRUN --root $OCI_ROOT run --bundle $BUNDLE $ID" /dev/null >"$TEST_TMP/out" || st=$?
	cat -v "$TEST_TMP/out"
	[ "$st" -eq 3 ]
	grep -q '^/dev/pts/[0-9]' "$TEST_TMP/out"
	grep -q 'got typed' "$TEST_TMP/out"
	[ ! -e "$OCI_ROOT/$ID" ]
	[ -z "$(oci_cgroup_dirs "$ID")" ]
}

@test "exec -t without --console-socket: a new pty held by nsrun, the process's status" {
	oci_new_id
	cfg_args sleep 30
	oci_run_d
	local st=0
	printf 'typed\n' | timeout 20 "$NSRUN" --root "$OCI_ROOT" exec -t "$ID" \
		sh -c 'tty; read line; echo "got $line"; exit 4' >"$TEST_TMP/out" || st=$?
	cat -v "$TEST_TMP/out"
	[ "$st" -eq 4 ]
	grep -q '^/dev/pts/[0-9]' "$TEST_TMP/out"
	grep -q 'got typed' "$TEST_TMP/out"
}
