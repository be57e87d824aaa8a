#!/usr/bin/python3
"""Packs a root filesystem directory into a single-layer OCI image archive.

The archive is an OCI image layout (oci-layout, index.json, blobs/sha256/...) in a tar, the
form `ctr -n k8s.io images import` reads: the image name comes from the index annotation
`io.containerd.image.name`; `org.opencontainers.image.ref.name` carries the tag, as
containerd's own exporter writes it.

Output is reproducible: entries sorted by path, every mtime fixed (--epoch), owner 0:0 with no
user/group names, gzip without a name or timestamp. The same rootfs and arguments give the same
bytes. Standard library only.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import time


def tar_info(name, st, epoch):
    info = tarfile.TarInfo(name)
    info.mtime = epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = stat.S_IMODE(st.st_mode)
    return info


def layer_tar(rootfs, epoch):
    """The rootfs as an uncompressed tar (bytes), entries sorted, paths relative ("bin/sh")."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(rootfs):
        dirnames.sort()
        for name in dirnames + filenames:
            paths.append(os.path.relpath(os.path.join(dirpath, name), rootfs))
    paths.sort()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for rel in paths:
            full = os.path.join(rootfs, rel)
            st = os.lstat(full)
            info = tar_info(rel, st, epoch)
            if stat.S_ISLNK(st.st_mode):
                info.type = tarfile.SYMTYPE
                info.linkname = os.readlink(full)
                info.mode = 0o777
                tar.addfile(info)
            elif stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif stat.S_ISREG(st.st_mode):
                info.size = st.st_size
                with open(full, "rb") as f:
                    tar.addfile(info, f)
            else:
                sys.exit(f"oci_archive: unsupported file type: {full}")
    return buf.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rootfs", required=True)
    p.add_argument("--name", required=True, help="image name with tag, e.g. kite.local/pause:3.10")
    p.add_argument("--arch", required=True, help="OCI architecture (amd64, arm64, ...)")
    p.add_argument("--variant", default="")
    p.add_argument("--entrypoint", default="[]", help="JSON list")
    p.add_argument("--cmd", default="[]", help="JSON list")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir", default="/")
    p.add_argument("--epoch", type=int, default=0, help="mtime of every entry (seconds)")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    raw = layer_tar(a.rootfs, a.epoch)
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=9) as z:
        z.write(raw)
    layer = gz.getvalue()

    created = "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(time.gmtime(a.epoch)[:6])
    image_config = {"Env": a.env, "WorkingDir": a.workdir}
    if json.loads(a.entrypoint):
        image_config["Entrypoint"] = json.loads(a.entrypoint)
    if json.loads(a.cmd):
        image_config["Cmd"] = json.loads(a.cmd)
    config = {
        "created": created,
        "architecture": a.arch,
        "os": "linux",
        "config": image_config,
        "rootfs": {"type": "layers", "diff_ids": [digest(raw)]},
        "history": [{"created": created, "created_by": "kite images/build.sh"}],
    }
    if a.variant:
        config["variant"] = a.variant
    config_bytes = canonical(config)

    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": digest(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": digest(layer), "size": len(layer)}],
    }
    manifest_bytes = canonical(manifest)

    tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
    platform = {"architecture": a.arch, "os": "linux"}
    if a.variant:
        platform["variant"] = a.variant
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest(manifest_bytes), "size": len(manifest_bytes),
            "platform": platform,
            "annotations": {"io.containerd.image.name": a.name,
                            "org.opencontainers.image.ref.name": tag},
        }],
    }

    files = {"oci-layout": canonical({"imageLayoutVersion": "1.0.0"}),
             "index.json": canonical(index)}
    for blob in (layer, config_bytes, manifest_bytes):
        files["blobs/sha256/" + digest(blob)[len("sha256:"):]] = blob

    tmp = a.out + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for d in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, a.epoch
            tar.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(files[name]), 0o644, a.epoch
            tar.addfile(info, io.BytesIO(files[name]))
    os.replace(tmp, a.out)
    print(f"{a.out}: {a.name} manifest {digest(manifest_bytes)}")


if __name__ == "__main__":
    main()
