#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The version lives in VERSION alone; the packaging files that must spell it
# out agree with it: debian/changelog's top entry (native: no revision) and
# the spec's top %changelog entry. The spec's Version: and dkms.conf take it
# from VERSION when built.
set -eu
cd "$(dirname "$0")/../.."
want=$(cat VERSION)
deb=$(dpkg-parsechangelog -S Version)
if [ "$deb" != "$want" ]; then
	echo "version: debian/changelog says $deb, VERSION says $want;" \
		"add a changelog entry: dch -v $want" >&2
	exit 1
fi
rpm=$(sed -n '/^%changelog/,$s/^\* .* - \([^ ]*\)-[0-9][^ ]*$/\1/p' vfio-claim.spec | head -1)
if [ "$rpm" != "$want" ]; then
	echo "version: vfio-claim.spec's %changelog says ${rpm:-nothing}, VERSION says $want;" \
		"add an entry for $want-1" >&2
	exit 1
fi
if ! grep -q '^PACKAGE_VERSION="#MODULE_VERSION#"$' dkms.conf; then
	echo "version: dkms.conf must say PACKAGE_VERSION=\"#MODULE_VERSION#\" (make install writes VERSION there)" >&2
	exit 1
fi
echo "version: VERSION, debian/changelog and vfio-claim.spec agree on $want"
