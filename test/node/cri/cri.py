#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""cri.py - a small CRI client: the pod sandbox calls kubelet makes.

    cri.py SOCKET version
    cri.py SOCKET run [--parallel] [--host-network] [--cgroup-parent P] [--log-root D] NS/NAME/UID...
    cri.py SOCKET status ID            (JSON: state, ip, netns, pid)
    cri.py SOCKET stop ID... | remove ID... | list
    cri.py SOCKET container [--host-network] [--cgroup-parent P] [--log-root D] [--device HOST]...
                  SANDBOX NS/NAME/UID CNAME IMAGE CMD...
    cri.py SOCKET stop-container ID... | remove-container ID...

'run' sends each pod's RunPodSandboxRequest as kubelet fills it (metadata,
hostname, log directory, the io.kubernetes.pod.* labels, the config.*
annotations, cgroup parent, namespace options, seccomp RuntimeDefault) and
prints one line per pod: "NS/NAME ID MS", MS being the RunPodSandbox call
alone, timed around the RPC; "NS/NAME - MS ERROR" when it failed.  With
--parallel all calls go out at once, one thread each, as kubelet's pod
workers do.

The messages are compiled by protoc from api.proto beside this file into
$CRI_PY_OUT (a temp dir), so nothing generated is kept in the tree.
Exit status: 0, 1 when a call failed, 2 on bad usage.
"""

import json
import os
import subprocess
import sys
import threading
import time


def load_api():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.environ.get("CRI_PY_OUT")
    if not out:
        sys.exit("cri.py: CRI_PY_OUT (a directory for the compiled messages) is not set")
    if not os.path.exists(os.path.join(out, "api_pb2.py")):
        os.makedirs(out, exist_ok=True)
        subprocess.run(["protoc", f"-I{here}", f"--python_out={out}", "api.proto"], check=True)
    sys.path.insert(0, out)
    import api_pb2  # noqa: E402  (generated just above)
    return api_pb2


api = load_api()
import grpc  # noqa: E402

SVC = "/runtime.v1.RuntimeService/"


def call(ch, method, req, resp_type, timeout=60):
    fn = ch.unary_unary(SVC + method, request_serializer=lambda m: m.SerializeToString(),
                        response_deserializer=resp_type.FromString)
    return fn(req, timeout=timeout)


def sandbox_config(ns, name, uid, cgroup_parent, log_root, host_network=False):
    c = api.PodSandboxConfig()
    c.metadata.name, c.metadata.namespace, c.metadata.uid, c.metadata.attempt = name, ns, uid, 0
    # kubelet names no hostname for a pod on the node's network (it shares
    # the node's UTS namespace; runc refuses a hostname there)
    if not host_network:
        c.hostname = name
    c.log_directory = os.path.join(log_root, f"{ns}_{name}_{uid}")
    c.labels.update({"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": ns,
                     "io.kubernetes.pod.uid": uid})
    c.annotations.update({"kubernetes.io/config.source": "api",
                          "kubernetes.io/config.seen": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    if cgroup_parent:
        # kubelet's cgroupfs driver: one cgroup per pod under its QoS class.
        c.linux.cgroup_parent = os.path.join(cgroup_parent, f"pod{uid}")
    sc = c.linux.security_context
    sc.namespace_options.network = api.NODE if host_network else api.POD
    sc.namespace_options.pid = api.CONTAINER
    sc.namespace_options.ipc = api.POD
    sc.seccomp.profile_type = api.SecurityProfile.RuntimeDefault
    return c


def cmd_run(ch, args):
    parallel, cg, log_root, pods, hostnet = False, "", "/var/log/pods", [], False
    while args:
        a = args.pop(0)
        if a == "--parallel":
            parallel = True
        elif a == "--host-network":
            hostnet = True
        elif a == "--cgroup-parent" and args:
            cg = args.pop(0)
        elif a == "--log-root" and args:
            log_root = args.pop(0)
        elif a.count("/") == 2 and all(a.split("/")):
            pods.append(a.split("/"))
        else:
            sys.exit(f"cri.py run: bad argument {a!r} (want NS/NAME/UID)")
    if not pods:
        sys.exit("cri.py run: no pod given")
    out = [None] * len(pods)

    def one(i):
        ns, name, uid = pods[i]
        req = api.RunPodSandboxRequest(config=sandbox_config(ns, name, uid, cg, log_root, hostnet))
        t0 = time.monotonic()
        try:
            r = call(ch, "RunPodSandbox", req, api.RunPodSandboxResponse)
            out[i] = f"{ns}/{name} {r.pod_sandbox_id} {(time.monotonic() - t0) * 1000:.1f}"
        except grpc.RpcError as e:
            msg = " ".join(str(e.details()).split())
            out[i] = f"{ns}/{name} - {(time.monotonic() - t0) * 1000:.1f} {e.code().name}: {msg}"

    if parallel:
        ts = [threading.Thread(target=one, args=(i,)) for i in range(len(pods))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    else:
        for i in range(len(pods)):
            one(i)
    print("\n".join(out))
    return 0 if all(" - " not in o for o in out) else 1


def cmd_container(ch, args):
    cg, log_root, hostnet, devices = "", "/var/log/pods", False, []
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--host-network":
            hostnet = True
        elif a in ("--cgroup-parent", "--log-root", "--device") and args:
            v = args.pop(0)
            if a == "--cgroup-parent":
                cg = v
            elif a == "--log-root":
                log_root = v
            else:
                devices.append(v)
        else:
            sys.exit(f"cri.py container: bad option {a!r}")
    if len(args) < 5 or args[1].count("/") != 2:
        sys.exit("cri.py container: want SANDBOX NS/NAME/UID CNAME IMAGE CMD...")
    sid, (ns, name, uid), cname, image, cmd = args[0], args[1].split("/"), args[2], args[3], args[4:]
    sbc = sandbox_config(ns, name, uid, cg, log_root, hostnet)
    c = api.ContainerConfig()
    c.metadata.name, c.metadata.attempt = cname, 0
    c.image.image = image
    c.command.extend(cmd)
    c.log_path = f"{cname}/0.log"
    c.labels.update({"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": ns,
                     "io.kubernetes.pod.uid": uid, "io.kubernetes.container.name": cname})
    c.annotations.update({"io.kubernetes.container.restartCount": "0"})
    for d in devices:
        c.devices.add(container_path=d, host_path=d, permissions="rwm")
    c.linux.security_context.namespace_options.network = api.NODE if hostnet else api.POD
    c.linux.security_context.namespace_options.pid = api.CONTAINER
    c.linux.security_context.seccomp.profile_type = api.SecurityProfile.RuntimeDefault
    r = call(ch, "CreateContainer", api.CreateContainerRequest(pod_sandbox_id=sid, config=c, sandbox_config=sbc),
             api.CreateContainerResponse)
    call(ch, "StartContainer", api.StartContainerRequest(container_id=r.container_id), api.StartContainerResponse)
    print(r.container_id)
    return 0


def cmd_status(ch, args):
    if len(args) != 1:
        sys.exit("cri.py status: want one sandbox ID")
    r = call(ch, "PodSandboxStatus", api.PodSandboxStatusRequest(pod_sandbox_id=args[0], verbose=True),
             api.PodSandboxStatusResponse)
    st = r.status
    res = {"id": st.id, "state": api.PodSandboxState.Name(st.state), "ip": st.network.ip,
           "namespace": st.metadata.namespace, "name": st.metadata.name, "uid": st.metadata.uid,
           "netns": "", "pid": 0}
    # containerd's verbose info: {"info": "<json>"}, with the sandbox's
    # OCI spec (its network namespace path) and its pause process.
    try:
        info = json.loads(r.info.get("info", "{}"))
    except ValueError:
        info = {}
    res["pid"] = info.get("pid", 0)
    for n in info.get("runtimeSpec", {}).get("linux", {}).get("namespaces", []):
        if n.get("type") == "network":
            res["netns"] = n.get("path", "")
    print(json.dumps(res))
    return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sock, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    ch = grpc.insecure_channel(f"unix://{sock}")
    try:
        if cmd == "version":
            r = call(ch, "Version", api.VersionRequest(version="v1"), api.VersionResponse, timeout=5)
            print(r.runtime_name, r.runtime_version, r.runtime_api_version)
        elif cmd == "run":
            return cmd_run(ch, args)
        elif cmd == "status":
            return cmd_status(ch, args)
        elif cmd == "container":
            return cmd_container(ch, args)
        elif cmd in ("stop-container", "remove-container"):
            for cid in args:
                if cmd == "stop-container":
                    call(ch, "StopContainer", api.StopContainerRequest(container_id=cid, timeout=5),
                         api.StopContainerResponse)
                else:
                    call(ch, "RemoveContainer", api.RemoveContainerRequest(container_id=cid),
                         api.RemoveContainerResponse)
        elif cmd in ("stop", "remove"):
            method, req, resp = {"stop": ("StopPodSandbox", api.StopPodSandboxRequest, api.StopPodSandboxResponse),
                                 "remove": ("RemovePodSandbox", api.RemovePodSandboxRequest,
                                            api.RemovePodSandboxResponse)}[cmd]
            for sid in args:
                call(ch, method, req(pod_sandbox_id=sid), resp)
        elif cmd == "list":
            r = call(ch, "ListPodSandbox", api.ListPodSandboxRequest(), api.ListPodSandboxResponse)
            for it in r.items:
                print(it.id, it.metadata.namespace + "/" + it.metadata.name, api.PodSandboxState.Name(it.state))
        else:
            print(f"cri.py: unknown command {cmd!r}", file=sys.stderr)
            return 2
    except grpc.RpcError as e:
        print(f"cri.py {cmd}: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
