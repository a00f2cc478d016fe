#!/usr/bin/env bats
# User and group id maps of the new user namespace, and setgroups.

load helpers

setup_file() {
	nsrun_setup_file
	ensure_test_user
}

# Prints uid_map, a "--" line, gid_map, a "--" line, setgroups.
MAPS_SCRIPT='cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups'

# run_maps CMD...: run CMD -- sh -c "$MAPS_SCRIPT"; sets UID_MAP, GID_MAP and
# SETGROUPS (maps normalised to "I O C" lines).
run_maps() {
	run_t "$@" sh -c "$MAPS_SCRIPT"
	show_run "$@"
	[ "$status" -eq 0 ]
	UID_MAP=$(awk '/^--$/ { exit } { print }' <<<"$output" | norm_map)
	GID_MAP=$(awk '/^--$/ { n++; next } n == 1 { print }' <<<"$output" | norm_map)
	SETGROUPS=$(awk '/^--$/ { n++; next } n == 2 { print }' <<<"$output")
	echo "# uid_map: $UID_MAP"
	echo "# gid_map: $GID_MAP"
	echo "# setgroups: $SETGROUPS"
}

@test "-r as root: uid and gid 0 map to ours, in place and staged" {
	local path
	for path in "" -p -f; do
		run_maps "$NSRUN" -r $path --
		[ "$UID_MAP" = "0 $(id -u) 1" ]
		[ "$GID_MAP" = "0 $(id -g) 1" ]
	done
}

@test "-r as uid 65534: 0 maps to 65534, setgroups is deny, in place and staged" {
	local path
	for path in "" -p -f; do
		run_maps as_nobody "$NSRUN" -r $path --
		[ "$UID_MAP" = "0 $NOBODY_UID 1" ]
		[ "$GID_MAP" = "0 $NOBODY_GID 1" ]
		[ "$SETGROUPS" = deny ]
	done
}

@test "-r --setgroups allow as uid 65534: deny is forced (the kernel requires it)" {
	local path
	for path in "" -p; do
		run_maps as_nobody "$NSRUN" -r --setgroups allow $path --
		[ "$GID_MAP" = "0 $NOBODY_GID 1" ]
		[ "$SETGROUPS" = deny ]
	done
}

@test "-r as uid 65534: the command is root inside and files it creates belong to 65534" {
	local path
	for path in "" -p; do
		rm -f "$TEST_TMP/made"
		run_t as_nobody "$NSRUN" -Ur $path -- sh -c 'id -u; id -g; touch "$1"' sh "$TEST_TMP/made"
		show_run as_nobody "$NSRUN" -Ur $path
		[ "$status" -eq 0 ]
		[ "$output" = "0"$'\n'"0" ]
		[ "$(stat -c %u:%g "$TEST_TMP/made")" = "$NOBODY_UID:$NOBODY_GID" ]
	done
}

@test "-M/-G with several ranges as root: maps as given, in place and staged" {
	local map='0 0 1,1 100000 65536' path
	for path in "" -p -f; do
		run_maps "$NSRUN" -M "$map" -G "$map" $path --
		[ "$UID_MAP" = "$(tr ',' '\n' <<<"$map")" ]
		[ "$GID_MAP" = "$(tr ',' '\n' <<<"$map")" ]
	done
}

@test "-M/-G with several ranges as root: a file of host uid 100005 is uid 6 inside" {
	: >"$TEST_TMP/f"
	chown 100005:100007 "$TEST_TMP/f"
	local path
	for path in "" -p; do
		run_t "$NSRUN" -M '0 0 1,1 100000 65536' -G '0 0 1,1 100000 65536' $path -- \
			stat -c %u:%g "$TEST_TMP/f"
		show_run "$NSRUN" -M ... -G ... $path
		[ "$status" -eq 0 ]
		[ "$output" = 6:8 ]
	done
}

@test "-M/-G map a non-zero id inside (root and uid 65534)" {
	local path
	for path in "" -p; do
		run_t "$NSRUN" -M "1000 $(id -u) 1" -G "2000 $(id -g) 1" $path -- sh -c 'id -u; id -g'
		show_run "$NSRUN" -M ... -G ... $path
		[ "$status" -eq 0 ]
		[ "$output" = "1000"$'\n'"2000" ]
		run_t as_nobody "$NSRUN" -M "1000 $NOBODY_UID 1" -G "2000 $NOBODY_GID 1" $path -- \
			sh -c 'id -u; id -g; cat /proc/self/setgroups'
		show_run as_nobody "$NSRUN" -M ... -G ... $path
		[ "$status" -eq 0 ]
		[ "$output" = "1000"$'\n'"2000"$'\n'"deny" ]
	done
}

