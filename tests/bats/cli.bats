#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Global options, help, version and usage errors.

load helpers

@test "--version prints the version from VERSION" {
	run --separate-stderr "$VC" --version
	assert_success
	assert_output "vfio-claim $(cat "$TOP/VERSION")"
}

@test "--help lists every command" {
	run --separate-stderr "$VC" --help
	assert_success
	assert_expected cli/help.txt
}

@test "no command is a usage error with the help on stderr" {
	run --separate-stderr "$VC"
	assert_failure 64
	assert_output ""
	[[ "$stderr" == Usage:* ]]
}

@test "an unknown command names itself" {
	run --separate-stderr "$VC" frobnicate
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: unknown command 'frobnicate'; try 'vfio-claim --help'"
}

@test "an unknown option is a usage error" {
	run --separate-stderr "$VC" list --frob
	assert_failure 64
	assert_equal "$stderr" "vfio-claim: unknown option '--frob'; try 'vfio-claim list --help'"
}

@test "each command has its own --help" {
	for cmd in check list snapshot; do
		run --separate-stderr "$VC" "$cmd" --help
		assert_success
		assert_expected "cli/help-$cmd.txt"
		run --separate-stderr "$VC" help "$cmd"
		assert_success
		assert_expected "cli/help-$cmd.txt"
	done
}

@test "global options work after the command too" {
	run --separate-stderr "$VC" list --root "$FIXTURES/bcm5720" --json 02:00.0
	assert_success
	run python3 -m json.tool <<<"$output"
	assert_success
}
