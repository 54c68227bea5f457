# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Step 4: upgrades on a live node.  Sourced by run.sh, after step 2 (the
# agent in its container, /opt/cni/bin/pflink from install-cni).
#
#   install-cni replacing pflink while 50 ADDs run: the image's own
#     install-cni.sh, alternating between two different pflink binaries
#     (the image's and this build's), in a loop for as long as the ADDs
#     run; no ADD may fail or see half a binary;
#   pflinkd restarted under load: ADDs run while the agent's container is
#     restarted and stopped; pflink must answer right every time, from the
#     agent or, while it is away, by its own scan.
#
# The ADDs run /opt/cni/bin/pflink as a runtime would (node_add_record),
# on three pod netns made here, each with its own PF.

# upg_setup: netns upgN with one VF each, and the lanes' table
# "NETNS IFNAME VF PF PF-NETDEV".
upg_setup() {
	local i dev bdf pf
	UPG_TABLE=$T/upg-table
	: > "$UPG_TABLE"
	for i in 3 13; do
		read -r dev bdf pf < <(printf '%s\n' "$NODE_VFS" | grep " 0000:04:" | sed -n "$((i + 1))p")
		tl_netns "upg$i$TAG"
		ip link set "$dev" netns "upg$i$TAG"
		ip -n "upg$i$TAG" link set "$dev" name net1
		echo "/run/netns/upg$i$TAG net1 $bdf $pf $(printf '%s\n' "$NODE_PFS" | awk -v p="$pf" '$2 == p {print $1}')" >> "$UPG_TABLE"
	done
	echo "/run/netns/$NSB net1 $VF_BIND 0000:01:00.0 pn${TAG}a" >> "$UPG_TABLE"
}

# upg_lane NAME COUNT PAUSE [installs]: COUNT ADDs round the table, PAUSE
# seconds apart; with "installs", the i-th ADD waits for install-cni's i-th
# replacement, so ADDs and replacements interleave however fast either is.
# One line per ADD in $T/lane-NAME: "rc result's-PF-netdev expected-netdev
# record's-PF expected-PF container".
upg_lane() {
	local i ns ifn vf pf pfdev cid got
	: > "$T/lane-$1"
	for i in $(seq 1 "$2"); do
		read -r ns ifn vf pf pfdev < <(sed -n "$(( (i % 3) + 1 ))p" "$UPG_TABLE")
		cid=upg-$1-$i-$TAG
		[ "${4:-}" = installs ] &&
			rt_wait 10 sh -c "[ \$(grep -c replaced '$T/installs.log') -ge $i ]"
		node_add_record "$ns" "$ifn" "$cid" upgrade "upg-$1-$i"
		# The result's host-side interface (no sandbox) is the PF netdev.
		got=$(printf '%s' "$OUT" | jq -r '[.interfaces[] | select(.sandbox == null) | .name][0] // "-"' 2>/dev/null)
		echo "$RC ${got:--} $pfdev $(jq -r .pfPciAddress "/run/pflink/state/${cid}_$ifn.json" 2>/dev/null || echo -) $pf $cid" >> "$T/lane-$1"
		sleep "$3"
	done
}

# upg_check_lanes WHAT: every ADD of every lane succeeded and named its PF.
upg_check_lanes() {
	local total wrong
	total=$(cat "$T"/lane-* | wc -l)
	wrong=$(cat "$T"/lane-* | awk '$1 != 0 || $2 != $3 || $4 != $5' | wc -l)
	check "$1: $total ADDs, $wrong failed or named another PF" sh -c "[ $wrong = 0 ] && [ $total -gt 0 ]"
	cat "$T"/lane-* | awk '$1 != 0 || $2 != $3 || $4 != $5' | head -n3
}

# upg_del_all: DEL every attachment the lanes made.
upg_del_all() {
	local f cid conf
	for f in /run/pflink/state/upg-*_net1.json; do
		[ -e "$f" ] || continue
		cid=$(jq -r .containerID "$f")
		conf=$(printf '{"cniVersion":"1.0.0","name":"node-net","type":"pflink","sysfsRoot":"%s","logFile":"%s"}' "$SYS" "$T/pflink.log")
		printf '%s' "$conf" | CNI_COMMAND=DEL CNI_CONTAINERID="$cid" CNI_NETNS="" CNI_IFNAME=net1 \
			CNI_PATH=/opt/cni/bin /opt/cni/bin/pflink >/dev/null 2>&1
	done
}

