#!/bin/bash
# SPDX-License-Identifier: MIT
# The whole test suite, from a fresh machine: installs what it needs, builds
# with -Werror, runs every test; then again under ASan+UBSan; then a short
# fuzz run, the manifest validation, the node suite (image, DaemonSet pod,
# containerd's CRI, upgrades, .deb) and the real-SR-IOV VM suite.
#   PFLINK_SKIP_VM=1   skip the VM suite (it needs ~10 min of set-up once)
#   PFLINK_FUZZ_SECONDS=N  seconds per fuzz target (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
step() { printf '\n===== %s =====\n' "$*"; }

step "dependencies"
bash hack/deps.sh --test

step "build (-Werror) and tests"
cmake -S . -B build -DPFLINK_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"
(cd build && ctest --output-on-failure -j"$JOBS")

step "ASan+UBSan build and tests"
cmake -S . -B build-asan -DPFLINK_SANITIZE=ON -DPFLINK_WERROR=ON >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 ctest --output-on-failure -j"$JOBS")

for s in hack/fuzz.sh hack/validate-manifests.sh; do
	[ -f "$s" ] || continue
	step "$s"
	case $s in
	*fuzz*) bash "$s" "${PFLINK_FUZZ_SECONDS:-10}" ;;
	*) bash "$s" ;;
	esac
done

# The node as Kubernetes runs it: image, DaemonSet pod, containerd's CRI,
# upgrades, the .deb (test/node/run.sh; root only).
step "node suite (test/node)"
bash test/node/run.sh build || [ $? = 77 ]

if [ "${PFLINK_SKIP_VM:-0}" != 1 ] && [ -f hack/vm-test.sh ]; then
	step "real SR-IOV (igb/igbvf in a VM)"
	bash hack/vm-test.sh
fi
step "all test stages passed"
