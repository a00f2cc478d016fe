#!/usr/bin/env bats
# What the command is and sees besides the filesystem: host and domain name,
# network, working directory, environment, umask, and --as USER[:GROUP].

load helpers
load sandbox_helpers

# --- UTS ----------------------------------------------------------------------

@test "--hostname and --domainname with -u: set inside, the host's unchanged (root and 65534)" {
	local w host domain
	host=$(hostname)
	domain=$(cat /proc/sys/kernel/domainname)
	for w in "" as_nobody; do
		local path
		for path in "" -p; do
			run_t $w "$NSRUN" $(userns_opts $w) -u $path --hostname box.example --domainname nis.example -- \
				sh -c 'hostname; cat /proc/sys/kernel/domainname; uname -n'
			show_run "$(who $w):" nsrun -u $path --hostname box.example --domainname nis.example
			[ "$status" -eq 0 ]
			assert_text $'box.example\nnis.example\nbox.example' "$output"
		done
	done
	[ "$(hostname)" = "$host" ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$domain" ]
}

@test "--hostname or --domainname without -u: 125, one line naming the option and -u" {
	local opt
	for opt in --hostname --domainname; do
		run_t --separate-stderr "$NSRUN" -m "$opt" x -- touch "$TEST_TMP/ran"
		show_run nsrun -m "$opt" x
		assert_one_error_line "$opt" "-u"
		[ ! -e "$TEST_TMP/ran" ]
	done
}

# --- network ------------------------------------------------------------------

@test "-n: lo is the only interface and it is UP (root and 65534, in place and staged)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			run_t $w "$NSRUN" $(userns_opts $w) -n $path -- /bin/busybox ip -o link
			show_run "$(who $w):" nsrun -n $path -- busybox ip -o link
			[ "$status" -eq 0 ]
			[ "${#lines[@]}" -eq 1 ]
			[[ ${lines[0]} =~ ^1:\ lo:\ \<([A-Z_,]+)\> ]]
			[[ ,${BASH_REMATCH[1]}, == *,UP,* ]]
		done
	done
	# The host has more than lo.
	[ "$(/bin/busybox ip -o link | wc -l)" -gt 1 ]
}

@test "-n: 127.0.0.1 answers a busybox ping (root, and root of a new user namespace)" {
	local opts
	for opts in -n -Urn; do
		run_t "$NSRUN" $opts -- /bin/busybox ping -c 1 -W 5 127.0.0.1
		show_run nsrun $opts -- busybox ping -c 1 127.0.0.1
		[ "$status" -eq 0 ]
		[[ $output == *"1 packets received"* ]]
	done
}

# --- working directory --------------------------------------------------------

@test "--chdir: the command starts there, in a new root and in the host tree (root and 65534)" {
	local w
	for w in "" as_nobody; do
		run_t $w "$NSRUN" $(userns_opts $w) -m --rootfs "$ROOTFS" --chdir /home/app -- /bin/pwd
		show_run "$(who $w):" nsrun --rootfs ROOTFS --chdir /home/app
		[ "$status" -eq 0 ]
		[ "$output" = /home/app ]
		run_t $w "$NSRUN" $(userns_opts $w) -p --chdir "$TEST_TMP" -- pwd
		show_run "$(who $w):" nsrun -p --chdir "$TEST_TMP"
		[ "$status" -eq 0 ]
		[ "$output" = "$TEST_TMP" ]
	done
}

@test "--chdir to a missing directory: 125 naming it, the command does not run" {
	run_t --separate-stderr "$NSRUN" -m --rootfs "$ROOTFS" --chdir /no/such/dir -- /bin/touch "$TEST_TMP/ran"
	show_run nsrun --rootfs ROOTFS --chdir /no/such/dir
	assert_one_error_line --chdir /no/such/dir
	[ ! -e "$TEST_TMP/ran" ]
}

@test "default working directory in a new root: the caller's if it exists inside, else \$HOME, else /, with a warning (root and 65534)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			# $TEST_TMP exists inside once --dir makes it (under a fresh /tmp).
			run_t $w sh -c 'cd "$1" && shift && exec "$@"' sh "$TEST_TMP" "$NSRUN" $(userns_opts $w) $path \
				-m --rootfs "$ROOTFS" --tmpfs /tmp --dir "$TEST_TMP" -- /bin/pwd
			show_run "$(who $w):" cd "$TEST_TMP" '&&' nsrun $path --rootfs ROOTFS --tmpfs /tmp --dir "$TEST_TMP"
			[ "$status" -eq 0 ]
			[ "$output" = "$TEST_TMP" ]
			run_t $w sh -c 'cd "$1" && shift && exec "$@"' sh "$TEST_TMP" env HOME=/root \
				"$NSRUN" $(userns_opts $w) $path -m --rootfs "$ROOTFS" --tmpfs /tmp -- /bin/pwd
			show_run "$(who $w):" cd "$TEST_TMP" '&&' HOME=/root nsrun $path --rootfs ROOTFS --tmpfs /tmp
			[ "$status" -eq 0 ]
			assert_text "nsrun: warning: the working directory $TEST_TMP is not in the sandbox: the command starts in /root
