"""For tests: one parent cgroup `pyrunc-test-<random>` per hierarchy, and a teardown that empties and
removes everything under it, pass or fail. Not imported by pyrunc itself."""

from __future__ import annotations

import os
import secrets
import signal
import time

from .host import host


class CgroupTestParent:
    def __init__(self) -> None:
        self.name = "pyrunc-test-" + secrets.token_hex(4)

    def path(self, child: str) -> str:
        """A cgroupsPath (absolute) for one test container under this parent."""
        return f"/{self.name}/{child}"

    def roots(self) -> list[str]:
        h = host()
        roots = sorted(set(h.v1_roots.values()))
        if h.v2_root:
            roots.append(h.v2_root)
        return roots

    def dirs(self) -> list[str]:
        """Every directory under the parent in every hierarchy, deepest first."""
        out = []
        for root in self.roots():
            top = root + "/" + self.name
            if not os.path.isdir(top):
                continue
            for dirpath, _dirs, _files in os.walk(top):
                out.append(dirpath)
        return sorted(out, key=lambda p: p.count("/"), reverse=True)

    def cleanup(self) -> list[str]:
        """Thaw, kill and remove; returns what could not be removed (a test should fail on it)."""
        dirs = self.dirs()
        for d in dirs:
            for name, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
                try:
                    with open(d + "/" + name, "w") as f:
                        f.write(value)
                except OSError:
                    pass
        deadline = time.monotonic() + 10
        for d in dirs:
            while True:
                try:
                    with open(d + "/cgroup.procs") as f:
                        pids = [int(x) for x in f.read().split()]
                except OSError:
                    pids = []
                if not pids or time.monotonic() > deadline:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.01)
        left = []
        for d in dirs:
            for _ in range(200):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)
            else:
                left.append(d)
        return left

    def leftovers(self, child: str) -> list[str]:
        """Directories of one test container still present anywhere."""
        return [r + self.path(child) for r in self.roots() if os.path.exists(r + self.path(child))]
