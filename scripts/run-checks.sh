#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run each named check target (make check-NAME), keep going after a failure,
# and close with one summary line. Exit 1 when any failed.
set -u
passed=0
failed=0
failures=""
for name in "$@"; do
	echo "=== check-$name"
	start=$(date +%s)
	if ${MAKE:-make} --no-print-directory "check-$name"; then
		passed=$((passed + 1))
		echo "=== check-$name: ok ($(( $(date +%s) - start ))s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "=== check-$name: FAILED ($(( $(date +%s) - start ))s)"
	fi
done
[ -z "$failures" ] || echo "failed suites:$failures"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
