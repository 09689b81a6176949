#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dracut module of vfio-claim: put into the initramfs what claims devices for
# vfio-pci before udev replays the boot's device events, and load vfio_claim
# before udevd starts (rd.driver.pre, what force_drivers+= does, in
# etc/cmdline.d). With systemd in the initramfs (Debian's default), the
# rd.driver.pre modules are loaded by dracut-pre-udev.service, which is
# ordered before systemd-udevd.service (FACTS.md section 9); not by
# dracut-cmdline.service.
#
# Installed as /usr/lib/dracut/modules.d/90vfio-claim/. Included by default
# (check returns 0); 'omit_dracutmodules+=" vfio-claim "' leaves it out.

# The module, vfio-pci and vfio_iommu_type1 (a soft dependency of vfio);
# instmods adds the hard dependencies (vfio_pci_core, vfio, irqbypass, ...).
# hostonly='': these go in even when none is loaded on the host.
installkernel() {
	hostonly='' instmods vfio-pci vfio_iommu_type1
	if hostonly='' instmods -c -s vfio_claim; then
		mkdir -p "${initdir:?}/etc/cmdline.d"
		echo "rd.driver.pre=vfio_claim" >"${initdir}/etc/cmdline.d/90vfio-claim.conf"
	else
		dwarn "vfio-claim: no vfio_claim module for ${kernel:-this kernel} (is the DKMS build missing?); only the udev rules will claim devices"
	fi
	return 0
}

# The udev rules, each at its own path (an admin's copy in /etc/udev/rules.d
# wins, as with udev; verify looks for the packaged rule where the package
# puts it), the generated modprobe options (dracut copies /etc/modprobe.d only
# in hostonly mode; /usr/lib/modprobe.d always), the config for reference.
# inst_simple without -H: in the image whatever hostonly says.
install() {
	local rule dir conf

	for rule in 60-vfio-claim.rules 59-vfio-claim-claims.rules; do
		for dir in /etc/udev/rules.d "${udevdir:-/usr/lib/udev}/rules.d" \
			/usr/lib/udev/rules.d /lib/udev/rules.d; do
			if [[ -f "$dir/$rule" ]]; then
				inst_simple "$dir/$rule"
				break
			fi
		done
	done
	for conf in /etc/modprobe.d/vfio-claim*.conf /usr/lib/modprobe.d/vfio-claim*.conf \
		/etc/vfio-claim.conf /etc/vfio-claim.conf.d/*.conf; do
		[[ -f "$conf" ]] && inst_simple "$conf"
	done
	return 0
}

check() {
	return 0
}

# udev-rules brings udevd and its kmod builtin; kernel-modules handles
# rd.driver.pre.
depends() {
	echo kernel-modules udev-rules
	return 0
}
