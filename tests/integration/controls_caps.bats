#!/usr/bin/env bats
# --cap-drop and --cap-add: capability names as capabilities(7) spells them,
# with or without CAP_, in any case; the five sets of the command for root
# and for a non-root --as user; --no-new-privs and the no_new_privs that a
# seccomp filter implies without CAP_SYS_ADMIN.

load helpers
load sandbox_helpers
load attack_helpers

# Every capability this kernel has, as /proc/PID/status prints a set.
all_caps() {
	printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1))
}

# capset BIT...: the set with those capability numbers.
capset() {
	local v=0 b
	for b; do
		v=$((v | (1 << b)))
	done
	printf '%016x' "$v"
}

CAP_CHOWN=0
CAP_KILL=5
CAP_NET_BIND_SERVICE=10
CAP_NET_RAW=13
CAP_SYS_ADMIN=21

# caps_run [as_nobody|as_test_user] NSRUN-ARG...: runs the command printing
# "INH PRM EFF BND AMB" and the NoNewPrivs value, as CAPS and NNP.
caps_run() {
	run_n "$@" /bin/sh -c '
		awk "/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { printf \"%s \", \$2 } /^NoNewPrivs:/ { nnp = \$2 } END { print \"\"; print nnp }" /proc/self/status'
	show_run "$@"
	[ "$status" -eq 0 ]
	CAPS=${lines[0]% }
	NNP=${lines[1]}
	echo "# caps: $CAPS, no_new_privs: $NNP"
}

@test "caps: names with or without CAP_, in any case, drop that capability from the bounding set" {
	local name want
	want=$(printf '%016x' $((0x$(all_caps) & ~(1 << CAP_NET_RAW))))
	for name in net_raw NET_RAW CAP_NET_RAW cap_net_raw Cap_Net_Raw nEt_RaW; do
		caps_run -Ur --cap-drop "$name" --
		[ "$CAPS" = "0000000000000000 $want $want $want 0000000000000000" ]
	done
	# --cap-add takes the same spellings.
	caps_run -Ur --cap-drop all --cap-add cap_chown --cap-add Net_Bind_Service --cap-add KILL --
	local added
	added=$(capset $CAP_CHOWN $CAP_NET_BIND_SERVICE $CAP_KILL)
	[ "$CAPS" = "$added $added $added $added $added" ]
}

@test "caps: an unknown capability name is an error: 125, one line naming it, the command does not run" {
	local opt name
	for opt in --cap-drop --cap-add; do
		for name in bogus CAP_BOGUS CAP_ NET-RAW "" "CAP_NET_RAW "; do
			run_n --separate-stderr -Ur "$opt" "$name" -- touch "$TEST_TMP/ran"
			show_run nsrun -Ur "$opt" "'$name'"
			assert_one_error_line "$opt" "'$name'" "unknown capability"
			[ ! -e "$TEST_TMP/ran" ]
		done
	done
}

@test "caps: root inside: all five sets with no option, with --cap-drop ALL, with --cap-drop of two, and --cap-drop ALL plus --cap-add (in place and staged; root and 65534)" {
	local all none=0000000000000000 w path two added
	all=$(all_caps)
	two=$(printf '%016x' $((0x$all & ~((1 << CAP_NET_RAW) | (1 << CAP_SYS_ADMIN)))))
	added=$(capset $CAP_CHOWN $CAP_NET_BIND_SERVICE)
	for w in "" as_nobody; do
		for path in "" -p; do
			caps_run $w -Ur $path --
			[ "$CAPS" = "$none $all $all $all $none" ]
			caps_run $w -Ur $path --cap-drop ALL --
			[ "$CAPS" = "$none $none $none $none $none" ]
			caps_run $w -Ur $path --cap-drop NET_RAW --cap-drop sys_admin --
			[ "$CAPS" = "$none $two $two $two $none" ]
			# Root keeps what is added; it is ambient (and inheritable) too.
			caps_run $w -Ur $path --cap-drop ALL --cap-add chown --cap-add NET_BIND_SERVICE --
			[ "$CAPS" = "$added $added $added $added $added" ]
		done
	done
	# And root on the host, without a user namespace.
	caps_run --cap-drop ALL --
	[ "$CAPS" = "$none $none $none $none $none" ]
}

