#!/usr/bin/env bats
# Usage errors and failures of nsrun itself: exit status 125 and exactly one
# line on stderr, "nsrun: ...", naming the option and value at fault; the
# command never runs. Plus --help and --version.

load helpers

# expect_error [as_nobody] SUBSTRING... -- NSRUN ARGS...: nsrun ARGS (the
# command touches a marker file) fails with 125 and one line naming every
# SUBSTRING; the command did not run.
expect_error() {
	local w=""
	if [[ $1 == as_nobody ]]; then
		w=as_nobody
		shift
	fi
	local -a subs=()
	while [[ $1 != -- ]]; do
		subs+=("$1")
		shift
	done
	shift
	local marker=$TEST_TMP/ran
	run_t --separate-stderr $w "$NSRUN" "$@" touch "$marker"
	show_run $w "$NSRUN" "$@" touch "$marker"
	assert_one_error_line "${subs[@]}"
	[ ! -e "$marker" ]
}

# --- id maps ----------------------------------------------------------------

@test "-M '0 1000': two numbers, not three" {
	expect_error "-M" "0 1000" -- -M '0 1000' --
}

@test "-M 'a b c': not numbers" {
	expect_error "-M" "a b c" "'a'" -- -M 'a b c' --
}

@test "-G '0 0 1 5': four numbers" {
	expect_error "-G" "0 0 1 5" -- -U -G '0 0 1 5' --
}

@test "-M '0 1000 0': a count of 0" {
	expect_error "-M" "0 1000 0" -- -M '0 1000 0' --
}

@test "-M '0 4294967295 1': past the last id" {
	expect_error "-M" "0 4294967295 1" -- -M '0 4294967295 1' --
}

@test "-M with ranges that overlap inside, or outside" {
	expect_error "-M" "0 1000 10" "5 2000 10" "overlap" -- -M '0 1000 10,5 2000 10' --
	expect_error "-G" "0 1000 10" "100 1005 1" "overlap" -- -G '0 1000 10,100 1005 1' --
}

@test "-M with 341 ranges: over the kernel's limit of 340" {
	local map="" i
	for ((i = 0; i < 341; i++)); do
		map+="${map:+,}$i $i 1"
	done
	expect_error "-M" "340" -- -M "$map" --
}

@test "-M longer than the kernel takes (a page): refused with a message naming -M" {
	# 300 ranges, fewer than 340, but over 4096 bytes as uid_map text.
	local map="" i
	for ((i = 0; i < 300; i++)); do
		map+="${map:+,}$((1000000 + i)) $((2000000 + i * 2)) 1"
	done
	echo "# uid_map text: $(tr ',' '\n' <<<"$map" | wc -c) bytes"
	local path
	for path in "" -p; do
		expect_error "-M" -- -M "$map" $path --
	done
}

@test "unprivileged -M '0 0 1': names uid 0 and suggests --map-auto" {
	expect_error as_nobody "-M" "uid 0" "--map-auto" -- -M '0 0 1' --
	expect_error as_nobody "-G" "gid 0" "--map-auto" -- -U -G '0 0 1' --
	expect_error as_nobody "-M" "uid 0" "--map-auto" -- -M '0 0 1' -p --
}

@test "unprivileged -M of more than its own id: names the id, suggests --map-auto" {
	expect_error as_nobody "-M" "uid $NOBODY_UID" "--map-auto" -- -M "0 $NOBODY_UID 2" --
	expect_error as_nobody "-G" "gid 100000" "--map-auto" -- \
		-M "0 $NOBODY_UID 1" -G "0 $NOBODY_GID 1,1 100000 10" --
}

@test "--map-auto as uid 65534, which has no /etc/subuid entry: names the user" {
	local name
	name=$(getent passwd "$NOBODY_UID" | cut -d: -f1)
	! grep -qE "^($name|$NOBODY_UID):" /etc/subuid
	expect_error as_nobody "--map-auto" "$name" "/etc/subuid" -- --map-auto --
	expect_error as_nobody "--map-auto" "$name" "/etc/subuid" -- --map-auto -p --
}

@test "-r together with --map-auto, or with -M: conflicting id options" {
	expect_error "--map-auto" "-r" -- -r --map-auto --
	expect_error "-M" "-r" -- -r -M '0 0 1' --
}

@test "--setgroups maybe: names the value" {
	expect_error "--setgroups" "maybe" -- -Ur --setgroups maybe --
}

# --- joins --------------------------------------------------------------------

@test "--join bogus:/x: unknown namespace type" {
	expect_error "--join" "bogus" -- --join bogus:/x --
}

@test "--join net (no path) and --join :/x: malformed" {
	expect_error "--join" "'net'" -- --join net --
	expect_error "--join" ":/x" -- --join :/x --
}

@test "--join twice of one type: the second is named" {
	expect_error "--join net:/proc/1/ns/net" "already joined" -- \
		--join net:/proc/self/ns/net --join net:/proc/1/ns/net --
}

@test "--join mnt with a filesystem option, which makes a new mount namespace: conflict" {
	expect_error "--join mnt:/proc/self/ns/mnt" "conflicts" "new mnt namespace" -- \
		--tmpfs /x --join mount:/proc/self/ns/mnt --
}

@test "--join net:/proc/self/ns/uts: a namespace of another type, names path and types" {
	local path
	for path in "" -p; do
		expect_error "--join" "/proc/self/ns/uts" "uts" "net" -- --join net:/proc/self/ns/uts $path --
	done
}

@test "--join net:FILE: not a namespace file" {
	: >"$TEST_TMP/plain"
	expect_error "--join" "$TEST_TMP/plain" "namespace" -- --join "net:$TEST_TMP/plain" --
	expect_error "--join" "$TEST_TMP/plain" "namespace" -- --join "net:$TEST_TMP/plain" -p --
}

