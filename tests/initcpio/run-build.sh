#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run initcpio/install/vfio-claim's build() against a stand-in for
# mkinitcpio's helper functions that prints each call, one a line:
#   tests/initcpio/run-build.sh HOOK ETC_DIR
set -eu
add_module() { echo "add_module $*"; }
add_file() { echo "add_file $*"; }
add_udev_rule() { echo "add_udev_rule $*"; }
add_runscript() { echo "add_runscript $*"; }
add_binary() { echo "add_binary $*"; }
add_dir() { echo "add_dir $*"; }
add_symlink() { echo "add_symlink $*"; }
_vfio_claim_etc=$2
# shellcheck source=/dev/null
. "$1"
build
