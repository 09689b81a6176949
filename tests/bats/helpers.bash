# SPDX-License-Identifier: GPL-2.0
# Shared by the bats suites: where things are, whole-output comparison
# against expected files, writable fixture roots and the commands run on them.

bats_require_minimum_version 1.5.0

# bats-support and bats-assert: every file of theirs sourced, as their
# load.bash files do, without the 15 dirname processes those spawn (before
# every test, under bats's DEBUG trap: 0.6 s a test at a load of 7). Their
# files only define functions.
for f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
	source "$f"
done
unset f

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VC="${VFIO_CLAIM:-$TOP/build/vfio-claim}"
FIXTURES="$TOP/tests/fixtures"
EXPECTED="$TOP/tests/expected"

# python3 is the interpreter that python3 on PATH starts, looked up once per
# bats run: through a version manager's shim (pyenv's) each call would cost
# most of a second, and the suites call it after every test.
if [ -n "${BATS_RUN_TMPDIR:-}" ] && [ -s "$BATS_RUN_TMPDIR/python3" ]; then
	read -r PYTHON3 <"$BATS_RUN_TMPDIR/python3"
else
	PYTHON3=$(command python3 -c 'import sys; print(sys.executable)')
	if [ -n "${BATS_RUN_TMPDIR:-}" ]; then
		echo "$PYTHON3" >"$BATS_RUN_TMPDIR/python3.$$"
		mv "$BATS_RUN_TMPDIR/python3.$$" "$BATS_RUN_TMPDIR/python3"
	fi
fi
python3() {
	"$PYTHON3" "$@"
}

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
	[ "${#files[@]}" -eq 0 ] || python3 "$TOP/tests/syntax/check-generated.py" --generated-only "${files[@]}"
}

teardown() {
	check_generated_files
}

# setup_root FIXTURE: a fresh writable copy of the fixture as $ROOT, with a
# fake /lib/modules for $KVER indexed by the real depmod and the directories
# apply writes to; one lock attempt of a second at most. For suites that
# change their root (policy, workflow).
setup_root() {
	rm -rf "$BATS_TEST_TMPDIR/root"
	ROOT=$(copy_fixture "$1")
	"$TOP/tests/modules/mkmodules.sh" "$ROOT" "$KVER"
	mkdir -p "$ROOT/etc/modprobe.d" "$ROOT/etc/udev/rules.d"
	export VFIO_CLAIM_LOCK_TIMEOUT=1
}

# vfio-claim on $ROOT. A suite with its own needs (a timeout) defines its own.
vc() {
	"$VC" --root "$ROOT" "$@"
}

# vc with the fake kernel of tests/mock preloaded; its writes go to
# $BATS_TEST_TMPDIR/writes.log.
vc_mock() {
	LD_PRELOAD="$TOP/build/fakesysfs.so" VFIO_CLAIM_MOCK_ROOT="$ROOT" \
		VFIO_CLAIM_MOCK_LOG="$BATS_TEST_TMPDIR/writes.log" "$VC" --root "$ROOT" "$@"
}

# From setup_file: one X399 copy with a fake /lib/modules for $KVER in
# $BATS_FILE_TMPDIR/x399, which row_root (the table suites, bad-inputs and
# hostile-inject) copies per row and x399_root per test.
x399_template() {
	cp -a "$FIXTURES/x399" "$BATS_FILE_TMPDIR/x399"
	"$TOP/tests/modules/mkmodules.sh" "$BATS_FILE_TMPDIR/x399" "$KVER"
	mkdir -p "$BATS_FILE_TMPDIR/x399/etc/modprobe.d"
}

# x399_root: $ROOT, a fresh copy of the template x399_template made in
# setup_file; for suites whose every test starts from X399 with its modules.
x399_root() {
	ROOT="$BATS_TEST_TMPDIR/root"
	rm -rf "$ROOT"
	cp -a "$BATS_FILE_TMPDIR/x399" "$ROOT"
}

# split_row "NAME ;; SETUP ;; ARGUMENTS": sets ROW_NAME, ROW_SETUP, ROW_ARGS.
split_row() {
	local rest
	ROW_NAME=${1%% ;; *}
	rest=${1#* ;; }
	ROW_SETUP=${rest%% ;; *}
	ROW_ARGS=${rest#* ;; }
}

# row_root DIR SETUP: a copy of the template at DIR, SETUP run (eval) inside it.
row_root() {
	cp -a "$BATS_FILE_TMPDIR/x399" "$1"
	(cd "$1" && eval "$2")
}
