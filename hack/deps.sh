#!/bin/bash
# SPDX-License-Identifier: MIT
# Install what building and testing pflink needs, from Debian's archive.
# Idempotent: apt runs only when a package is missing.
set -euo pipefail
# libmnl-dev: only test/fuzz/gen_nl_seed.c (cJSON is in third_party/);
# libmicrohttpd-dev: pflinkd's /metrics; libnl-3-dev, libnl-genl-3-dev:
# pflinkd's devlink (agent/devlink/).
PKGS=(build-essential cmake pkg-config libmnl-dev libmicrohttpd-dev libnl-3-dev libnl-genl-3-dev
      iproute2 ethtool jq golang-go golang-github-appc-cni-dev containernetworking-plugins
      clang libclang-rt-14-dev valgrind strace socat util-linux)
# scdoc: the man pages' source format (docs/man) made into roff.
PKGS+=(scdoc)
# The runtime tests (test/runtime): podman on its CNI backend and containerd's
# ctr, both with runc (named here so that podman's "crun | runc" takes it);
# a static busybox is their container's rootfs.
[ "${1:-}" = --test ] && PKGS+=(npm podman runc containerd busybox-static)
# /metrics: a real Prometheus (and promtool) scrapes pflinkd in the tests;
# curl plays the plain HTTP client; ping makes the VFs' traffic.
[ "${1:-}" = --test ] && PKGS+=(prometheus curl iputils-ping)
# The node suite (test/node): the image built with podman/buildah on a
# debootstrap base, podman's infra container (catatonit, also the CRI
# sandbox image's pause), the DaemonSet's pod generated with PyYAML, the
# CRI client (gRPC, protoc for the runtime.v1 messages), cpack's .deb.
[ "${1:-}" = --test ] && PKGS+=(buildah debootstrap catatonit python3-yaml python3-grpcio
	python3-protobuf protobuf-compiler dpkg-dev systemd)
# lintian checks the .deb (test/node/deb.sh); man-db renders the man pages
# as lintian does (test/packaging/man.sh).
[ "${1:-}" = --test ] && PKGS+=(lintian man-db)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm may come with the machine's own Node.js instead of Debian's package.
if [ "${1:-}" = --test ] && command -v npm >/dev/null; then
	missing=("${missing[@]/npm/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
