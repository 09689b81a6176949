# Packaging and documentation: man pages (man/*.scd, scdoc), bash and zsh
# completion (completions/), the packaged config template, the Debian
# packages (debian/) and the RPM spec (vfio-claim.spec).
#
#   make man                    build/man/vfio-claim.8, vfio-claim.conf.5, vfio_claim.4
#   make deb                    build/deb/vfio-claim_VER_ARCH.deb, vfio-claim-dkms_VER_all.deb
#   make rpm                    build/rpm/RPMS/.../vfio-claim-VER-*.rpm and the dkms subpackage
#   make check-man              man --warnings on each page; options match --help
#   make check-completion       bash (COMP_WORDS/COMP_CWORD) and zsh (zpty) completion
#   make check-deb              make deb, then lintian: no error, no warning
#   make check-rpm              make rpm, then rpmlint: no error
DEP_GROUPS += pkg
CHECKS += man completion deb rpm

MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(wildcard man/*.scd))

# Where the distribution's completion loaders look.
BASH_COMPLETIONSDIR ?= $(shell $(PKG_CONFIG) --variable=completionsdir bash-completion 2>/dev/null || \
	echo $(PREFIX)/share/bash-completion/completions)
ZSH_COMPLETIONSDIR ?= $(PREFIX)/share/zsh/vendor-completions

.PHONY: man install-man install-completion install-conf deb rpm \
	check-man check-completion check-deb check-rpm
man: $(MAN_PAGES)

$(BUILD)/man/%: man/%.scd VERSION
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< | scdoc >$@.tmp && mv $@.tmp $@

install: install-man install-completion
# Without scdoc (a build machine set up for the tool alone) 'make install'
# goes on without the pages and says so.
SCDOC := $(shell command -v scdoc 2>/dev/null)
install-man: $(if $(SCDOC),$(MAN_PAGES))
	@[ -n "$(SCDOC)" ] || echo "install-man: scdoc is not installed; no man pages (scripts/install-deps.sh pkg)"
	$(if $(SCDOC),for p in $(MAN_PAGES); do \
		s=$${p##*.}; install -D -m 0644 $$p $(DESTDIR)$(PREFIX)/share/man/man$$s/$$(basename $$p); \
	done)

install-completion:
	install -D -m 0644 completions/vfio-claim.bash $(DESTDIR)$(BASH_COMPLETIONSDIR)/vfio-claim
	install -D -m 0644 completions/_vfio-claim $(DESTDIR)$(ZSH_COMPLETIONSDIR)/_vfio-claim

# The commented template the packages ship as a conffile; not part of
# 'make install' (the tool's 'add' creates the file when there is none),
# never written over an admin's config.
install-conf:
	@if [ -e $(DESTDIR)/etc/vfio-claim.conf ]; then \
		echo "install-conf: keeping $(DESTDIR)/etc/vfio-claim.conf"; \
	else \
		install -D -m 0644 config/vfio-claim.conf $(DESTDIR)/etc/vfio-claim.conf; \
	fi

# Pages: man's own checker (groff warnings included); then each command's
# options in the page against its --help.
check-man: $(MAN_PAGES) $(BUILD)/vfio-claim
	@rc=0; for p in $(MAN_PAGES); do \
		out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l $$p 2>&1 >/dev/null); \
		if [ -n "$$out" ]; then echo "$$out"; echo "man: $$p: warnings"; rc=1; \
		else echo "man: $$p: no warning"; fi; \
	done; exit $$rc
	tests/pkg/man-options.sh $(BUILD)/vfio-claim man/vfio-claim.8.scd

check-completion: $(BUILD)/vfio-claim
	bats --print-output-on-failure tests/pkg/completion.bats

# dpkg-buildpackage from a copy of the committed tree (git archive when this
# is a git checkout, so nothing untracked leaks in), in build/deb/src.
DEB_DIR := $(BUILD)/deb
deb:
	@scripts/install-deps.sh pkg
	@tests/pkg/check-version.sh
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	if git rev-parse --git-dir >/dev/null 2>&1; then \
		git ls-files -z | grep -zv '^build/' | tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src; \
	else \
		tar --exclude=./build -cf - . | tar -xf - -C $(DEB_DIR)/src; \
	fi
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -40 ../build.log; echo "deb: dpkg-buildpackage failed (log $(DEB_DIR)/build.log)" >&2; exit 1; }
	@ls $(DEB_DIR)/*.deb

check-deb: deb
	lintian --fail-on error,warning --display-info --tag-display-limit 0 $(DEB_DIR)/*.changes
	tests/pkg/deb-contents.sh $(DEB_DIR) $(VERSION)
	tests/pkg/dkms-clean.sh $(DEB_DIR) $(VERSION)

RPM_DIR := $(abspath $(BUILD)/rpm)
rpm:
	@scripts/install-deps.sh pkg
	rm -rf $(RPM_DIR) && mkdir -p $(RPM_DIR)/SOURCES
	git ls-files -z | grep -zv '^build/' | \
		tar --null -T - --transform 's,^,vfio-claim-$(VERSION)/,' -czf $(RPM_DIR)/SOURCES/vfio-claim-$(VERSION).tar.gz
	rpmbuild -bb --define '_topdir $(RPM_DIR)' --define 'vc_version $(VERSION)' \
		--nodeps vfio-claim.spec >$(RPM_DIR)/build.log 2>&1 || \
		{ tail -40 $(RPM_DIR)/build.log; echo "rpm: rpmbuild failed (log $(RPM_DIR)/build.log)" >&2; exit 1; }
	@find $(RPM_DIR)/RPMS -name '*.rpm'

check-rpm: rpm
	rpmlint -r tests/pkg/rpmlintrc $$(find $(RPM_DIR)/RPMS -name '*.rpm')
