"""`python3 -m pyrunc.demo`: run one container from an embedded default bundle.

The bundle is `pyrunc spec`'s default config with a busybox rootfs built from Debian's busybox-static
(/bin/busybox), made in a temporary directory and removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile


def build_rootfs(dest: str) -> None:
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        raise SystemExit("busybox not found: apt-get install busybox-static")
    for sub in ("bin", "etc", "dev", "proc", "sys", "tmp", "root"):
        os.makedirs(os.path.join(dest, sub), exist_ok=True)
    shutil.copy2(busybox, os.path.join(dest, "bin", "busybox"))
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for name in applets:
        link = os.path.join(dest, "bin", name)
        if name != "busybox" and not os.path.lexists(link):
            os.symlink("busybox", link)
    with open(os.path.join(dest, "etc", "passwd"), "w") as handle:
        handle.write("root:x:0:0:root:/root:/bin/sh\n")


def main(argv: list[str]) -> int:
    from pyrunc.spec.default import default_config

    pyrunc_bin = shutil.which("pyrunc") or sys.executable
    prefix = [pyrunc_bin] if pyrunc_bin != sys.executable else [sys.executable, "-m", "pyrunc"]
    work = tempfile.mkdtemp(prefix="pyrunc-demo-")
    try:
        build_rootfs(os.path.join(work, "rootfs"))
        cfg = default_config(False)
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = argv or [
            "/bin/sh",
            "-c",
            "echo hello from a pyrunc container: $(hostname), pid $$; id; ls /",
        ]
        with open(os.path.join(work, "config.json"), "w") as handle:
            json.dump(cfg, handle, indent=2)
        cid = f"pyrunc-demo-{os.getpid()}"
        return subprocess.run(prefix + ["run", "--bundle", work, cid]).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
