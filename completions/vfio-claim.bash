# SPDX-License-Identifier: GPL-2.0
# bash completion for vfio-claim(8).
#
# Commands and options come from the tool's own --help, so that they follow
# the command table; device addresses and IDs from 'vfio-claim --json list'
# of the root being completed (--root DIR on the command line counts).
# Installed as bash-completion's completionsdir/vfio-claim, which loads it on
# the first TAB after 'vfio-claim'.

# The options of a command (or, with none, the global ones): every option
# its --help shows in the usage line or at the start of an option line.
_vfio_claim_options()
{
	local tool=$1 cmd=$2
	if [[ -z $cmd ]]; then
		"$tool" --help 2>/dev/null | sed -n '/^Global options:/,/^$/p' |
			grep -o -e '--[a-z][a-z-]*' -e '^  -[a-z]'
	else
		"$tool" "$cmd" --help 2>/dev/null |
			sed -n -e '1p' -e '/^ \{2,\}-/s/^ *\(-[^ ]*\( -[^ ]*\)*\).*/\1/p' |
			grep -o -e '--[a-z][a-z-]*'
	fi | sed 's/^ *//' | sort -u
}

# "ADDRESS VENDOR:DEVICE" for each PCI function of the root, one a line.
_vfio_claim_devices()
{
	local tool=$1 root=$2
	"$tool" ${root:+--root "$root"} --json list 2>/dev/null | awk '
		match($0, /"address": *"[^"]*"/) { a = substr($0, RSTART, RLENGTH); sub(/.*: *"/, "", a); sub(/"$/, "", a); v = ""; next }
		a != "" && match($0, /"vendor": *"[^"]*"/) { v = substr($0, RSTART, RLENGTH); sub(/.*: *"/, "", v); sub(/"$/, "", v); next }
		a != "" && v != "" && match($0, /"device": *"[^"]*"/) { d = substr($0, RSTART, RLENGTH); sub(/.*: *"/, "", d); sub(/"$/, "", d); print a, v ":" d; a = ""; v = "" }'
}

_vfio_claim()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n : || return
	else
		# Without bash-completion: words split at blanks only (readline
		# splits at ':' and '=' too), from the line up to the cursor.
		local line=${COMP_LINE:0:COMP_POINT}
		read -r -a words <<<"$line"
		[[ $line == *[[:space:]] || ${#words[@]} == 0 ]] && words+=("")
		cword=$((${#words[@]} - 1))
		cur=${words[cword]} prev=${words[cword - 1]}
	fi
	local tool=${words[0]} root="" cmd="" i w
	[[ $tool == */* || -n $(type -P "$tool") ]] || tool=vfio-claim
	local commands
	commands=$("$tool" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')

	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--root) root=${words[i + 1]}; ((i++)) ;;
		--root=*) root=${w#--root=} ;;
		--class | --owner | --guest-slot) ((i++)) ;;
		-*) ;;
		*) [[ -z $cmd ]] && cmd=$w ;;
		esac
	done
	root=${root/#\~/$HOME}

	case $prev in
	--root)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--class)
		COMPREPLY=($(compgen -W "gpu display audio multimedia net storage nvme sata usb serial bridge crypto accelerator other" -- "$cur"))
		return
		;;
	--owner)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	--guest-slot)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		local opts
		opts=$(_vfio_claim_options "$tool" "")
		# --version means something only before a command.
		[[ -n $cmd ]] && opts=$(_vfio_claim_options "$tool" "$cmd"; printf '%s\n' $opts | grep -vx -e --version)
		COMPREPLY=($(compgen -W "$(printf '%s\n' $opts | sort -u)" -- "$cur"))
		return
	fi
	case $cmd in
	"" | help)
		[[ -n $cmd && $prev != help ]] && return
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	snapshot)
		COMPREPLY=($(compgen -d -- "$cur"))
		;;
	list | remove)
		local devs
		devs=$(_vfio_claim_devices "$tool" "$root")
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$devs" | tr ' ' '\n' | sort -u)" -- "$cur"))
		;;
	add | verify | bind | unbind | export)
		local devs
		devs=$(_vfio_claim_devices "$tool" "$root")
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$devs" | cut -d' ' -f1)" -- "$cur"))
		;;
	esac
	# Addresses hold colons, which bash splits words at.
	declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
	return 0
}
complete -F _vfio_claim vfio-claim
