# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Step 5: the Debian package (cpack -G DEB), for nodes managed without the
# DaemonSet: built from a clean configure with prefix /usr, checked by
# lintian (no error, no warning but one overridden with a written reason),
# installed with apt into a container of the suite's Debian base (the
# machine's own /usr stays as it is), run there, removed.  Sourced by
# run.sh; needs step 1's base image only.

step_deb() {
	local b=$T/deb-build deb unit out rc ovr needed base=localhost/debian:bookworm-slim
	if ! { cmake -S "$NODE_SRC" -B "$b" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release \
			-DBUILD_TESTING=OFF >"$T/deb-cmake.log" 2>&1 &&
		cmake --build "$b" -j"$(nproc)" >>"$T/deb-cmake.log" 2>&1 &&
		(cd "$b" && cpack -G DEB) >>"$T/deb-cmake.log" 2>&1; }; then
		bad "cpack -G DEB: $(tail -n5 "$T/deb-cmake.log")"; return 1
	fi
	deb=$(ls "$b"/pflink_*_amd64.deb 2>/dev/null | head -n1)
	check "cpack -G DEB made $(basename "${deb:-none}")" test -s "$deb"
	[ -s "$deb" ] || return 1
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {l = $6; for (i = 7; i <= NF; i++) l = l " " $i; print substr($1, 1, 1), l}' > "$T/deb.files"
	echo "package $(basename "$deb"), $(stat -c %s "$deb") bytes:"
	sed 's/^/  /' "$T/deb.files"
	check "it ships pflink in /usr/lib/cni (nothing in /opt), pflinkd and pflinkctl in /usr/bin, the unit, three man pages, the completion, copyright and changelog" \
		sh -c "for f in usr/lib/cni/pflink usr/bin/pflinkd usr/bin/pflinkctl lib/systemd/system/pflinkd.service \
			usr/share/man/man8/pflink.8.gz usr/share/man/man8/pflinkd.8.gz usr/share/man/man8/pflinkctl.8.gz \
			usr/share/bash-completion/completions/pflinkctl usr/share/doc/pflink/copyright \
			usr/share/doc/pflink/changelog.gz; do grep -qx -- \"- ./\$f\" '$T/deb.files' || exit 1; done
			[ \$(wc -l < '$T/deb.files') = 10 ]"

	# lintian, Debian's package checker: no error, no warning.  A tag
	# the package overrides must say why, in a comment line above it.
	if lintian --fail-on error,warning --info --pedantic --show-overrides "$deb" >"$T/lintian.out" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	grep -v 'running with root privileges' "$T/lintian.out" | sed 's/^/  lintian: /'
	check "lintian: no error, no warning (exit $rc; $(grep -cE '^[EW]: ' "$T/lintian.out") E/W lines)" \
		sh -c "[ $rc = 0 ] && ! grep -qE '^[EW]: ' '$T/lintian.out'"
	mkdir -p "$T/debroot"
	dpkg-deb -x "$deb" "$T/debroot"
	ovr=$T/debroot/usr/share/lintian/overrides/pflink
	check "every lintian override in the package says why (a comment line above it)" \
		sh -c "[ ! -e '$ovr' ] || awk '/^#/ { why = 1; next } /^[[:space:]]*\$/ { next } !why { exit 1 } { why = 0 }' '$ovr'"
	check "man pages and completion are those of this source" \
		sh -c "zcmp '$T/debroot/usr/share/man/man8/pflinkd.8.gz' '$b/man/pflinkd.8.gz' &&
			cmp '$T/debroot/usr/share/bash-completion/completions/pflinkctl' '$NODE_SRC/packaging/pflinkctl.bash-completion'"
	check "the programs are stripped (no .symtab, no debug sections)" \
		sh -c "for f in usr/lib/cni/pflink usr/bin/pflinkd usr/bin/pflinkctl; do
			readelf -S '$T/debroot/'\$f | grep -qE '\\.symtab|\\.debug_' && exit 1; done; exit 0"
	grep -i 'warning' "$T/deb-cmake.log" | head -n3
	out=$(dpkg-deb -f "$deb" Depends)
	check "Depends come from the binaries' libraries: libc, pflinkd's libmicrohttpd and libnl-3/libnl-genl-3 (cJSON is compiled in): $out" \
		sh -c "printf '%s' '$out' | tr -d ' ' | tr ',' '\\n' | sed 's/(.*//' | sort | tr '\\n' ' ' | grep -qx 'libc6 libmicrohttpd12 libnl-3-200 libnl-genl-3-200 '"

	# The unit, checked by systemd itself; ExecStart is pointed at the
	# package's binary, which is not installed on this machine, and man
	# at the package's man pages (systemd checks its Documentation=).
	mkdir -p "$T/unit"
	needed=$(readelf -d "$T/debroot/usr/lib/cni/pflink" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	check "the plugin, which runs on the host, needs libc alone: $needed" test "$needed" = "libc.so.6 "
	unit=$T/debroot/lib/systemd/system/pflinkd.service
	sed "s|=/usr/bin/pflinkd|=$T/debroot/usr/bin/pflinkd|" "$unit" > "$T/unit/pflinkd.service"
	MANPATH=$T/debroot/usr/share/man systemd-analyze verify "$T/unit/pflinkd.service" >"$T/verify.out" 2>&1
	check "systemd-analyze verify: the unit is clean ($(head -c 200 "$T/verify.out"))" test ! -s "$T/verify.out"
	check "the unit bounds pflinkd to the DaemonSet's capabilities" \
		sh -c "grep -qx 'CapabilityBoundingSet=CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_NET_ADMIN' '$unit'"

	# Installed by apt (which resolves Depends from the archive) in a
	# container of the base (podman's default capabilities: apt drops to
	# its _apt user), then pflinkd run as the unit runs it: root, its
	# bounding set the unit's CapabilityBoundingSet (setpriv), the host's
	# network.
	mkdir -p "$T/debin"
	cp "$deb" "$T/debin/"
	out=$(podman run --rm --network=host --cap-add=SYS_ADMIN,SYS_PTRACE,NET_ADMIN \
		-v "$T/debin:/debin:ro" -v "$unit:/unit:ro" --entrypoint /bin/bash "$base" -c '
		set -e
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends /debin/*.deb >/dev/null
		echo "installed: $(dpkg-query -W -f="\${Package} \${Version} \${Status}" pflink)"
		echo "version: $(CNI_COMMAND=VERSION /usr/lib/cni/pflink </dev/null)"
		cmd=$(sed -n "s/^ExecStart=//p" /unit)
		caps=$(sed -n "s/^CapabilityBoundingSet=//p" /unit | tr "A-Z " "a-z\n" | sed "s/^cap_/+/" | paste -sd,)
		setpriv --bounding-set=-all,$caps --inh-caps=-all $cmd > /tmp/pflinkd.log 2>&1 &
		for i in $(seq 50); do pflinkctl health >/dev/null 2>&1 && break; sleep 0.1; done
		echo "health: $(pflinkctl health 2>&1)"
		echo "capeff: $(awk "/^CapEff/ {print \$2}" /proc/$!/status)"
		kill %1 2>/dev/null || sed "s/^/pflinkd: /" /tmp/pflinkd.log
		wait || true
		apt-get remove --purge -y -qq pflink >/dev/null
		echo "left after purge: $(ls /usr/lib/cni/pflink /usr/bin/pflinkd /usr/bin/pflinkctl /lib/systemd/system/pflinkd.service \
			/usr/share/bash-completion/completions/pflinkctl /usr/share/doc/pflink 2>/dev/null | wc -l)"
	' 2>&1)
	printf '%s\n' "$out" | sed 's/^/  /'
	check "apt installs the package and its dependencies on a bare Debian" \
		sh -c "printf '%s' \"\$1\" | grep -q '^installed: pflink .* install ok installed'" _ "$out"
	check "/usr/lib/cni/pflink runs the plugin" \
		sh -c "printf '%s' \"\$1\" | grep -q '^version: .*\"supportedVersions\"'" _ "$out"
	check "pflinkd started as the unit's ExecStart answers pflinkctl health" \
		sh -c "printf '%s' \"\$1\" | grep -q '^health: pflinkd ok: up'" _ "$out"
	check "... holding CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_NET_ADMIN only (CapEff 0x281000)" \
		sh -c "printf '%s' \"\$1\" | grep -q '^capeff: 0000000000281000'" _ "$out"
	check "apt-get remove --purge leaves none of its files" \
		sh -c "printf '%s' \"\$1\" | grep -q '^left after purge: 0'" _ "$out"
}
