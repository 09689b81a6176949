#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Self-test of module/vc-detect.sh: each directory here is a small header
# tree in one of the three driver_override states (see module/vc_override.h)
# and must be detected as its name says; a tree where <linux/pci.h> does not
# compile must fail the detection, not guess.
set -u
here=$(cd "$(dirname "$0")" && pwd)
detect=$here/../../module/vc-detect.sh
cc=${CC:-cc}
rc=0
for state in old mixed new; do
	got=$("$detect" "$cc" -nostdinc -I"$here/$state" 2>&1)
	if [ "$got" = "$state" ]; then
		echo "module-detect: $state: ok"
	else
		echo "module-detect: $state: FAILED, detected '$got'"; rc=1
	fi
done
if got=$("$detect" "$cc" -nostdinc -I"$here/none" 2>/dev/null); then
	echo "module-detect: no headers: FAILED, detected '$got' instead of failing"; rc=1
else
	echo "module-detect: no headers: ok, refused"
fi
exit $rc
