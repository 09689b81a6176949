#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a build or test step needs, and only those that
# are missing. Idempotent: a second run installs nothing and says so.
#
#   scripts/install-deps.sh GROUP...        packages listed in scripts/deps/GROUP.list
#   scripts/install-deps.sh --packages P... packages named on the command line
#
# Lists hold one package a line; '#' starts a comment.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
wanted=""
if [ "${1:-}" = "--packages" ]; then
	shift
	wanted="$*"
else
	for group in "$@"; do
		list="$here/deps/$group.list"
		if [ ! -r "$list" ]; then
			echo "install-deps: no package list $list; groups are: $(ls "$here/deps" | sed 's/\.list$//' | tr '\n' ' ')" >&2
			exit 64
		fi
		wanted="$wanted $(sed -e 's/#.*//' "$list" | tr -s ' \n' '  ')"
	done
fi

missing=""
for pkg in $wanted; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $pkg"
done

if [ -z "$missing" ]; then
	echo "install-deps: all present ($(echo $wanted | wc -w) packages)"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run as root or install them with apt-get" >&2
	exit 69
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt_opts="-y -q -o DPkg::Lock::Timeout=900 -o APT::Install-Recommends=false"
# The package lists may be missing on a fresh machine or stale on an old one.
if ! apt-get $apt_opts install $missing >/tmp/install-deps.$$.log 2>&1; then
	apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null
	apt-get $apt_opts install $missing >/tmp/install-deps.$$.log 2>&1 || {
		tail -20 /tmp/install-deps.$$.log >&2
		echo "install-deps: apt-get install$missing failed" >&2
		exit 69
	}
fi
rm -f /tmp/install-deps.$$.log
echo "install-deps: installed$missing"
