#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""oci-image.py - a one-layer OCI image archive for `ctr images import`.  TEST ONLY.

    oci-image.py OUT.tar NAME FILE [ENTRYPOINT...]

The layer holds FILE at the root (a static binary: the rootfs has no
libc); ENTRYPOINT is the image's.  The archive is an OCI image layout
(oci-layout, index.json, blobs/sha256/...) whose index names the image
NAME (io.containerd.image.name), as containerd 1.6's import reads it.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(out, data, media):
    d = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{d}")
    info.size = len(data)
    out.addfile(info, io.BytesIO(data))
    return {"mediaType": media, "digest": f"sha256:{d}", "size": len(data)}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip())
    dst, name, path, entry = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.add(path, arcname=os.path.basename(path))
    layer = layer.getvalue()
    with tarfile.open(dst, "w") as out:
        lay = blob(out, layer, "application/vnd.oci.image.layer.v1.tar")
        cfg = blob(out, json.dumps({
            "architecture": "amd64", "os": "linux",
            "config": {"Entrypoint": entry or [f"/{os.path.basename(path)}"]},
            "rootfs": {"type": "layers", "diff_ids": [lay["digest"]]}}).encode(),
            "application/vnd.oci.image.config.v1+json")
        man = blob(out, json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                    "config": cfg, "layers": [lay]}).encode(),
                   "application/vnd.oci.image.manifest.v1+json")
        man["annotations"] = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name}
        for fname, data in (("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
                            ("index.json", json.dumps({"schemaVersion": 2, "manifests": [man]}).encode())):
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
