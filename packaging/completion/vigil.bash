# bash completion for vigil(1)
_vigil() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "scan status reload tail quarantine selftest update bases --help --version" -- "$cur"))
		return
	fi
	case "${COMP_WORDS[1]}" in
	scan) COMPREPLY=($(compgen -W "-d --database --root -r --recursive --json --threads --max-filesize --max-scansize --no-summary --infected --help" -- "$cur")) ;;
	update) COMPREPLY=($(compgen -W "--from --state-dir --root --channel --max-size --timeout --cacert --socket --no-reload --help" -- "$cur")) ;;
	bases) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "keygen root build sign verify log" -- "$cur")) ;;
	esac
	[ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _vigil vigil