@test "--join net:MISSING: names the path" {
	expect_error "--join" "$TEST_TMP/missing" -- --join "net:$TEST_TMP/missing" --
}

@test "--join and a new namespace of the same type: conflict" {
	expect_error "--join" "net" -- -n --join net:/proc/self/ns/net --
}

@test "--join net: of root's namespace as uid 65534: setns refused, named" {
	expect_error as_nobody "--join" "/proc/1/ns/net" -- --join net:/proc/1/ns/net --
}

# --- the --sandbox preset -------------------------------------------------------

# A later --tmpfs /proc and a symlink to itself make one of the preset's
# paths fail to resolve.
@test "--sandbox: an error in a path the preset masks or makes read-only names --sandbox" {
	expect_error "--sandbox /proc/kcore:" "Too many levels" -- \
		--sandbox --tmpfs /proc --symlink kcore /proc/kcore --
	expect_error "--sandbox /proc/sys:" "Too many levels" -- \
		--sandbox --tmpfs /proc --symlink sys /proc/sys --
	expect_error as_nobody "--sandbox /proc/kcore:" -- \
		--sandbox --tmpfs /proc --symlink kcore /proc/kcore --
}

@test "--sandbox with --mask and --ro of its own: those name --mask and --ro" {
	expect_error "--mask /proc/m:" -- --sandbox --tmpfs /proc --symlink m /proc/m --mask /proc/m --
	expect_error "--ro /proc/r:" -- --sandbox --tmpfs /proc --symlink r /proc/r --ro /proc/r --
}

# --- command line -------------------------------------------------------------

@test "an unknown option: named" {
	expect_error "--no-such-option" -- --no-such-option --
	expect_error "'-x'" -- -x --
}

@test "an option without its value: named" {
	run_t --separate-stderr "$NSRUN" -M
	show_run "$NSRUN" -M
	assert_one_error_line "-M"
	run_t --separate-stderr "$NSRUN" -U --keep-fd
	show_run "$NSRUN" -U --keep-fd
	assert_one_error_line "--keep-fd"
}

@test "--keep-fd and --block-fd with a value that is not a descriptor: named" {
	expect_error "--keep-fd" "abc" -- -U --keep-fd abc --
	expect_error "--block-fd" "-1" -- -U --block-fd -1 --
}

@test "--tmpfs '' and --bind SRC '': a step without a destination, named" {
	expect_error "--tmpfs" "no destination" -- --tmpfs '' --
	expect_error "--bind" "no destination" -- --bind / '' --
}

@test "no command: nsrun -U, nsrun -U --" {
	run_t --separate-stderr "$NSRUN" -U
	show_run "$NSRUN" -U
	assert_one_error_line "command"
	run_t --separate-stderr "$NSRUN" -U --
	show_run "$NSRUN" -U --
	assert_one_error_line "command"
}

@test "--help: exit 0, usage on stdout, every option mentioned" {
	run_t --separate-stderr "$NSRUN" --help
	show_run "$NSRUN" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ ${lines[0]} == Usage:\ nsrun* ]]
	# Every option the parser knows, read from its tables.
	local src=$BATS_TEST_DIRNAME/../../src/cli/options.c
	local longs shorts opt
	longs=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",.*/\1/p' "$src")
	shorts=$(sed -n 's/^static const char short_opts\[\] = "+\{0,1\}:\{0,1\}\([A-Za-z:]*\)";/\1/p' "$src" | tr -d :)
	echo "# long options: $(echo $longs)"
	echo "# short options: $shorts"
	[ "$(wc -w <<<"$longs")" -ge 20 ]
	[ "${#shorts}" -ge 15 ]
	for opt in $longs; do
		[[ $output == *"--$opt"* ]] || { echo "# --$opt missing from --help"; return 1; }
	done
	local i
	for ((i = 0; i < ${#shorts}; i++)); do
		[[ $output == *"-${shorts:i:1},"* || $output == *"-${shorts:i:1} "* ]] ||
			{ echo "# -${shorts:i:1} missing from --help"; return 1; }
	done
	# -h works too.
	run_t "$NSRUN" -h
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == Usage:\ nsrun* ]]
}

@test "-V and --version: the project's version" {
	local want
	want=$(sed -n "s/^[[:space:]]*version[[:space:]]*:[[:space:]]*'\([^']*\)'.*/\1/p" \
		"$BATS_TEST_DIRNAME/../../meson.build" | head -n 1)
	echo "# meson.build version: $want"
	[ -n "$want" ]
	local opt
	for opt in -V --version; do
		run_t --separate-stderr "$NSRUN" $opt
		show_run "$NSRUN" $opt
		[ "$status" -eq 0 ]
		# go-runc reads "<name> version X" and "spec: Y" lines
		[ "${lines[0]}" = "nsrun version $want" ]
		[[ "${lines[1]}" == "spec: 1."* ]]
		[ -z "$stderr" ]
	done
}

# --- one line whatever the input ----------------------------------------------

@test "an option value with a newline in it still gives one error line (control characters shown as ?)" {
	expect_error "--chdir" "/no?such" -- -U -r --chdir $'/no\nsuch' --
	expect_error "--rlimit" "FOO?BAR" -- --rlimit $'FOO\nBAR=1' --
}

@test "an OCI container id with a newline: one error line" {
	"$NSRUN" spec -b "$TEST_TMP"
	run_t --separate-stderr "$NSRUN" --root "$TEST_TMP/state" create --bundle "$TEST_TMP" $'bad\nid'
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "nsrun: "*"bad?id"* ]]
}
