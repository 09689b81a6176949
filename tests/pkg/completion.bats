#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# bash and zsh completion: commands and options from the tool's --help,
# devices and IDs from the --root being completed. Each shell's whole
# transcript is compared with tests/expected/completion/SHELL.txt.

load ../bats/helpers

LINES=(
	'vfio-claim '
	'vfio-claim --'
	'vfio-claim --ro'
	'vfio-claim help '
	'vfio-claim b'
	'vfio-claim bind --'
	'vfio-claim export --'
	'vfio-claim verify --'
	'vfio-claim list --class '
	'vfio-claim list --class n'
	'vfio-claim --root tests/fixtures/x399 bind 0000:0a'
	'vfio-claim --root tests/fixtures/x399 add --group 0000:0b:00.'
	'vfio-claim --root=tests/fixtures/x399 list 10de:'
	'vfio-claim list --root tests/fixtures/hd4850-twin 1002:'
	'vfio-claim --root tests/fixtures/hd4850-twin -v unbind '
	'vfio-claim --root tests/fixtures/x3'
	'vfio-claim snapshot tests/fixtures/x3'
)

setup() {
	cd "$TOP"
	PATH="$(dirname "$VC"):$PATH"
}

@test "bash: COMP_WORDS/COMP_CWORD through bash-completion" {
	[ -r "${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}" ] || fail "bash-completion is not installed"
	run -0 tests/pkg/complete-bash.sh completions/vfio-claim.bash "${LINES[@]}"
	assert_expected completion/bash.txt
}

@test "zsh: compinit in a pseudo-terminal (zpty)" {
	run -0 zsh -f tests/pkg/complete-zsh.zsh completions "${LINES[@]}"
	assert_expected completion/zsh.txt
}

@test "installed where the loaders look" {
	run -0 make -s --no-print-directory -f - <<<'include Makefile
show: ; @echo $(BASH_COMPLETIONSDIR) $(ZSH_COMPLETIONSDIR)' show PREFIX=/usr
	assert_output "$(pkg-config --variable=completionsdir bash-completion) /usr/share/zsh/vendor-completions"
	run -0 zsh -fc 'print -l $fpath'
	assert_line /usr/share/zsh/vendor-completions
}