/root" "$output"
			run_t $w sh -c 'cd "$1" && shift && exec "$@"' sh "$TEST_TMP" env HOME=/nonexistent \
				"$NSRUN" $(userns_opts $w) $path -m --rootfs "$ROOTFS" --tmpfs /tmp -- /bin/pwd
			[ "$status" -eq 0 ]
			[ "${lines[-1]}" = / ]
		done
	done
}

# --- environment --------------------------------------------------------------

@test "--clearenv --setenv: the environment is exactly what was set, in order (root and 65534, in place and staged)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p -f; do
			run_t $w "$NSRUN" $(userns_opts $w) -U $path --clearenv --setenv A 1 --setenv B 'two words' \
				--setenv EQ 'x=y' --setenv A 3 -- /usr/bin/env
			show_run "$(who $w):" nsrun $path --clearenv --setenv ...
			[ "$status" -eq 0 ]
			assert_text $'A=3\nB=two words\nEQ=x=y' "$output"
		done
	done
}

@test "--setenv, --unsetenv and --clearenv apply in order, on top of the caller's environment (root and 65534)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			run_t $w env KEEP=kept DROP=dropped OVER=old "$NSRUN" $(userns_opts $w) -U $path --unsetenv DROP \
				--setenv OVER new --unsetenv NEVER_SET -- /usr/bin/env
			show_run "$(who $w):" nsrun $path --unsetenv DROP --setenv OVER new
			[ "$status" -eq 0 ]
			[[ $'\n'$output$'\n' == *$'\nKEEP=kept\n'* ]]
			[[ $'\n'$output$'\n' == *$'\nOVER=new\n'* ]]
			[[ $output != *DROP=* && $output != *OVER=old* ]]
			[[ $'\n'$output$'\n' == *$'\nPATH='"$PATH"$'\n'* ]]
			# --clearenv drops what came before it.
			run_t $w "$NSRUN" $(userns_opts $w) -U $path --setenv BEFORE 1 --clearenv --setenv AFTER 2 -- \
				/usr/bin/env
			show_run "$(who $w):" nsrun $path --setenv BEFORE 1 --clearenv --setenv AFTER 2
			[ "$status" -eq 0 ]
			[ "$output" = AFTER=2 ]
		done
	done
}

@test "--clearenv in a new root as uid 65534: the command gets an empty environment" {
	run_t as_nobody "$NSRUN" -r -p -m --rootfs "$ROOTFS" --clearenv -- /bin/env
	show_run as_nobody nsrun --rootfs ROOTFS --clearenv -- env
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--env-file: KEY=VALUE lines, # comments, blank lines, a bare KEY takes the caller's value" {
	cat >"$TEST_TMP/env" <<-'EOF'
		# a comment
		PLAIN=value

		SPACES=two words
		EQUALS=a=b
		EMPTY=
		   # an indented comment
		FROM_CALLER
		UNSET_IN_CALLER
		PLAIN=overridden
	EOF
	chmod 0644 "$TEST_TMP/env"
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			run_t $w env FROM_CALLER=callers-value "$NSRUN" $(userns_opts $w) -U $path --clearenv \
				--env-file "$TEST_TMP/env" -- /usr/bin/env
			show_run "$(who $w):" nsrun $path --clearenv --env-file env
			[ "$status" -eq 0 ]
			assert_text $'PLAIN=overridden\nSPACES=two words\nEQUALS=a=b\nEMPTY=\nFROM_CALLER=callers-value' "$output"
		done
	done
	# Later options still apply on top.
	run_t "$NSRUN" -U --clearenv --env-file "$TEST_TMP/env" --unsetenv PLAIN --setenv EMPTY full -- /usr/bin/env
	show_run nsrun --env-file env --unsetenv PLAIN --setenv EMPTY full
	[ "$status" -eq 0 ]
	assert_text $'SPACES=two words\nEQUALS=a=b\nEMPTY=full' "$output"
}

