/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words of a kernel command line: the one rule of what separates them,
 * for every line the tool reads (/proc/cmdline, grub.cfg's linux line, GRUB's
 * settings, BLS "options" lines, /etc/kernel/cmdline and the files
 * kernel-install falls back to) and every question asked of one.
 *
 * Words are separated by runs of space, tab and newline: kernel-install reads
 * a cmdline file with tr -s "$IFS" ' ' (90-loaderentry.install), and the
 * kernel's parser (lib/cmdline.c next_arg) skips the same white space.
 * Quotes are not understood: the kernel keeps "a b" as one word, this splits
 * it in two, as kernel-install does. "--" is a word like any other to the
 * splitter; the kernel stops at it and gives what follows to init
 * (kernel/params.c parse_args, init/main.c), so the questions asked of a
 * command line (cmdline_has, cmdline_value) look only at the words before
 * it, and kernelcmdline.c's add_args puts arguments before it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* The bytes that separate words. */
#define CMDLINE_SPACE " \t\n"

/*
 * The next word of the command line at *p: returns its start and sets *len
 * to its length, with *p moved past it; NULL (and *len 0) when no word is
 * left. Never fails; *p must not be NULL.
 */
const char *cmdline_word_next(const char **p, size_t *len);

enum {
	/* -EINVAL for a byte in a word that is not printable ASCII (0x21-0x7e). */
	CMDLINE_WORDS_PRINTABLE = 1 << 0,
	/* Leave out BOOT_IMAGE= and initrd=, the words the boot loader adds. */
	CMDLINE_WORDS_NO_LOADER = 1 << 1,
};

/*
 * Append the words of text (a C string; NULL is empty) to b, one space
 * before each word but when b is empty, so that a line built from several
 * pieces (GRUB's two variables, a BLS entry's options lines) reads the same
 * as one. flags: CMDLINE_WORDS_*. Returns 0, -EINVAL (CMDLINE_WORDS_PRINTABLE
 * only; b then holds the words before the bad one). Allocation failures are
 * b's (strbuf: b->oom, strbuf_take() NULL).
 */
int cmdline_words_add(struct strbuf *b, const char *text, unsigned int flags);

/*
 * The words of text joined by single spaces (malloc'd into *out; "" when it
 * has none). Returns 0, -EINVAL (as cmdline_words_add, *out untouched), -ENOMEM.
 */
int cmdline_words_join(const char *text, unsigned int flags, char **out);

/*
 * The next word of the command line at *p that the kernel takes: as
 * cmdline_word_next, but NULL at a "--" word and after it (init's words).
 */
const char *cmdline_kernel_word_next(const char **p, size_t *len);

/*
 * Whether the kernel's words of cmdline (those before a "--" word) hold
 * ARG ("intel_iommu=on"), or a word starting with ARG when it ends in '='.
 */
bool cmdline_has(const char *cmdline, const char *arg);

/*
 * Whether cmdline (NULL is empty) holds a "--" word: then what is appended
 * to it goes to init, and arguments for the kernel must go before it.
 */
bool cmdline_has_init_words(const char *cmdline);

/* The value of the first of the kernel's words NAME=VALUE into buf ("" when absent); returns buf. */
const char *cmdline_value(const char *cmdline, const char *name, char *buf, size_t size);
