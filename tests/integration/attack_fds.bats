#!/usr/bin/env bats
# Attacks of the CVE-2024-21626 class: a descriptor of the caller's (a host
# directory outside the sandbox's root) that stays open into the sandbox is
# a way out: through /proc/self/fd/N, through --chdir /proc/self/fd/N, or
# through /proc/1/fd/N of an init process that keeps it. None of them may
# reach the host directory. --keep-fd passes exactly the descriptor named.

load helpers
load sandbox_helpers
load attack_helpers

# A host directory under the host's /tmp, which every --sandbox covers with
# its own tmpfs: HOSTDIR, with a file whose content is SECRET.
make_hostdir() {
	HOSTDIR=$TEST_TMP/hostdir
	SECRET="host-secret-${TEST_TMP##*.}"
	mkdir -p "$HOSTDIR"
	chmod 0777 "$HOSTDIR"
	echo "$SECRET" >"$HOSTDIR/secret"
	chmod 0644 "$HOSTDIR/secret"
}

# Nothing was read from or written to HOSTDIR from inside. Removes what was
# written, so that the next case starts clean.
assert_hostdir_untouched() {
	local created
	created=$(ls -A "$HOSTDIR" | grep -vx secret | tr '\n' ' ')
	find "$HOSTDIR" -mindepth 1 ! -name secret -delete
	[[ $output != *"$SECRET"* ]] || {
		echo "# the host file was read from inside"
		return 1
	}
	[[ -z $created ]] || {
		echo "# files created in the host directory from inside: $created"
		return 1
	}
}

