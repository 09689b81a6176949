#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The man page stays true to --help: the same commands, and for each command
# the same long options (every --word in the command's --help, and every
# --word in its "## COMMAND" section of the page). Global options: the main
# --help against the page's GLOBAL OPTIONS section.
#
#   tests/pkg/man-options.sh TOOL PAGE.scd
#
# Each difference is one line saying which side lacks what, so that a new
# option added to the command table without its man entry (or the other way
# round) says where to write.
set -eu
tool=$1
page=$2
rc=0

words() { grep -o -e '--[a-z][a-z-]*' | sort -u; }

# The lines of the page under a heading ("# COMMANDS", "## list"), up to
# the next heading of the same or a higher level.
section() {
	awk -v want="$1" '
		BEGIN { level = index(want, " ") - 1 }
		on && match($0, /^#+ /) && RLENGTH - 1 <= level { on = 0 }
		$0 == want || index($0, want " ") == 1 { on = 1; next }
		on' "$page"
}

compare() { # what, help words, page words
	missing_page=$(printf '%s\n' "$2" | grep -vxF -e "$(printf '%s\n' "$3")" | grep . || true)
	missing_help=$(printf '%s\n' "$3" | grep -vxF -e "$(printf '%s\n' "$2")" | grep . || true)
	for w in $missing_page; do
		echo "man-options: $1: $w is in --help but not in $page; document it there"
		rc=1
	done
	for w in $missing_help; do
		echo "man-options: $1: $w is in $page but not in --help; add it to the command or drop it from the page"
		rc=1
	done
}

commands=$("$tool" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
page_commands=$(section '# COMMANDS' | sed -n 's/^## \([a-z][a-z-]*\).*/\1/p')
[ -n "$commands" ] || { echo "man-options: no commands in '$tool --help'" >&2; exit 1; }
compare "commands" "$(printf '%s\n' $commands | sort -u)" "$(printf '%s\n' $page_commands | sort -u)"

global_help=$("$tool" --help | sed -n '/^Global options:/,/^$/p' | words)
global_page=$(section '# GLOBAL OPTIONS' | words)
compare "global options" "$global_help" "$global_page"

n=0
for cmd in $commands; do
	echo "$page_commands" | grep -qx "$cmd" || continue
	help=$("$tool" "$cmd" --help | words)
	man=$(section "## $cmd" | words)
	compare "$cmd" "$help" "$man"
	n=$((n + 1))
done
[ $rc = 0 ] && echo "man-options: $page matches --help: $(echo $commands | wc -w) commands, options of $n compared, global options"
exit $rc
