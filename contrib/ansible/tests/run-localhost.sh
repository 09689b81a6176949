#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ansible-playbook against localhost, the role's tool pointed at a copy of the
# hd4850-twin fixture with --root: check mode changes nothing, the first run
# converges, the second reports changed=0, a local edit of a generated file
# is reported by --check --diff (and left alone), the next run repairs it.
#
#   contrib/ansible/tests/run-localhost.sh TOOL
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/collections/ansible_collections/vfio_claim"
ln -s "$top/contrib/ansible/vfio_claim/vfio" "$work/collections/ansible_collections/vfio_claim/vfio"
cp -a "$top/tests/fixtures/hd4850-twin" "$work/root"
"$top/tests/modules/mkmodules.sh" "$work/root" 6.1.0-99-amd64 >/dev/null
mkdir -p "$work/root/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$work/root/etc/default/grub"

export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_REMOTE_TEMP="$work/tmp" ANSIBLE_HOME="$work/home"
play() { # NAME ARGS...: run, keep the log, print the recap's changed= count
	name=$1
	shift
	if ! ansible-playbook -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 \
		-e fixture_root="$work/root" -e vfio_claim_tool="$tool" "$@" "$here/localhost.yml" >"$work/$name.log" 2>&1; then
		cat "$work/$name.log"
		echo "ansible: $name: ansible-playbook failed" >&2
		exit 1
	fi
	sed -n 's/^localhost *: .*changed=\([0-9]*\).*/\1/p' "$work/$name.log"
}
fail() {
	cat "$work/$1.log"
	echo "ansible: $1: $2" >&2
	exit 1
}
state() { (cd "$work/root/etc" && find . -type f | sort | xargs sha256sum); }

before=$(state)
[ "$(play check --check --diff)" = 1 ] || fail check "check mode did not report one change"
grep -q '^+0000:02:00.0@1002:9442 group$' "$work/check.log" || fail check "no diff of the config"
[ "$(state)" = "$before" ] || fail check "check mode changed files"
echo "ansible: check mode: 1 change shown as a diff, nothing written"

[ "$(play apply)" = 1 ] || fail apply "the first run did not change"
grep -qx '0000:02:00.0@1002:9442 group' "$work/root/etc/vfio-claim.conf" || fail apply "no claim in the config"
[ -f "$work/root/etc/modprobe.d/vfio-claim-claims.conf" ] || fail apply "apply wrote nothing"
echo "ansible: first run: changed=1, config and generated files written"

[ "$(play again)" = 0 ] || fail again "the second run is not changed=0"
echo "ansible: second run: changed=0"

sed -i 's/^options vfio_claim slots=/options vfio_claim slots=0000:01:00.0@1002:9442,/' \
	"$work/root/etc/modprobe.d/vfio-claim-claims.conf"
drifted=$(state)
[ "$(play drift --check --diff)" = 1 ] || fail drift "check mode did not report the drift"
grep -q '^-options vfio_claim slots=0000:01:00.0@1002:9442,0000:02:00.0' "$work/drift.log" ||
	fail drift "the diff does not show the local edit"
[ "$(state)" = "$drifted" ] || fail drift "check mode repaired the drift"
echo "ansible: drift: check mode shows the local edit and leaves it"

[ "$(play repair)" = 1 ] || fail repair "the run did not repair the drift"
[ "$(play final)" = 0 ] || fail final "the run after the repair is not changed=0"
echo "ansible: repair: changed=1, then changed=0"
