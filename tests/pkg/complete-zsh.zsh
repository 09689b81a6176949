#!/usr/bin/zsh -f
# SPDX-License-Identifier: GPL-2.0
# Drive zsh's own completion in a pseudo-terminal (zsh/zpty): an interactive
# zsh -f with compinit and COMPLETIONS-DIR first in fpath gets each LINE
# typed and a TAB; compadd is wrapped to print the candidates the completion
# function offers (after zsh's matching) before adding them, as
# zsh-capture-completion does. Prints "LINE<TAB> -> CANDIDATES", sorted.
#
#   tests/pkg/complete-zsh.zsh COMPLETIONS-DIR 'vfio-claim bi' ...
zmodload zsh/zpty || exit 69
dir=${1:A}
shift
# (no EXIT trap: the children zpty forks would run it and remove the file)
init=$(mktemp)
cat >$init <<INIT
PROMPT='' RPROMPT='' PS2=''
unsetopt zle_bracketed_paste 2>/dev/null
fpath=($dir \$fpath)
autoload -U compinit && compinit -u -D
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' select-prompt ''
compadd() {
	# internal calls that only collect (-O/-A/-D) pass through
	if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "\$@"
		return
	fi
	local -a __hits
	builtin compadd -A __hits "\$@"
	(( \$#__hits )) && print -rl -- '' "<HIT>"\${^__hits}
	builtin compadd "\$@"
}
_capture_end() { print -r -- \$'\n<END>' }
_capture_complete() { comppostfuncs=(_capture_end); zle complete-word }
zle -N _capture_complete
bindkey '^I' _capture_complete
INIT
for line in "$@"; do
	zpty cz zsh -f -i
	zpty -w cz "source $init"
	zpty -w -n cz "$line"$'\t'
	out= chunk=
	# at most 10 s for one completion
	for (( n = 0; n < 200; n++ )); do
		if zpty -r -t cz chunk; then
			out+=$chunk
			[[ $out == *'<END>'* ]] && break
		else
			sleep 0.05
		fi
	done
	[[ $out == *'<END>'* ]] || print -r -- "complete-zsh: no completion for '$line' within 10 s:"$'\n'"$out" >&2
	zpty -d cz
	lines=("${(@f)${out//$'\r'/}}")
	hits=(${(M)lines:#<HIT>*})
	hits=(${(ou)hits#<HIT>})
	print -r -- "$line<TAB> -> ${(j: :)hits}"
done
rm -f $init
