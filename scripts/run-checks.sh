#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run each named check target (make check-NAME), keep going after a failure,
# and close with one summary line. Exit 1 when any failed.
#
# A word "A+B" runs check-A and check-B at the same time (each one CPU's
# worth of work that boots no guest) and prints each one's output, whole,
# when both are done: the machine has 2 CPUs and the guest suites already
# use both, the single-threaded bats suites do not.
set -u
passed=0
failed=0
failures=""
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Count one finished suite: NAME STATUS SECONDS.
record() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "=== check-$1: ok ($3s)"
	else
		failed=$((failed + 1))
		failures="$failures $1"
		echo "=== check-$1: FAILED ($3s)"
	fi
}

for word in "$@"; do
	case $word in
	*+*)
		names=$(echo "$word" | tr '+' ' ')
		echo "=== side by side: $(echo "$names" | sed 's/\([^ ]*\)/check-\1/g')"
		for name in $names; do
			(
				start=$(date +%s)
				${MAKE:-make} --no-print-directory "check-$name" >"$logs/$name.out" 2>&1
				echo "$? $(($(date +%s) - start))" >"$logs/$name.rc"
			) &
		done
		wait
		for name in $names; do
			echo "=== check-$name"
			cat "$logs/$name.out"
			read -r rc secs <"$logs/$name.rc"
			record "$name" "$rc" "$secs"
		done
		;;
	*)
		echo "=== check-$word"
		start=$(date +%s)
		${MAKE:-make} --no-print-directory "check-$word"
		record "$word" $? $(($(date +%s) - start))
		;;
	esac
done
[ -z "$failures" ] || echo "failed suites:$failures"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