@test "--env-file with a bad line: 125, one line with FILE:LINE; a missing file: 125 naming it" {
	printf 'GOOD=1\n# fine\nBAD KEY=x\n' >"$TEST_TMP/bad1"
	printf 'GOOD=1\n=nokey\n' >"$TEST_TMP/bad2"
	local f
	for f in "$TEST_TMP/bad1:3" "$TEST_TMP/bad2:2"; do
		run_t --separate-stderr "$NSRUN" -U --env-file "${f%:*}" -- touch "$TEST_TMP/ran"
		show_run nsrun --env-file "${f%:*}"
		assert_one_error_line --env-file "$f"
		[ ! -e "$TEST_TMP/ran" ]
	done
	run_t --separate-stderr "$NSRUN" -U --env-file "$TEST_TMP/missing" -- touch "$TEST_TMP/ran"
	show_run nsrun --env-file missing
	assert_one_error_line --env-file "$TEST_TMP/missing"
	[ ! -e "$TEST_TMP/ran" ]
}

@test "--umask: the command's umask and the modes of what it creates (root and 65534, in place and staged)" {
	local w path
	for w in "" as_nobody; do
		for path in "" -p; do
			rm -rf "$TEST_TMP/f" "$TEST_TMP/d"
			run_t $w "$NSRUN" -r $path --umask 027 -- \
				sh -c 'umask; touch "$1/f"; mkdir "$1/d"' sh "$TEST_TMP"
			show_run "$(who $w):" nsrun $path --umask 027
			[ "$status" -eq 0 ]
			[ "$output" = 0027 ]
			[ "$(stat -c %a "$TEST_TMP/f")" = 640 ]
			[ "$(stat -c %a "$TEST_TMP/d")" = 750 ]
		done
	done
	run_t --separate-stderr "$NSRUN" -U --umask 1777 -- touch "$TEST_TMP/ran"
	show_run nsrun --umask 1777
	assert_one_error_line --umask 1777
}

# --- --as ---------------------------------------------------------------------

# The ids the fixture names, for root: mapped to themselves. The nsrun-test
# user: --map-auto (0 is itself, 1..65536 its subordinate range).
AS_RUNNERS=(root test-user)

# run_as RUNNER SPEC [PATH]: nsrun --as SPEC in ROOTFS with a user namespace
# that maps the fixture's ids; the command prints uid, gid, groups, HOME and
# the capability sets.
run_as() {
	local runner=$1 spec=$2 path=${3--p}
	local -a ids
	if [[ $runner == root ]]; then
		ids=("$NSRUN" -U -M "$AS_MAP" -G "$AS_MAP")
	else
		ids=(as_test_user "$NSRUN" --map-auto)
	fi
	local -a procopt=()
	[[ $path == -p ]] && procopt=(--proc /proc)
	run_t --separate-stderr "${ids[@]}" $path -m --rootfs "$ROOTFS" "${procopt[@]}" --as "$spec" -- \
		/bin/sh -c 'id -u; id -g; id -G | tr " " "\n" | sort -n | tr "\n" " "; echo; echo "$HOME"
			if [ -r /proc/self/status ]; then grep -E "^Cap(Inh|Prm|Eff|Amb):" /proc/self/status; fi'
	show_run "$runner:" nsrun $path --rootfs ROOTFS --as "$spec"
}

@test "--as app and --as 1000: uid 1000, gid 1000, groups 1000 and 2000 (extra), HOME=/home/app" {
	local runner spec
	for runner in "${AS_RUNNERS[@]}"; do
		for spec in app 1000; do
			run_as "$runner" "$spec"
			[ "$status" -eq 0 ]
			[ "${lines[0]}" = "$APP_UID" ]
			[ "${lines[1]}" = "$APP_GID" ]
			[ "${lines[2]}" = "$APP_GID $EXTRA_GID " ]
			[ "${lines[3]}" = /home/app ]
		done
	done
}

@test "--as NAME:GROUP and UID:GID: that gid (root and nsrun-test)" {
	local runner spec
	for runner in "${AS_RUNNERS[@]}"; do
		for spec in app:extra 1000:2000 app:2000 1000:extra; do
			run_as "$runner" "$spec"
			[ "$status" -eq 0 ]
			[ "${lines[0]}" = "$APP_UID" ]
			[ "${lines[1]}" = "$EXTRA_GID" ]
			[[ " ${lines[2]}" == *" $EXTRA_GID "* ]]
			[ "${lines[3]}" = /home/app ]
		done
		run_as "$runner" app:nogroup
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "$APP_UID" ]
		[ "${lines[1]}" = 65534 ]
		[[ " ${lines[2]}" == *" 65534 "* ]]
		run_as "$runner" nobody
		[ "$status" -eq 0 ]
		assert_text $'65534\n65534\n65534 \n/nonexistent' "$(head -4 <<<"$output")"
	done
}