@test "caps: --as a non-root user holds none unless --cap-add names some, then only those, as ambient capabilities (root and nsrun-test, in place and staged)" {
	local all none=0000000000000000 w path opts added one
	all=$(all_caps)
	added=$(capset $CAP_NET_BIND_SERVICE $CAP_KILL)
	one=$(capset $CAP_KILL)
	for w in "" as_test_user; do
		opts=(-U -M "$AS_MAP" -G "$AS_MAP")
		[[ $w == as_test_user ]] && opts=(-U --map-auto)
		for path in "" -p; do
			caps_run $w "${opts[@]}" $path -m --ro-bind / / --as nobody --
			[ "$CAPS" = "$none $none $none $all $none" ]
			caps_run $w "${opts[@]}" $path -m --ro-bind / / --as nobody --cap-add NET_BIND_SERVICE --cap-add kill --
			[ "$CAPS" = "$added $added $added $all $added" ]
			caps_run $w "${opts[@]}" $path -m --ro-bind / / --as nobody --cap-drop ALL --cap-add CAP_KILL --
			[ "$CAPS" = "$one $one $one $one $one" ]
			caps_run $w "${opts[@]}" $path -m --ro-bind / / --as nobody --cap-drop ALL --
			[ "$CAPS" = "$none $none $none $none $none" ]
			# --as root keeps them.
			caps_run $w "${opts[@]}" $path -m --ro-bind / / --as root --
			[ "$CAPS" = "$none $all $all $all $none" ]
		done
	done
}

@test "caps: --no-new-privs shows NoNewPrivs 1; without it 0 (root and 65534, in place and staged, with --as nobody)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			caps_run $w -Ur $path --no-new-privs --
			[ "$NNP" = 1 ]
			caps_run $w -Ur $path --
			[ "$NNP" = 0 ]
		done
	done
	caps_run -U -M "$AS_MAP" -G "$AS_MAP" -m --ro-bind / / --as nobody --no-new-privs --
	[ "$NNP" = 1 ]
	caps_run -U -M "$AS_MAP" -G "$AS_MAP" -m --ro-bind / / --as nobody --
	[ "$NNP" = 0 ]
}

@test "caps: --seccomp-default sets no_new_privs only when the process lacks CAP_SYS_ADMIN (root in a user namespace, --cap-drop SYS_ADMIN, --as nobody, unprivileged without namespaces)" {
	local w
	# Root inside a user namespace holds CAP_SYS_ADMIN there: not needed.
	for w in "" as_nobody; do
		caps_run $w -Ur --seccomp-default --
		[ "$NNP" = 0 ]
		caps_run $w -Urp --seccomp-default --
		[ "$NNP" = 0 ]
		# The same root without CAP_SYS_ADMIN: needed.
		caps_run $w -Ur --seccomp-default --cap-drop SYS_ADMIN --
		[ "$NNP" = 1 ]
	done
	# A non-root --as user: needed (nsrun-test's own subordinate 65534, and
	# root's mapped 65534).
	caps_run as_test_user -U --map-auto -m --ro-bind / / --seccomp-default --as nobody --
	[ "$NNP" = 1 ]
	caps_run -U -M "$AS_MAP" -G "$AS_MAP" -m --ro-bind / / --seccomp-default --as nobody --
	[ "$NNP" = 1 ]
	# The same through --sandbox, which drops CAP_SYS_ADMIN unless added.
	caps_run as_nobody --sandbox --
	[ "$NNP" = 1 ]
	caps_run as_nobody --sandbox --cap-add SYS_ADMIN --
	[ "$NNP" = 0 ]
	caps_run as_test_user --sandbox --map-auto --as nobody --
	[ "$NNP" = 1 ]
	# Unprivileged without namespaces: no capability at all.
	caps_run as_nobody --seccomp-default --
	[ "$NNP" = 1 ]
	# Root on the host has CAP_SYS_ADMIN.
	caps_run --seccomp-default --
	[ "$NNP" = 0 ]
}