step_upgrade() {
	local a b inst n_repl lanes pids ctr rc0
	upg_setup

	# ---- install-cni replacing pflink under 50 ADDs ----------------------
	a=$T/pflink-image b=$T/pflink-build
	cp "$T/image-pflink" "$a"
	cp "$NODE_BUILD/pflink" "$b"
	podman run --rm --network=none --entrypoint /bin/cat "$NODE_IMAGE" /usr/lib/pflink/install-cni.sh > "$T/install-cni.sh"
	check "two different pflink binaries to alternate between" sh -c "! cmp -s '$a' '$b'"
	: > "$T/installs.log"
	# The installer loop: the image's install-cni.sh, as the init
	# container runs it, only with the host's dir as its CNI bin dir.
	(
		i=0
		while [ ! -e "$T/upg-stop" ]; do
			i=$((i + 1))
			if [ $((i % 2)) = 0 ]; then src=$a; else src=$b; fi
			PFLINK_SRC=$src PFLINK_CNI_BIN_DIR=/opt/cni/bin sh "$T/install-cni.sh" >> "$T/installs.log" 2>&1 ||
				echo "install-cni failed" >> "$T/installs.log"
		done
	) &
	inst=$!
	rt_wait 10 grep -q replaced "$T/installs.log"
	rm -f "$T"/lane-*
	pids=""
	for lanes in 1 2 3 4 5; do upg_lane "i$lanes" 10 0.01 installs & pids="$pids $!"; done
	# shellcheck disable=SC2086
	wait $pids
	touch "$T/upg-stop"
	wait "$inst"
	n_repl=$(grep -c 'replaced /opt/cni/bin/pflink' "$T/installs.log")
	upg_check_lanes "install-cni replaced pflink $n_repl times while 50 ADDs ran"
	check "... at least 10 replacements happened during the ADDs" test "$n_repl" -ge 10
	check "... install-cni never failed" sh -c "! grep -q -e failed -e error '$T/installs.log'"
	check "... the installed pflink is whole (one of the two), no temporary file left" \
		sh -c "{ cmp -s '$a' /opt/cni/bin/pflink || cmp -s '$b' /opt/cni/bin/pflink; } && [ ! -e /opt/cni/bin/.pflink.tmp ]"
	check "... every ADD left its record" test "$(ls /run/pflink/state/upg-i* | wc -l)" = 50
	upg_del_all
	check "... and DEL removed them all" sh -c "! ls /run/pflink/state/upg-* 2>/dev/null"
	rm -f "$T/upg-stop"

	# ---- pflinkd restarted under load ------------------------------------
	: > "$T/pflink.log"
	rm -f "$T"/lane-*
	pids=""
	ctr=$(node_ctr pflinkd)
	rc0=$(podman inspect --format '{{.RestartCount}}' "$ctr")
	for lanes in 1 2 3; do upg_lane "r$lanes" 60 0.05 & pids="$pids $!"; done
	# A rolling update's stop and start, then a crash that the restart
	# policy answers.  (podman logs errors about healthcheck timers it
	# keeps in systemd, which this machine does not run: not ours.)
	sleep 0.5
	podman stop -t 0 "$ctr" >/dev/null 2>>"$T/podman-upg.err"
	sleep 0.5
	podman start "$ctr" >/dev/null 2>>"$T/podman-upg.err"
	sleep 0.7
	# Killed from outside (podman kill counts as a stop by the user, which
	# no restart policy answers).
	kill -9 "$(podman inspect --format '{{.State.Pid}}' "$ctr")"
	# shellcheck disable=SC2086
	wait $pids
	check "the crashed agent was restarted by its restartPolicy" \
		rt_wait 10 sh -c "[ \$(podman inspect --format '{{.RestartCount}}' $ctr) -gt $rc0 ]"
	upg_check_lanes "pflinkd stopped, started and killed under load"
	check "... some ADDs were answered by pflinkd" grep -q 'from pflinkd in' "$T/pflink.log"
	check "... some fell back to pflink's own scan while it was away" \
		sh -c "grep -q 'resolving PF .* directly' '$T/pflink.log' && grep -q 'by direct scan in' '$T/pflink.log'"
	echo "pflink's answers: $(grep -c 'from pflinkd in' "$T/pflink.log") from pflinkd, $(grep -c 'by direct scan in' "$T/pflink.log") by its own scan"
	check "... and the agent is back and healthy" node_wait_health pflinkd 10
	upg_del_all
	check "... DEL removed every record" sh -c "! ls /run/pflink/state/upg-* 2>/dev/null"
}
