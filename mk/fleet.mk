# Fleet integration (issue 13): the systemd timer that refreshes Node Feature
# Discovery's labels (systemd/). The Ansible collection is in mk/ansible.mk.
#
#   make install-systemd   vfio-claim-nfd.service and .timer into SYSTEMDUNITDIR
SYSTEMDUNITDIR ?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || \
	echo /lib/systemd/system)

install: install-systemd
.PHONY: install-systemd
install-systemd:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/bin/vfio-claim|$(PREFIX)/bin/vfio-claim|' systemd/vfio-claim-nfd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/vfio-claim-nfd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/vfio-claim-nfd.service
	install -D -m 0644 systemd/vfio-claim-nfd.timer $(DESTDIR)$(SYSTEMDUNITDIR)/vfio-claim-nfd.timer


# Issue 13's fleet proven on two QEMU guests with Ansible (tests/vm/fleet/):
# one inventory, the README's playbook, run 1 converges and reboots both,
# run 2 changed=0, a local edit found by --check --diff and repaired by run 3,
# verify holds on both. Everything it builds lives under $(BUILD)/vm-fleet
# but the packages, shared with the other VM trees in $(BUILD)/vm-deb.
# Part of CHECKS (added in mk/vm.mk, after vm-flow: its guest disk starts
# from check-vm's 6.1 root, hard-linked). On 6.1 on 2 CPUs with nothing
# else running it took 439 s (packages and disk 70 s, both guests up 48 s,
# run 1 with the in-guest update-initramfs and the reboot 213 s, runs 2 and
# 3 and the check run 25-27 s each); at a load of 14, 1793 s.
#
#   make check-vm-fleet [VM_FLEET_KERNEL=6.1|6.12]
VM_FLEET_KERNEL ?= 6.1
.PHONY: check-vm-fleet
check-vm-fleet:
	tests/vm/fleet/run.sh --kernel $(VM_FLEET_KERNEL)
