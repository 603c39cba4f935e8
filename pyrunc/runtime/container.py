"""A container as recorded in the state store, with its status derived from the live system.

Status needs no daemon: the init's pid plus its start time (from /proc) tell whether it still runs;
a frozen cgroup makes it `paused`; the exec fifo's presence separates `created` from `running`.
"""

from __future__ import annotations

import os

from .. import jsonio
from ..errors import PyruncError, StateError
from ..state.store import FIFO_FILE, Store
from . import procs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Container:
    def __init__(self, store: Store, record: dict[str, Any]) -> None:
        self.store = store
        self.record = record
        self.id: str = record["id"]
        self.pid: int = record["pid"]

    @classmethod
    def load(cls, store: Store, container_id: str) -> Container:
        return cls(store, store.read(container_id))

    @property
    def dir(self) -> str:
        return self.store.dir(self.id)

    def init_alive(self) -> bool:
        return procs.is_alive(self.pid, self.record.get("init_start"))

    def cgroups(self) -> Any:
        data = self.record.get("cgroup")
        if not data:
            return None
        from ..cgroups.manager import CgroupManager

        return CgroupManager.from_state(data)

    def status(self) -> str:
        if not self.init_alive():
            return "stopped"
        if os.path.exists(os.path.join(self.dir, FIFO_FILE)):
            return "created"
        if self.record.get("cgroup"):
            manager = self.cgroups()
            try:
                if manager is not None and manager.is_frozen():
                    return "paused"
            except (OSError, PyruncError):
                pass
        return "running"

    def oci_state(self, status: str | None = None) -> dict[str, Any]:
        """The OCI state document (runtime.md) plus runc's rootfs/created/owner."""
        status = status or self.status()
        rec = self.record
        state: dict[str, Any] = {
            "ociVersion": rec.get("ociVersion", "1.3.0"),
            "id": self.id,
            "pid": self.pid if status != "stopped" else 0,
            "status": status,
            "bundle": rec.get("bundle", ""),
            "rootfs": rec.get("rootfs", ""),
            "created": rec.get("created", ""),
            "owner": rec.get("owner", ""),
        }
        if rec.get("annotations"):
            state["annotations"] = rec["annotations"]
        return state

    def state_text(self, status: str | None = None) -> str:
        """What `pyrunc state` prints (the C front end prints these very bytes, from its record)."""
        return jsonio.dumps(self.oci_state(status), indent=2) + "\n"

    def hook_state(self, status: str, pid: int | None = None) -> bytes:
        """The state hooks read on stdin: OCI fields only."""
        rec = self.record
        doc: dict[str, Any] = {
            "ociVersion": rec.get("ociVersion", "1.3.0"),
            "id": self.id,
            "status": status,
            "pid": self.pid if pid is None else pid,
            "bundle": rec.get("bundle", ""),
        }
        if rec.get("annotations"):
            doc["annotations"] = rec["annotations"]
        if status == "stopped" and pid is None:
            doc.pop("pid")
        return jsonio.dumps(doc).encode()

    def save(self) -> None:
        self.store.write(self.id, self.record)

    def signal(self, sig: int) -> None:
        """Signal the init, race-free against pid reuse: pidfd first, then check it is still ours."""
        from ..native import lib, new_err, raise_err

        err = new_err()
        pidfd = lib.pyrunc_pidfd_open(self.pid, err)
        if pidfd < 0:
            raise StateError("container not running")
        try:
            if not self.init_alive():
                raise StateError("container not running")
            if lib.pyrunc_pidfd_send_signal(pidfd, sig, err) < 0:
                if getattr(err, "errnum", 0) == 3:  # ESRCH: it exited between the check and the signal
                    raise StateError("container not running")
                raise_err(err)
        finally:
            os.close(pidfd)

    def wait_exit(self, timeout_ms: int = -1) -> bool:
        """Wait (pidfd, no polling loop) until the init has exited; True if it did."""
        from ..native import lib, new_err

        err = new_err()
        pidfd = lib.pyrunc_pidfd_open(self.pid, err)
        if pidfd < 0:
            return True
        try:
            if not procs.is_alive(self.pid, self.record.get("init_start")):
                return True
            return bool(lib.pyrunc_pidfd_wait(pidfd, timeout_ms, err) == 1)
        finally:
            os.close(pidfd)


def start_failed_message(container_id: str) -> str:
    """`start`'s error when the init exits instead of running the user's process (the C front end
    reports the same text, from its record)."""
    return (
        f"container {container_id}: the init exited before running the process "
        "(a startContainer hook or the process setup failed; see the container's stderr)"
    )