@test "fds: descriptors the caller opened (3</, 4<HOSTDIR) are not reachable inside --sandbox; /proc/self/fd shows 0-2 and ls's own only (4 variants)" {
	make_hostdir
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- /bin/sh -c '
			ls -l /proc/self/fd | awk "/->/ { print \"ls:\", \$9, \$11 }"
			cat /proc/self/fd/4/secret
			exec "$0" fstat 3 -- fstat 4 -- open /proc/self/fd/3 r -- open /proc/self/fd/4/secret r -- \
				create /proc/self/fd/4/escaped -- fds' "$PROBE" 3</ 4<"$HOSTDIR"
		show_run "$v:" nsrun --sandbox -- 'ls -l /proc/self/fd; probe fstat 3 ...' 3\</ 4\<HOSTDIR
		[ "$status" -eq 1 ]
		# ls: 0, 1, 2 and the directory it reads.
		[ "$(grep -c '^ls: ' <<<"$output")" -eq 4 ]
		[[ $(grep '^ls: ' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ') == "0 1 2 3 " ]]
		[[ $(grep '^ls: 3 ' <<<"$output") =~ ^ls:\ 3\ /proc/[0-9]+/fd$ ]]
		assert_line_is "fstat: $E_BADF"
		assert_line_count 2 "fstat: $E_BADF"
		assert_line_count 2 "open: errno 2 (ENOENT)"
		assert_line_is "create: errno 2 (ENOENT)"
		# probe's own descriptors: 0, 1, 2, nothing else.
		[ "$(sed -n '/^0 /,/^fds: end$/p' <<<"$output" | cut -d' ' -f1 | tr '\n' ' ')" = "0 1 2 fds: " ]
		assert_hostdir_untouched
	done
}

@test "fds: --chdir /proc/self/fd/3 (the host's /) or /proc/self/fd/4 (HOSTDIR) does not lead out, in place and staged (root and 65534)" {
	make_hostdir
	local w way fd rel failed=()
	for w in "" as_nobody; do
		for way in staged in-place; do
			local opts=()
			if [[ $way == staged ]]; then
				opts=(--sandbox)
			elif [[ -z $w ]]; then
				# No user namespace: root may mount a proc without -p.
				opts=(-m --rootfs "$ROOTFS" --proc /proc)
			else
				# A proc needs -p in a user namespace; the host's, bound in.
				opts=(-r -m --rootfs "$ROOTFS" --ro-bind /proc /proc)
			fi
			for fd in 3 4; do
				# HOSTDIR relative to where the descriptor leads.
				rel=.$HOSTDIR
				[[ $fd == 4 ]] && rel=.
				run_n --separate-stderr $w "${opts[@]}" --chdir "/proc/self/fd/$fd" -- /bin/sh -c '
					echo "cwd: $(pwd)"
					cat "$1/secret"
					: >"$1/escaped" && echo created' sh "$rel" 3</ 4<"$HOSTDIR"
				show_run "$(who $w) $way:" nsrun "${opts[@]}" --chdir "/proc/self/fd/$fd" 3\</ 4\<HOSTDIR
				# Refused, or the command runs somewhere inside: never on the
				# host's tree.
				if [ "$status" -eq 125 ]; then
					assert_one_error_line --chdir "/proc/self/fd/$fd"
				else
					[[ $output == "cwd: "* ]]
				fi
				assert_hostdir_untouched || failed+=("$(who $w)/$way/fd$fd")
			done
		done
	done
	# Every case ran; each one that led out is named.
	echo "# led out: ${failed[*]:-none}"
	[ "${#failed[@]}" -eq 0 ]
}

@test "fds: with --init, PID 1 keeps no caller descriptor: /proc/1/fd/N does not lead to the host (root and 65534)" {
	make_hostdir
	local w failed=()
	for w in "" as_nobody; do
		run_n $w --sandbox --init -- /bin/sh -c '
			echo "pid 1 fds: $(ls /proc/1/fd | sort -n | tr "\n" " ")"
			cat /proc/1/fd/4/secret
			: >/proc/1/fd/4/escaped && echo created
			ls /proc/1/fd/3/ >/dev/null && echo "listed the host root"' 3</ 4<"$HOSTDIR"
		show_run "$(who $w):" nsrun --sandbox --init -- 'cat /proc/1/fd/4/secret ...' 3\</ 4\<HOSTDIR
		[ "$status" -ne 125 ]
		[[ ${lines[0]} == "pid 1 fds: "* ]]
		if ! { assert_line_is "pid 1 fds: 0 1 2 " && assert_no_line_like "listed the host root" &&
			assert_no_line_like created && assert_hostdir_untouched; }; then
			failed+=("$(who $w)")
		fi
	done
	echo "# led out: ${failed[*]:-none}"
	[ "${#failed[@]}" -eq 0 ]
}

@test "fds: --keep-fd 3 passes exactly descriptor 3, not 4 (root and 65534, in place and staged)" {
	make_hostdir
	echo kept-content >"$TEST_TMP/kept"
	chmod 0644 "$TEST_TMP/kept"
	local w way probe opts
	for w in "" as_nobody; do
		for way in staged in-place; do
			if [[ $way == staged ]]; then
				opts=(--sandbox --ro-bind "$ATTACK_DIR" "$IN_ATTACK")
				probe=$PROBE
			else
				opts=(-r -m --rootfs "$ROOTFS" --ro-bind /proc /proc)
				probe=/bin/probe
			fi
			run_n $w "${opts[@]}" --keep-fd 3 -- "$probe" fds -- fstat 4 3<"$TEST_TMP/kept" 4<"$HOSTDIR"
			show_run "$(who $w) $way:" nsrun "${opts[@]}" --keep-fd 3 -- probe fds 3\<kept 4\<HOSTDIR
			[ "$status" -eq 1 ]
			[ "$(sed -n '/^0 /,/^fds: end$/p' <<<"$output" | cut -d' ' -f1 | tr '\n' ' ')" = "0 1 2 3 fds: " ]
			[[ $(grep '^3 ' <<<"$output") == "3 "*/kept ]]
			assert_line_is "fstat: $E_BADF"
		done
		run_n $w -r -m --rootfs "$ROOTFS" --keep-fd 3 -- /bin/sh -c 'cat <&3' 3<"$TEST_TMP/kept"
		show_run "$(who $w):" nsrun -r --rootfs ROOTFS --keep-fd 3 -- 'cat <&3'
		[ "$status" -eq 0 ]
		[ "$output" = kept-content ]
	done
	assert_hostdir_untouched
}
