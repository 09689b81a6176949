/* SPDX-License-Identifier: GPL-2.0 */
/* Just enough of the kernel header for module/vc-detect.sh. */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H
#define NULL ((void *)0)
typedef unsigned long size_t;
#endif
