/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages to stderr, prefixed with the program name. Library code returns
 * -errno and does not print; the command logs once, with context.
 */
#pragma once

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* LOG_WARN by default; -q lowers it to LOG_ERR, each -v raises it. */
extern int log_max_level;

/* One line to stderr: "vfio-claim: [warning: ]MESSAGE", control characters escaped (\n, \xNN). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ERR(...) log_msg(LOG_ERR, __VA_ARGS__)
#define WRN(...) log_msg(LOG_WARN, __VA_ARGS__)
#define INF(...) log_msg(LOG_INFO, __VA_ARGS__)
#define DBG(...) log_msg(LOG_DEBUG, __VA_ARGS__)
