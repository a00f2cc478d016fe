#!/bin/sh
# Show nsrun's main job: an unprivileged user (uid 65534) becomes root inside
# new user, PID, mount, UTS, IPC and network namespaces.
#   scripts/demo.sh [path/to/nsrun]
set -eu
nsrun=${1:-build/nsrun}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
install -m 0755 "$nsrun" "$dir/nsrun"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

outside=$(as_nobody sh -c 'for ns in user pid mnt uts ipc net; do printf "%s=%s " $ns $(readlink /proc/self/ns/$ns); done')
echo "outside: $(as_nobody id)"
as_nobody "$dir/nsrun" -Urpmuin --mount-proc -- sh -c '
	echo "inside:  $(id)"
	echo "inside:  PID $$, /proc lists PIDs: $(ls /proc | grep "^[0-9]" | tr "\n" " ")"
	printf "%-5s %-22s %-22s\n" ns outside inside
	for pair in $0; do
		ns=${pair%%=*}; out=${pair#*=}; in=$(readlink /proc/self/ns/$ns)
		[ "$out" != "$in" ] && new=new || new=same
		printf "%-5s %-22s %-22s %s\n" "$ns" "$out" "$in" "$new"
	done
	echo "inside:  network interfaces: $(ip -o link 2>/dev/null | cut -d: -f2 | tr -d " \n")"
' "$outside"
