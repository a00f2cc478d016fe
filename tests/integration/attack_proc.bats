#!/usr/bin/env bats
# /proc from inside --sandbox: /proc/sys and /proc/sysrq-trigger are
# read-only, the masked files (/proc/kcore, /proc/timer_list, ...) read
# empty and the masked directories list nothing. Paths this kernel does not
# have (here /proc/kcore, /proc/sysrq-trigger, /proc/sched_debug) are
# reported as skipped.

load helpers
load sandbox_helpers
load attack_helpers

@test "proc: /proc/sys/kernel/hostname and domainname (and /proc/sysrq-trigger where present) cannot be written (4 variants)" {
	local host_name host_domain v targets=()
	host_name=$(cat /proc/sys/kernel/hostname)
	host_domain=$(cat /proc/sys/kernel/domainname)
	if [[ -e /proc/sysrq-trigger ]]; then
		# Only opened, never written: a write that worked would act on
		# the host.
		targets=(-- open /proc/sysrq-trigger w)
	else
		echo "# /proc/sysrq-trigger does not exist on this kernel: not tested" >&3
	fi
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- /bin/sh -c '
			"$0" write /proc/sys/kernel/hostname pwned -- write /proc/sys/kernel/domainname pwned -- \
				open /proc/sys/kernel/hostname rw -- open /proc/sys/net/ipv4/ip_forward w "$@"
			echo "hostname: $(cat /proc/sys/kernel/hostname)"
			echo "uname: $(uname -n)"' "$PROBE" "${targets[@]}"
		show_run "$v:" nsrun --sandbox -- probe write /proc/sys/kernel/hostname pwned ...
		[ "$status" -eq 0 ]
		# The attempts ran, and were refused: EROFS where root inside is the
		# host's root, which owns these files; EROFS or EACCES otherwise.
		[ "$(grep -cE '^(write: open|open): errno (30 \(EROFS\)|13 \(EACCES\))$' <<<"$output")" -eq $((4 + ${#targets[@]} / 4)) ]
		if [[ $v == root ]]; then
			[ "$(grep -c "^write: open: $E_ROFS" <<<"$output")" -eq 2 ]
		fi
		assert_no_line_like "write: ok"
		assert_no_line_like "open: ok"
		assert_line_is "hostname: nsrun"
		assert_line_is "uname: nsrun"
	done
	[ "$(cat /proc/sys/kernel/hostname)" = "$host_name" ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$host_domain" ]
}

# The paths --sandbox masks, as its help lists them.
MASKED_PROC=(/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats
	/proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi)

@test "proc: /proc/timer_list, /proc/kcore and the other masked paths read empty inside (4 variants)" {
	local p present=() files=() dirs=()
	for p in "${MASKED_PROC[@]}"; do
		if [[ -d $p ]]; then
			dirs+=("$p")
		elif [[ -e $p ]]; then
			files+=("$p")
		else
			echo "# $p does not exist on this kernel: not tested" >&3
		fi
	done
	# Not vacuous: timer_list exists here and has content on the host.
	[[ " ${files[*]} " == *" /proc/timer_list "* ]]
	[ "$(head -c 4096 /proc/timer_list | wc -c)" -gt 0 ]
	local v
	for v in "${SANDBOX_VARIANTS[@]}"; do
		sandbox_variant "$v"
		run_n $W "${SB[@]}" -- /bin/sh -c '
			n=$1
			shift
			i=0
			for p; do
				i=$((i + 1))
				if [ "$i" -le "$n" ]; then
					if [ -e "$p" ]; then
						echo "$p: $(head -c 4096 "$p" 2>/dev/null | wc -c) bytes"
					else
						echo "$p: missing"
					fi
				else
					echo "$p: $(ls -A "$p" | wc -l) entries, $(touch "$p/x" 2>&1 || true)"
				fi
			done' sh "${#files[@]}" "${files[@]}" "${dirs[@]}"
		show_run "$v:" nsrun --sandbox -- 'read the masked paths'
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq $((${#files[@]} + ${#dirs[@]})) ]
		for p in "${files[@]}"; do
			assert_line_is "$p: 0 bytes"
		done
		for p in "${dirs[@]}"; do
			[[ $(grep "^$p: " <<<"$output") == "$p: 0 entries, "*"Read-only file system"* ]]
		done
	done
}