@test "--as app: CapInh, CapPrm, CapEff and CapAmb are all 0; --as root keeps them (root and nsrun-test)" {
	local runner
	for runner in "${AS_RUNNERS[@]}"; do
		run_as "$runner" app
		[ "$status" -eq 0 ]
		[ "$(sed -n 5,8p <<<"$output" | awk '{ print $2 }' | sort -u)" = 0000000000000000 ]
		[ "$(sed -n 5,8p <<<"$output" | wc -l)" -eq 4 ]
		run_as "$runner" root
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = 0 ]
		[ "$(awk '$1 == "CapEff:" { print $2 }' <<<"$output")" != 0000000000000000 ]
	done
}

@test "--as in a user namespace on the in-place path (no -p): the same switch" {
	local runner
	for runner in "${AS_RUNNERS[@]}"; do
		run_as "$runner" app ""
		[ "$status" -eq 0 ]
		assert_text "$APP_UID
$APP_GID
$APP_GID $EXTRA_GID 
/home/app" "$output"
	done
}

@test "--as an unknown user or group: 125, one line naming it, the command does not run" {
	local runner spec
	for runner in "${AS_RUNNERS[@]}"; do
		for spec in bogus bogus:app app:bogus; do
			run_as "$runner" "$spec"
			assert_one_error_line --as "'bogus'"
		done
	done
}

# --as with no map of the caller's own: nsrun maps what the switch needs.
# run_as_unmapped RUNNER SPEC OPTIONS...: the ids and groups, and the owner
# of a file the caller made, as the command sees them.
run_as_unmapped() {
	local runner=$1 spec=$2
	shift 2
	local -a who=()
	[[ $runner == test-user ]] && who=(as_test_user)
	local made="$TEST_TMP/made-by-$runner"
	rm -f "$made"
	"${who[@]}" touch "$made"
	run_t --separate-stderr "${who[@]}" "$NSRUN" "$@" -m --rootfs "$ROOTFS" --tmpfs /mnt \
		--ro-bind "$made" /mnt/made --as "$spec" -- \
		/bin/sh -c 'id -u; id -g; id -G | tr " " "\n" | sort -n | tr "\n" " "; echo; stat -c %u /mnt/made'
	show_run "$runner:" nsrun "$@" --rootfs ROOTFS --tmpfs /mnt --ro-bind MADE /mnt/made --as "$spec"
}

@test "--as app without a map, as root: 0 and the user's ids map to themselves, all its groups held (-r and plain -U, staged and in place)" {
	local opts
	for opts in "-U -r -p" "-U -r" "-U -p" "-U"; do
		# shellcheck disable=SC2086 # the options are words
		run_as_unmapped root app $opts
		[ "$status" -eq 0 ]
		assert_text "$APP_UID
$APP_GID
$APP_GID $EXTRA_GID 
0" "$output"
	done
}

@test "--as app without a map, unprivileged: the caller becomes the user, as bwrap --uid (-r and plain -U, staged and in place)" {
	local opts
	for opts in "-U -r -p" "-U -r" "-U -p" "-U"; do
		# shellcheck disable=SC2086 # the options are words
		run_as_unmapped test-user app $opts
		[ "$status" -eq 0 ]
		# The caller's file is the user's; the one group, as setgroups is
		# denied to an unprivileged map.
		assert_text "$APP_UID
$APP_GID
$APP_GID 
$APP_UID" "$output"
	done
}

@test "--as a user that the given -M or -G lacks: 125, one line naming the id and the map, the command does not run" {
	run_as_unmapped root app -U -M '0 0 1' -G "0 0 1,$APP_GID $APP_GID 1"
	assert_one_error_line --as "uid $APP_UID" "uid map"
	run_as_unmapped root app -U -M "0 0 1,$APP_UID $APP_UID 1" -G '0 0 1'
	assert_one_error_line --as "gid $APP_GID" "gid map"
	run_as_unmapped test-user app -U -M "0 $TEST_USER_UID 1"
	assert_one_error_line --as "uid $APP_UID" "uid map"
}

@test "--as on the host without namespaces: like gosu, the same PID, uid 65534 and no capabilities" {
	run_t "$NSRUN" --as nobody -- id -u
	show_run nsrun --as nobody -- id -u
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
	run_t "$NSRUN" --as nobody -- sh -c 'id -g; id -G; grep -E "^Cap(Prm|Eff|Amb):" /proc/self/status | awk "{ print \$2 }" | sort -u'
	show_run nsrun --as nobody
	[ "$status" -eq 0 ]
	assert_text "$(id -g nobody)
$(id -G nobody)
0000000000000000" "$output"
	# exec nsrun keeps the shell's PID for the command.
	run_t sh -c 'echo $$; exec "$1" --as nobody -- sh -c "echo \$\$; id -u"' sh "$NSRUN"
	show_run sh -c 'echo $$; exec nsrun --as nobody -- sh -c "echo \$\$"'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[2]}" = 65534 ]
}
