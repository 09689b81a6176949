/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text a tree supplies (device and driver names, mount points, interface
 * names, file contents) printed on a terminal or in a one-line message:
 * control characters would split the line or move the cursor, so they go
 * out escaped (\n, \r, \t, \xNN). Printable bytes, UTF-8 included, pass.
 */
#pragma once

#include <stdio.h>

/* Write S to F with control characters (< 0x20, 0x7f) escaped. */
void put_printable(const char *s, FILE *f);

/*
 * S itself when it holds no control character, else an escaped copy that
 * stays valid until 8 more escaped copies have been made (a ring, for
 * printf arguments). NULL stays NULL; out of memory gives "?".
 */
const char *printable(const char *s);

/* One line to stdout: FMT formatted, control characters escaped, "\n" added. */
void print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
