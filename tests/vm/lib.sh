# SPDX-License-Identifier: GPL-2.0
# Shared by the VM harness scripts: paths and small helpers. Sourced, not run.

VM_TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
VM_DIR="$VM_TOP/tests/vm"
VM_BUILD="${VM_BUILD:-$VM_TOP/build/vm}"
VM_LOGS="$VM_BUILD/logs"
APT_OPTS="-y -q -o DPkg::Lock::Timeout=900 -o APT::Install-Recommends=false"

vm_log() {
	printf 'vm: %s\n' "$*" >&2
}

vm_die() {
	printf 'vm: error: %s\n' "$*" >&2
	exit 1
}

# vm_disk_report DIR: how much DIR takes and how much is left on its
# filesystem, on stderr. The guests' disks are large; a run that fills the
# machine's disk makes QEMU pause a guest (ENOSPC), which then times out.
vm_disk_report() {
	vm_log "disk: $1 takes $(du -sh "$1" 2>/dev/null | cut -f1), $(df -h --output=avail "$1" | tail -1 | tr -d ' ') free"
}

# Run a step and say how long it took, on stderr.
vm_timed() {
	_what=$1
	shift
	_t0=$(date +%s)
	"$@" || return
	vm_log "$_what: $(($(date +%s) - _t0))s"
}

# apt-get install, refreshing the package lists once if a name is unknown.
vm_apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	# Kernel images come for the guests only: the host needs no initramfs
	# for them (initramfs-tools' postinst.d hook honours INITRD=No).
	export INITRD=No
	# shellcheck disable=SC2086
	if ! apt-get $APT_OPTS install "$@" >"$VM_LOGS/apt.log" 2>&1; then
		apt-get -q -o DPkg::Lock::Timeout=900 update >/dev/null
		# shellcheck disable=SC2086
		apt-get $APT_OPTS install "$@" >"$VM_LOGS/apt.log" 2>&1 || {
			tail -20 "$VM_LOGS/apt.log" >&2
			vm_die "apt-get install $* failed (log: $VM_LOGS/apt.log)"
		}
	fi
}

vm_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# vm_kernel_files KVER: where a kernel's files are. Sets vm_vmlinuz,
# vm_kconfig and vm_kmods (its /lib/modules/KVER): the host's installed
# Debian packages (6.1, 6.12), or sid's unpacked by kernels.sh (7.x, under
# /usr/lib/modules/KVER, never installed on the host). Returns 1 when
# neither has it.
vm_kernel_files() {
	_sid=${VM_SID_APT:-/var/cache/vfio-claim/sid-apt}/$1/usr/lib/modules/$1
	if [ -r "/boot/vmlinuz-$1" ]; then
		vm_vmlinuz=/boot/vmlinuz-$1 vm_kconfig=/boot/config-$1 vm_kmods=/lib/modules/$1
	elif [ -r "$_sid/vmlinuz" ]; then
		# shellcheck disable=SC2034 # used by the scripts that source this
		vm_vmlinuz=$_sid/vmlinuz vm_kconfig=$_sid/config vm_kmods=$_sid
	else
		return 1
	fi
}

# Copy the tree SRC over the guest root DST. The root is merged-/usr (lib,
# bin, sbin are links into usr): a staged lib/ (make install's
# /lib/systemd/system, where Debian's pkg-config puts units) goes through
# the link instead of failing as cp -a does on it.
vm_overlay() {
	tar -C "$1" -cf - . | tar -C "$2" -xf - --keep-directory-symlink
}

# vm_each_kernel FUNC KVER...: FUNC KVER for every kernel at once, each in a
# subshell (a vm_die ends only its own); the kernels in parallel because the
# slow steps (mkinitramfs, dracut, mke2fs) are mostly one core each and the
# host has 2. Returns 1 when any failed, after all have ended.
vm_each_kernel() {
	_fn=$1
	shift
	_pids=""
	for _kver in "$@"; do
		"$_fn" "$_kver" &
		_pids="$_pids $!"
	done
	_rc=0
	for _pid in $_pids; do
		wait "$_pid" || _rc=1
	done
	return $_rc
}

# vm_seed REL HASH: when VM_BUILD is another tree than the harness's own
# (tests/vm/flow's build/vm-flow) and build/vm/REL (k/KVER, kd/KVER) was made
# from the same inputs (its stamp file holds HASH), make VM_BUILD/REL a
# hard-linked copy of it instead of building it again: seconds and no disk
# space, where mkinitramfs or dracut take minutes. Safe because the scripts
# replace a file by unlinking it first (tar -x, install, mv, rm), never by
# writing through it. Returns 1 when there is nothing to seed from.
vm_seed() {
	_from=$VM_TOP/build/vm/$1
	[ "$(cd "$_from" 2>/dev/null && pwd -P)" != "$(cd "$VM_BUILD/$1" 2>/dev/null && pwd -P)" ] || return 1
	[ -e "$_from/stamp" ] && [ "$(cat "$_from/stamp")" = "$2" ] || return 1
	rm -rf "${VM_BUILD:?}/$1"
	mkdir -p "$(dirname "$VM_BUILD/$1")"
	cp -al "$_from" "$VM_BUILD/$1"
	vm_log "$1: hard-linked from $_from (same inputs)"
}