@test "-M without -G as root: uid_map written, gid_map left empty" {
	local path
	for path in "" -p; do
		run_maps "$NSRUN" -M "0 $(id -u) 1" $path --
		[ "$UID_MAP" = "0 $(id -u) 1" ]
		[ -z "$GID_MAP" ]
	done
}

@test "-M/-G with 340 ranges (the kernel's limit) as root, in place and staged" {
	# Short numbers: the kernel also wants the whole map in under a page.
	local map="" i
	for ((i = 0; i < 340; i++)); do
		map+="${map:+,}$i $((i * 2)) 1"
	done
	local path
	for path in "" -p; do
		run_t "$NSRUN" -M "$map" -G "$map" $path -- sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map'
		[ "$status" -eq 0 ] || show_run "$NSRUN" -M '<340 ranges>' -G '<340 ranges>' $path
		[ "$status" -eq 0 ]
		[ "$(norm_map <<<"$output")" = "$(tr ',' '\n' <<<"$map,$map")" ]
	done
}

@test "--map-auto as nsrun-test: 0 is the user, 1.. the /etc/subuid and /etc/subgid range" {
	local uid_range gid_range
	uid_range=$(subid_range /etc/subuid)
	gid_range=$(subid_range /etc/subgid)
	echo "# subuid: $uid_range  subgid: $gid_range"
	[ -n "$uid_range" ] && [ -n "$gid_range" ]
	local path
	for path in "" -p -f; do
		run_maps as_test_user "$NSRUN" --map-auto $path --
		[ "$UID_MAP" = "0 $TEST_USER_UID 1"$'\n'"1 $uid_range" ]
		[ "$GID_MAP" = "0 $TEST_USER_GID 1"$'\n'"1 $gid_range" ]
	done
}

@test "--map-auto as nsrun-test: the command is root and sees subordinate ids" {
	local uid_start gid_start
	uid_start=$(subid_range /etc/subuid | cut -d' ' -f1)
	gid_start=$(subid_range /etc/subgid | cut -d' ' -f1)
	: >"$TEST_TMP/f"
	chown "$((uid_start + 4)):$((gid_start + 9))" "$TEST_TMP/f"
	local path
	for path in "" -p; do
		run_t as_test_user "$NSRUN" --map-auto $path -- sh -c 'id -u; stat -c %u:%g "$1"' sh "$TEST_TMP/f"
		show_run as_test_user "$NSRUN" --map-auto $path
		[ "$status" -eq 0 ]
		[ "$output" = "0"$'\n'"5:10" ]
	done
}

# run_setgroups VALUE [PATH]: as root, nsrun -r --setgroups VALUE (on the
# staged PATH, if given): /proc/self/setgroups inside must say VALUE; then
# run_t of setpriv --groups 0 id -G inside, for the caller to check.
run_setgroups() {
	local value=$1 path=${2:-}
	run_maps "$NSRUN" -r --setgroups "$value" $path --
	[ "$SETGROUPS" = "$value" ]
	run_t "$NSRUN" -r --setgroups "$value" $path -- setpriv --groups 0 id -G
	show_run "$NSRUN" -r --setgroups "$value" $path -- setpriv --groups 0 id -G
}

@test "--setgroups allow as root: setgroups(2) works inside, in place and staged" {
	local path
	for path in "" -p; do
		run_setgroups allow "$path"
		[ "$status" -eq 0 ]
		[ "$output" = 0 ]
	done
}

@test "--setgroups deny as root: setgroups(2) fails inside, in place and staged" {
	local path
	for path in "" -p; do
		run_setgroups deny "$path"
		[ "$status" -ne 0 ]
	done
}

# nsrun(1): deny is forced where the gid map is written without CAP_SETGID in
# the parent namespace, which the in-place path does for its own single-id
# map; anywhere else root keeps setgroups(2).
@test "root without --setgroups: deny for -r in place, allow staged and for several ranges" {
	local path
	run_maps "$NSRUN" -r --
	[ "$SETGROUPS" = deny ]
	for path in -p -f; do
		run_maps "$NSRUN" -r $path --
		[ "$SETGROUPS" = allow ]
	done
	for path in "" -p; do
		run_maps "$NSRUN" -M '0 0 1,1 100000 65536' -G '0 0 1,1 100000 65536' $path --
		[ "$SETGROUPS" = allow ]
	done
}

@test "-U without a map: the command runs as the overflow uid" {
	local overflow
	overflow=$(cat /proc/sys/kernel/overflowuid)
	local path
	for path in "" -p; do
		run_t "$NSRUN" -U $path -- sh -c 'id -u; wc -l < /proc/self/uid_map'
		show_run "$NSRUN" -U $path
		[ "$status" -eq 0 ]
		[ "$output" = "$overflow"$'\n'"0" ]
	done
}
