#!/bin/sh
# Show nsrun's main job on the built-in default (--sandbox): an unprivileged
# user (uid 65534) becomes root inside new user, PID, mount, UTS, IPC,
# network, cgroup and time namespaces, over a read-only view of the host.
#   scripts/demo.sh [path/to/nsrun]
set -eu
nsrun=${1:-build/nsrun}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
install -m 0755 "$nsrun" "$dir/nsrun"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

outside=$(as_nobody sh -c 'for ns in user pid mnt uts ipc net cgroup time; do printf "%s=%s " $ns $(readlink /proc/self/ns/$ns); done')
echo "outside: $(as_nobody id)"
echo "running: nsrun --sandbox -- sh -c ..."
as_nobody "$dir/nsrun" --sandbox -- sh -c '
	echo "inside:  $(id)"
	echo "inside:  PID $$; /proc lists PIDs $(ls /proc | grep "^[0-9]" | tr "\n" " ")"
	echo "inside:  hostname $(hostname); network interfaces:$(ip -o link 2>/dev/null | cut -d: -f2 | tr -d "\n")"
	touch /usr/nsrun-demo 2>/dev/null && echo "inside:  /usr is writable" || echo "inside:  /usr is read-only"
	touch /tmp/demo && echo "inside:  /tmp is a private tmpfs: $(ls /tmp)"
	printf "%-7s %-22s %-22s\n" ns outside inside
	for pair in $0; do
		ns=${pair%%=*}; out=${pair#*=}; in=$(readlink /proc/self/ns/$ns)
		[ "$out" != "$in" ] && new=new || new=same
		printf "%-7s %-22s %-22s %s\n" "$ns" "$out" "$in" "$new"
	done
' "$outside"
