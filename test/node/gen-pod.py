#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gen-pod.py - the Pod that the pflinkd DaemonSet's controller would make.

    gen-pod.py [options] DAEMONSET.yaml > pod.yaml
    gen-pod.py --print-image DAEMONSET.yaml

The Pod is the DaemonSet's pod template, as written: metadata from the
template (name = the DaemonSet's, namespace = the DaemonSet's), spec copied
whole.  So the node suite runs what the manifest says and can never drift
from it.  podman 4.3 plays Pods and Deployments, not DaemonSets, hence this.

Always dropped: containers' ports under hostNetwork (podman 4.3 refuses
port mappings on the host network; there they map nothing).  Always
done: $(VAR) in command and args expanded from the container's env, as
kubelet does (podman 4.3 passes it literally).

Options that change it, each for one experiment of the suite:

  --name NAME            pod name (default: the DaemonSet's)
  --drop-cap CAP         remove CAP from the pflinkd container's
                         capabilities.add (an error if it is not there)
  --drop-mount NAME      remove volumeMount NAME from every container (an
                         error if no container has it)
  --host-path VOL=PATH   the hostPath of volume VOL is PATH
  --restart-policy P     spec.restartPolicy (a DaemonSet's pod has Always)
  --host-ip IP           the value kubelet gives an env var from fieldRef
                         status.hostIP (the node's IP): podman 4.3's kube
                         play resolves fieldRef of metadata.* only
  --test-shim DIR        THE TEST-ONLY ADDITION: this machine has no SR-IOV
                         NIC, so pflinkd runs with the ethtool shim of
                         test/shim (LD_PRELOAD, keyed by MAC) and its map,
                         both in DIR, mounted read-only at DIR; and
                         install-cni gets PFLINK_SRC=/usr/lib/cni/pflink,
                         the dynamic plugin, which the shim can reach (a
                         static one loads no LD_PRELOAD); the pod is
                         annotated pflink.test/addition so nobody mistakes it
                         for the manifest

Errors (unknown volume, capability, container) exit 2 with a message.
"""

import argparse
import copy
import sys

import yaml


def die(msg):
    print(f"gen-pod.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load_daemonset(path):
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
    except (OSError, yaml.YAMLError) as e:
        die(f"{path}: {e}")
    ds = [d for d in docs if d.get("kind") == "DaemonSet"]
    if len(ds) != 1:
        die(f"{path}: want exactly one DaemonSet, found {len(ds)}")
    return ds[0]


def expand(s, env):
    """kubelet's $(VAR) expansion: $$ is a literal $, an unknown $(VAR) stays."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("$$", i):
            out.append("$")
            i += 2
        elif s.startswith("$(", i) and s.find(")", i) > 0 and s[i + 2:s.find(")", i)] in env:
            j = s.find(")", i)
            out.append(env[s[i + 2:j]])
            i = j + 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def container(spec, name):
    for c in spec.get("containers", []):
        if c.get("name") == name:
            return c
    die(f"no container named {name}")


def main():
    ap = argparse.ArgumentParser(description="DaemonSet pod template -> Pod")
    ap.add_argument("daemonset")
    ap.add_argument("--name")
    ap.add_argument("--print-image", action="store_true")
    ap.add_argument("--drop-cap", action="append", default=[])
    ap.add_argument("--drop-mount", action="append", default=[])
    ap.add_argument("--host-path", action="append", default=[])
    ap.add_argument("--restart-policy", choices=["Always", "OnFailure", "Never"])
    ap.add_argument("--test-shim")
    ap.add_argument("--host-ip")
    a = ap.parse_args()

    ds = load_daemonset(a.daemonset)
    tmpl = ds["spec"]["template"]
    spec = copy.deepcopy(tmpl["spec"])
    agent = container(spec, "pflinkd")

    if a.print_image:
        images = {c["image"] for c in spec["containers"] + spec.get("initContainers", [])}
        if len(images) != 1:
            die(f"the DaemonSet's containers use {len(images)} images, want one")
        print(images.pop())
        return

    caps = agent.setdefault("securityContext", {}).setdefault("capabilities", {}).setdefault("add", [])
    for cap in a.drop_cap:
        if cap not in caps:
            die(f"capability {cap} is not in the pflinkd container's add list {caps}")
        caps.remove(cap)
    if not caps:
        del agent["securityContext"]["capabilities"]["add"]

    for m in a.drop_mount:
        found = False
        for c in spec["containers"] + spec.get("initContainers", []):
            vm = c.get("volumeMounts", [])
            keep = [v for v in vm if v["name"] != m]
            found = found or len(keep) != len(vm)
            c["volumeMounts"] = keep
        if not found:
            die(f"no container mounts volume {m}")

    vols = {v["name"]: v for v in spec.get("volumes", [])}
    for hp in a.host_path:
        vol, sep, path = hp.partition("=")
        if not sep or not path.startswith("/"):
            die(f"--host-path {hp}: want VOLUME=/ABSOLUTE/PATH")
        if vol not in vols or "hostPath" not in vols[vol]:
            die(f"no hostPath volume named {vol}")
        vols[vol]["hostPath"]["path"] = path

    if a.restart_policy:
        spec["restartPolicy"] = a.restart_policy

    # podman 4.3 refuses port mappings on the host network ("PortMappings
    # can only be used with Bridge or slirp4netns networking"); under
    # hostNetwork a containerPort maps nothing (Kubernetes: hostPort =
    # containerPort), it names the port for a PodMonitor.
    if spec.get("hostNetwork"):
        for c in spec["containers"] + spec.get("initContainers", []):
            c.pop("ports", None)

    if a.host_ip:
        for c in spec["containers"] + spec.get("initContainers", []):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("fieldRef", {})
                if ref.get("fieldPath") == "status.hostIP":
                    del e["valueFrom"]
                    e["value"] = a.host_ip

    # kubelet expands $(NAME) in command and args from the container's env;
    # podman 4.3 passes it literally: expand what kubelet would.
    for c in spec["containers"] + spec.get("initContainers", []):
        env = {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
        for k in ("command", "args"):
            if k in c:
                c[k] = [expand(x, env) for x in c[k]]

    meta = {
        "name": a.name or ds["metadata"]["name"],
        "namespace": ds["metadata"].get("namespace", "default"),
        "labels": dict(tmpl.get("metadata", {}).get("labels", {})),
    }
    if tmpl.get("metadata", {}).get("annotations"):
        meta["annotations"] = dict(tmpl["metadata"]["annotations"])

    if a.test_shim:
        d = a.test_shim.rstrip("/")
        if not d.startswith("/"):
            die("--test-shim wants an absolute directory")
        # podman 4.3 refuses annotation values over 63 bytes (the limit of
        # a label value, not of an annotation in Kubernetes).
        meta.setdefault("annotations", {})["pflink.test/addition"] = "ethtool-shim-LD_PRELOAD"
        spec.setdefault("volumes", []).append(
            {"name": "pflink-test", "hostPath": {"path": d, "type": "Directory"}})
        agent.setdefault("volumeMounts", []).append(
            {"name": "pflink-test", "mountPath": d, "readOnly": True})
        agent.setdefault("env", []).extend([
            {"name": "LD_PRELOAD", "value": f"{d}/libpflink_ethtool_shim.so"},
            {"name": "PFLINK_TEST_BUSINFO", "value": f"{d}/busmap"},
        ])
        # The host runs the installed plugin with the shim preloaded, which
        # only a dynamic program takes: install the image's dynamic pflink.
        for c in spec.get("initContainers", []):
            if c.get("name") == "install-cni":
                c.setdefault("env", []).append(
                    {"name": "PFLINK_SRC", "value": "/usr/lib/cni/pflink"})

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    yaml.safe_dump(pod, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
