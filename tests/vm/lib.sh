# SPDX-License-Identifier: GPL-2.0
# Shared by the VM harness scripts: paths and small helpers. Sourced, not run.

# The project's top: a script in tests/vm/ is two levels below it; one
# deeper (tests/vm/flow/, tests/vm/fleet/) sets VM_TOP before sourcing.
VM_TOP=${VM_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
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

# vm_in_root ROOT CMD...: CMD in a chroot of ROOT, in a private mount
# namespace with /proc, /sys and /dev, so that they go away with it.
vm_in_root() {
	_r=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" &&
		mount -t sysfs sysfs "$r/sys" &&
		mount --bind /dev "$r/dev" &&
		chroot "$r" "$@"' sh "$_r" "$@"
}

# vm_debs: the two Debian packages every guest gets, as `make deb` builds
# them from the tracked files as they are now, shared by the VM trees
# (build/vm, build/vm-flow, build/vm-fleet) in VM_DEB_DIR: built again only
# when a file that goes into them changed (the tracked files outside tests/
# and build/, or every file outside them without git, hashed into
# VM_DEB_DIR/src-hash), one build at a time (a lock beside the directory).
# The two files are hard-linked (else copied) into VM_BUILD/deb under that lock, so that
# another tree's rebuild (make deb starts with rm -rf) never pulls them away
# from this one. Sets vm_deb_tool and vm_deb_dkms to those links; dies when
# make deb fails.
VM_DEB_DIR=$(realpath -m "${VM_DEB_DIR:-$VM_TOP/build/vm-deb}")
vm_debs() {
	mkdir -p "$(dirname "$VM_DEB_DIR")" "$VM_LOGS"
	(
		flock 9
		_src=$(cd "$VM_TOP" && {
			git ls-files -z 2>/dev/null ||
				find . -path ./build -prune -o -path ./.git -prune -o -type f -print0
		} | grep -zv -e '^tests/' -e '^build/' -e '^\./tests/' |
			LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1)
		if [ "$(cat "$VM_DEB_DIR/src-hash" 2>/dev/null)" != "$_src" ] ||
			! ls "$VM_DEB_DIR"/vfio-claim_*.deb "$VM_DEB_DIR"/vfio-claim-dkms_*_all.deb >/dev/null 2>&1; then
			_t=$(date +%s)
			if ! make -C "$VM_TOP" --no-print-directory deb DEB_DIR="$VM_DEB_DIR" >"$VM_LOGS/make-deb.log" 2>&1; then
				tail -20 "$VM_LOGS/make-deb.log" >&2
				exit 1
			fi
			echo "$_src" >"$VM_DEB_DIR/src-hash"
			vm_log "make deb: $(($(date +%s) - _t))s ($VM_DEB_DIR)"
		fi
		rm -rf "$VM_BUILD/deb"
		mkdir -p "$VM_BUILD/deb"
		ln "$VM_DEB_DIR"/vfio-claim_*.deb "$VM_DEB_DIR"/vfio-claim-dkms_*_all.deb "$VM_BUILD/deb/" 2>/dev/null ||
			cp "$VM_DEB_DIR"/vfio-claim_*.deb "$VM_DEB_DIR"/vfio-claim-dkms_*_all.deb "$VM_BUILD/deb/"
	) 9>"$VM_DEB_DIR.lock" || vm_die "make deb failed (log: $VM_LOGS/make-deb.log)"
	for vm_deb_tool in "$VM_BUILD"/deb/vfio-claim_*.deb; do break; done
	for vm_deb_dkms in "$VM_BUILD"/deb/vfio-claim-dkms_*_all.deb; do break; done
	if [ ! -e "$vm_deb_tool" ] || [ ! -e "$vm_deb_dkms" ]; then
		vm_die "make deb left no vfio-claim and vfio-claim-dkms package in $VM_DEB_DIR"
	fi
}

# vm_dpkg_install LOG ROOT DEB...: dpkg -i of the .deb files in a chroot
# of ROOT (vm_in_root), as apt does for `apt install ./x.deb` once the
# dependencies are there: the maintainer scripts and the triggers
# (update-initramfs) run. The dependencies must be in ROOT already (no
# archive is reached). Output appended to LOG; dies when dpkg fails.
vm_dpkg_install() {
	_log=$1 _r=$2
	shift 2
	rm -rf "$_r/tmp/vm-debs"
	mkdir -p "$_r/tmp/vm-debs"
	cp "$@" "$_r/tmp/vm-debs/"
	# shellcheck disable=SC2016 # expanded by the inner sh
	vm_in_root "$_r" sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/vm-debs/*.deb' >>"$_log" 2>&1 || {
		tail -20 "$_log" >&2
		vm_die "dpkg -i $* in $_r failed (log: $_log)"
	}
	rm -rf "$_r/tmp/vm-debs"
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
# bin, sbin are links into usr): a tree's lib/ goes through the link instead
# of failing as cp -a does on it.
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
