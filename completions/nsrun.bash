# bash completion for nsrun: sandbox options, OCI verbs and their options,
# container ids. Options are read from nsrun's own --help, so they never
# drift from the program.

_nsrun_options() {
	"$1" "${@:2}" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The ids of the containers under the state root the command line names.
_nsrun_ids() {
	local nsrun=$1 root=()
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		case ${COMP_WORDS[i]} in
		--root) root=(--root "${COMP_WORDS[i + 1]}") ;;
		--root=*) root=("${COMP_WORDS[i]}") ;;
		esac
	done
	"$nsrun" "${root[@]}" list -q 2>/dev/null
}

_nsrun() {
	local cur prev nsrun=${COMP_WORDS[0]}
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local verbs="create start run state kill delete exec ps list update events features spec pause resume"
	local verb="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--) break ;;
		--root | --log | --log-format | --log-level | --cgroup-manager | --rootless | --criu)
			((i++)) ;;
		-*) ;;
		*)
			[[ " $verbs " == *" ${COMP_WORDS[i]} "* ]] && verb=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	case $prev in
	--root | --rootfs | --bind | --ro-bind | --dev-bind | --bind-try | --ro-bind-try | \
		--dev-bind-try | --chdir | --env-file | --seccomp | --log | --bundle | -b | --pid-file | \
		--console-socket | --process | -p)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")); return ;;
	--propagation) COMPREPLY=($(compgen -W "private slave shared unbindable" -- "$cur")); return ;;
	--setgroups) COMPREPLY=($(compgen -W "allow deny" -- "$cur")); return ;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_nsrun_options "$nsrun")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur") $(compgen -c -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_nsrun_options "$nsrun" "$verb")" -- "$cur"))
		return
	fi
	case $verb in
	features | spec | list) ;;
	create | run) ;;
	*) COMPREPLY=($(compgen -W "$(_nsrun_ids "$nsrun")" -- "$cur")) ;;
	esac
}

complete -F _nsrun nsrun
