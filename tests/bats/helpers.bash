# SPDX-License-Identifier: GPL-2.0
# Shared by the bats suites: where things are, and whole-output comparison
# against expected files.

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VC="${VFIO_CLAIM:-$TOP/build/vfio-claim}"
FIXTURES="$TOP/tests/fixtures"
EXPECTED="$TOP/tests/expected"

# Compare $output (stdout of the last `run`) with tests/expected/$1.
# UPDATE_EXPECTED=1 writes the file instead, for reviewing with git diff.
assert_expected() {
	local file="$EXPECTED/$1"
	if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
		mkdir -p "$(dirname "$file")"
		printf '%s\n' "$output" >"$file"
		return 0
	fi
	[ -f "$file" ] || fail "no expected file $file (run with UPDATE_EXPECTED=1 to create it)"
	diff -u "$file" <(printf '%s\n' "$output") ||
		fail "output differs from $file"
}

# A writable copy of a fixture tree, for commands that write.
copy_fixture() {
	local dst="$BATS_TEST_TMPDIR/root"
	cp -a "$FIXTURES/$1" "$dst"
	echo "$dst"
}

# Every file under a tree with its checksum, to prove nothing changed.
tree_state() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . -type l -printf '%p -> %l\n' | sort)
}

# Every udev rules and modprobe.d file vfio-claim generated in this test's
# trees (those starting with its "# Written by vfio-claim" line) goes through a parser of that file's syntax and what vfio-claim may
# write there (tests/syntax/check-generated.py, issue 9 kind 3). Runs after
# every test of every suite that loads this file; a suite that needs its own
# teardown must call check_generated_files from it.
check_generated_files() {
	local files=()
	mapfile -d '' files < <(find "$BATS_TEST_TMPDIR" ${BATS_FILE_TMPDIR:+"$BATS_FILE_TMPDIR"} \
		\( -path '*/etc/udev/rules.d/*vfio-claim*.rules' -o -path '*/etc/modprobe.d/vfio-claim*.conf' \) \
		-type f -print0 2>/dev/null)
	[ "${#files[@]}" -eq 0 ] || "$TOP/tests/syntax/check-generated.py" --generated-only "${files[@]}"
}

teardown() {
	check_generated_files
}
