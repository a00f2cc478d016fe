#!/usr/bin/env bats
# The program file itself: where lld linked it, the functions of
# data/nsrun.order lead its text, in that order (meson.build,
# tools/function-order.sh).

load helpers

# Of the names in data/nsrun.order that the program defines (one per
# address): how many, the share of consecutive ones whose code follows the
# one before (about 80% ordered, 45% not: a section of the C library holds
# several functions, placed with the first one listed), and the share whose
# code lies within twice their own size from the start of the text (100%
# ordered, 65 to 80% not).
ordered_share() {
	python3 - "$NSRUN" "$BATS_TEST_DIRNAME/../../data/nsrun.order" <<'PY'
import subprocess, sys
program, order = sys.argv[1], sys.argv[2]
syms = {}
for line in subprocess.run(["nm", "--defined-only", "-S", program], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 4 and f[2] in "tTwW" and int(f[1], 16) > 0:
        syms.setdefault(f[3], (int(f[0], 16), int(f[1], 16)))
listed, seen = [], set()
for name in (line.strip() for line in open(order)):
    if name and name[0] != "#" and name in syms and syms[name] not in seen:
        seen.add(syms[name])
        listed.append(syms[name])
following = sum(1 for a, b in zip(listed, listed[1:]) if b[0] > a[0])
front = min(a for a, _ in syms.values()) + 2 * sum(size for _, size in listed)
within = sum(1 for a, _ in listed if a < front)
print(len(listed), following * 100 // max(len(listed) - 1, 1), within * 100 // max(len(listed), 1))
PY
}

# Whether the build that made $NSRUN should have used lld: its meson option
# (when $NSRUN sits in a build directory) and lld on this machine.
lld_expected() {
	local options
	options=$(dirname "$NSRUN")/meson-info/intro-buildoptions.json
	[ -f "$options" ] || return 1
	case $(jq -r '.[] | select(.name == "function_order") | .value' "$options") in
	enabled) return 0 ;;
	auto) command -v ld.lld >/dev/null ;;
	*) return 1 ;;
	esac
}

@test "the functions of the start-up paths lead the text, in data/nsrun.order's order" {
	nm "$NSRUN" 2>/dev/null | grep -qw nsrun_entry ||
		skip "not the static program with its symbols (a sanitizer build, or stripped)"
	if ! LC_ALL=C readelf -p .comment "$NSRUN" | grep -q 'Linker:.* LLD '; then
		if lld_expected; then
			echo "the build should have linked with lld, and did not"
			return 1
		fi
		skip "not linked with lld (meson -Dfunction_order=disabled, or no lld)"
	fi
	read -r listed following within < <(ordered_share)
	echo "listed functions in the program: $listed; after the one before: $following%;" \
		"within twice their size from the start: $within%"
	[ "$listed" -gt 500 ]
	[ "$following" -ge 70 ]
	[ "$within" -ge 95 ]
	# The first the program runs is the first of the text.
	first=$(nm -n --defined-only "$NSRUN" | awk '$2 ~ /^[tT]$/ && $3 !~ /^__preinit/ {print $3; exit}')
	[ "$first" = nsrun_prefault_image ] || [ "$first" = nsrun_entry ]
}
