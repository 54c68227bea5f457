# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Step 1: the image, from manifests/Containerfile exactly as a user builds it
# (manifests/README.md), on a Debian base this suite makes itself: no
# registry serves images here.  Sourced by run.sh.

# The Containerfile says FROM debian:bookworm-slim.  podman resolves that
# short name against local images first, so a local
# localhost/debian:bookworm-slim satisfies it with --pull=never.  It is made
# as Debian's own slim images are: debootstrap minbase, then no apt lists or
# caches, and dpkg told to skip docs, man pages and locales.
node_base_image() {
	local base=localhost/debian:bookworm-slim root=$T/base mirror t0
	if podman image exists "$base"; then
		echo "base $base: kept in $NODE_WORK from an earlier run (PFLINK_NODE_FRESH=1 rebuilds it)"
		return 0
	fi
	mirror=$(tl_debian_mirror) || { bad "no Debian mirror in apt's sources"; return 1; }
	t0=$(node_ms)
	if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$T/debootstrap.log" 2>&1; then
		bad "debootstrap bookworm: $(tail -n3 "$T/debootstrap.log")"
		return 1
	fi
	mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
	cat > "$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
	find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
	rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
		"$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
	if ! tar -C "$root" --numeric-owner -c . | podman import --change 'CMD ["bash"]' - "$base" >/dev/null 2>"$T/import.err"; then
		bad "podman import: $(cat "$T/import.err")"
		return 1
	fi
	rm -rf "$root"
	echo "base $base: debootstrap + import in $(( ($(node_ms) - t0) / 1000 )) s"
}

step_image() {
	local t0 log=$T/build.log out id
	node_base_image || return 1
	NODE_IMAGE=$(node_ds_image) || { bad "cannot read the image name from the DaemonSet"; return 1; }
	# manifests/README.md's command, with what this machine needs: no pull
	# (no registry) and the host's network for apt in the RUN steps (the
	# test's podman has no network of its own).
	t0=$(node_ms)
	if (cd "$NODE_SRC" && podman build --pull=never --network=host \
		-f manifests/Containerfile --ignorefile manifests/Containerfile.dockerignore \
		-t "$NODE_IMAGE" .) >"$log" 2>&1; then
		ok "podman build -f manifests/Containerfile: $NODE_IMAGE in $(( ($(node_ms) - t0) / 1000 )) s"
	else
		bad "podman build: $(tail -n5 "$log")"
		return 1
	fi
	id=$(podman image inspect --format '{{.Id}}' "$NODE_IMAGE")
	NODE_IMAGE_SIZE=$(podman image inspect --format '{{.Size}}' "$NODE_IMAGE")
	echo "image $NODE_IMAGE ${id:0:12}: $((NODE_IMAGE_SIZE / 1000 / 1000)) MB ($NODE_IMAGE_SIZE bytes), layers:"
	podman history --format '{{.Size}}	{{.CreatedBy}}' "$NODE_IMAGE" | cut -c1-110 | sed 's/^/  /'

	# The three programs run inside the image, as the DaemonSet runs them:
	# a read-only root, no capability.
	out=$(podman run --rm --read-only --cap-drop=ALL --network=none --entrypoint /usr/lib/cni/pflink \
		-e CNI_COMMAND=VERSION "$NODE_IMAGE" </dev/null 2>&1)
	check "pflink VERSION runs in the image (${out:0:60})" \
		jq_text "$out" '.supportedVersions | index("1.1.0")'
	out=$(podman run --rm --read-only --cap-drop=ALL --network=none --entrypoint /usr/bin/pflinkd \
		"$NODE_IMAGE" --help 2>&1)
	check "pflinkd runs in the image (its usage: ${out%%$'\n'*})" \
		sh -c "printf '%s' \"\$1\" | grep -q -- '--sysfs'" _ "$out"
	out=$(podman run --rm --read-only --cap-drop=ALL --network=none --entrypoint /usr/bin/pflinkctl \
		"$NODE_IMAGE" --socket /nonexistent/sock health 2>&1)
	rc=$?
	check "pflinkctl runs in the image and says no agent answers (rc $rc: $out)" \
		sh -c "[ $rc = 1 ] && printf '%s' \"\$1\" | grep -q '/nonexistent/sock'" _ "$out"
	check "the image's ENTRYPOINT is pflinkd" \
		test "$(podman image inspect --format '{{json .Config.Entrypoint}}' "$NODE_IMAGE")" = '["/usr/bin/pflinkd"]'
	check "install-cni.sh is in the image where the DaemonSet runs it" \
		podman run --rm --read-only --network=none --entrypoint /bin/sh "$NODE_IMAGE" -c 'test -r /usr/lib/pflink/install-cni.sh'
	check "the image has the man pages and the copyright file (cJSON's notice)" \
		podman run --rm --read-only --network=none --entrypoint /bin/sh "$NODE_IMAGE" -c \
		'for p in pflink pflinkd pflinkctl; do test -s /usr/share/man/man8/$p.8.gz || exit 1; done
		grep -q "^Files: third_party/cjson/" /usr/share/doc/pflink/copyright'
	# Whatever the base: apt's lists and binary caches must not ship.
	check "no apt lists or caches in the image" \
		podman run --rm --read-only --network=none --entrypoint /bin/sh "$NODE_IMAGE" \
		-c '[ -z "$(ls /var/lib/apt/lists | grep -v -e ^lock -e ^partial)" ] && ! ls /var/cache/apt/*.bin 2>/dev/null'
	# The build stage's tools must not ship.
	check "no compiler or cmake in the final image" \
		podman run --rm --read-only --network=none --entrypoint /bin/sh "$NODE_IMAGE" -c '! command -v cc && ! command -v cmake'
}
