#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drive the bash completion the way bash does on TAB: each argument is a
# command line, the cursor at its end; the line is split into COMP_WORDS at
# blanks and at COMP_WORDBREAKS' colon, as readline does, and
# bash-completion's loader functions are there when installed.
# Prints "LINE<TAB> -> CANDIDATES", one line per argument.
#
#   tests/pkg/complete-bash.sh COMPLETION-FILE 'vfio-claim bi' ...
set -u
file=$1
shift
bc=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}
[ -r "$bc" ] &&
	. "$bc"
. "$file"
for line in "$@"; do
	COMP_LINE=$line
	COMP_POINT=${#line}
	# readline's split: blanks separate words, ':' is a word of its own.
	read -r -a COMP_WORDS <<<"${line//:/ : }"
	# "0000:" splits as 0000 ':' and the cursor is after the colon: no new
	# word is started by the colon itself, so join what readline would.
	words=()
	for w in "${COMP_WORDS[@]}"; do words+=("$w"); done
	[[ $line == *' ' ]] && words+=("")
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vfio_claim vfio-claim "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s<TAB> -> %s\n' "$line" "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"
done
