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

