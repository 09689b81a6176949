# The Ansible collection: ansible-lint (production profile) on a copy laid
# out as ansible_collections/vfio_claim/vfio, the module's unit tests against
# the real tool on fixture copies, and ansible-playbook against localhost
# with --root on a fixture copy (check, apply, changed=0, drift, repair).
DEP_GROUPS += fleet
CHECKS += ansible
ANSIBLE_COLLECTION := contrib/ansible/vfio_claim/vfio
.PHONY: check-ansible
check-ansible: $(BUILD)/vfio-claim
	@w=$$(mktemp -d) && mkdir -p $$w/ansible_collections/vfio_claim && \
	cp -a $(ANSIBLE_COLLECTION) $$w/ansible_collections/vfio_claim/vfio && \
	(cd $$w/ansible_collections/vfio_claim/vfio && ANSIBLE_COLLECTIONS_PATH=$$w HOME=$$w \
		ansible-lint --nocolor -q); rc=$$?; rm -rf $$w; \
	[ $$rc = 0 ] && echo "ansible-lint: clean" || { echo "ansible-lint: FAILED" >&2; exit 1; }
	VFIO_CLAIM=$(abspath $(BUILD)/vfio-claim) PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m unittest discover \
		-s $(ANSIBLE_COLLECTION)/tests/unit
	contrib/ansible/tests/run-localhost.sh $(BUILD)/vfio-claim
