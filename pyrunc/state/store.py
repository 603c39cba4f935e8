"""Per-container state under --root: `<root>/<id>/state.json`, written atomically under a lock.

Layout of a container directory (0700; the root itself 0711 so inits of other users can traverse):
  state.json   our state (see pyrunc/state/record.py), replaced with temp + rename
  exec.fifo    the fifo the init blocks on until `start` (removed by start)
  state.front  the C front end's record (see pyrunc/state/fastrecord.py), written before state.json
The lock is an flock on the container directory itself, held across every read-modify-write.
No fsync: the rename keeps readers from ever seeing a torn file, and nothing here outlives the machine
(its containers die with it), so a flush to disk would only cost every create (0.5-4 ms on this host's
disk; runc and crun do not flush either).
"""

from __future__ import annotations

import os

from .. import jsonio
from ..errors import PyruncError, StateError, UsageError

STATE_FILE = "state.json"
FIFO_FILE = "exec.fifo"
MAX_ID_LEN = 255
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")


def validate_id(container_id: str) -> None:
    """runc's rule: [a-zA-Z0-9_+.-]+, not "." or "..", and it must fit in a file name."""
    if not container_id:
        raise UsageError("container id cannot be empty")
    if (
        container_id in (".", "..")
        or len(container_id) > MAX_ID_LEN
        or not _ID_CHARS.issuperset(container_id)
    ):
        raise UsageError(f"invalid container id format: {container_id}")


class Lock:
    """An exclusive flock on a container directory; released on exit or when the process dies."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> Lock:
        import fcntl

        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise StateError(f"container {os.path.basename(self.path)} does not exist") from None
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Store:
    def __init__(self, root: str) -> None:
        self.root = root

    def ensure_root(self) -> None:
        try:
            os.makedirs(self.root, mode=0o711 if os.geteuid() == 0 else 0o700, exist_ok=True)
        except OSError as exc:
            raise PyruncError(
                f"create state root {self.root}: {(exc.strerror or str(exc)).lower()}"
            ) from None

    def dir(self, container_id: str) -> str:
        validate_id(container_id)
        return os.path.join(self.root, container_id)

    def create(self, container_id: str) -> str:
        """Make the container's directory; it must not exist yet."""
        path = self.dir(container_id)
        self.ensure_root()
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            raise StateError(f"container with id exists: {container_id}") from None
        except OSError as exc:
            raise PyruncError(
                f"create state directory {path}: {(exc.strerror or str(exc)).lower()}"
            ) from None
        return path

    def lock(self, container_id: str) -> Lock:
        return Lock(self.dir(container_id))

    def read(self, container_id: str) -> dict[str, object]:
        path = os.path.join(self.dir(container_id), STATE_FILE)
        try:
            # Sized by fstat: a read into a 16 MiB buffer costs an mmap, mremap and munmap every time.
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                data = os.read(fd, min(os.fstat(fd).st_size + 1, 16 << 20))
            finally:
                os.close(fd)
        except FileNotFoundError:
            if os.path.isdir(os.path.dirname(path)):
                raise StateError(f"container {container_id}: state file {path} is missing") from None
            raise StateError(f"container {container_id} does not exist") from None
        except OSError as exc:
            raise StateError(
                f"container {container_id}: read {path}: {(exc.strerror or str(exc)).lower()}"
            ) from None
        try:
            state = jsonio.loads(data)
        except jsonio.JSONDecodeError as exc:
            raise StateError(f"container {container_id}: state file {path} is corrupt: {exc}") from None
        if (
            not isinstance(state, dict)
            or state.get("id") != container_id
            or not isinstance(state.get("pid"), int)
        ):
            raise StateError(f"container {container_id}: state file {path} is corrupt: not a pyrunc state")
        return state

    def write(self, container_id: str, state: dict[str, object]) -> None:
        self.stage(container_id, state).commit()

    def stage(self, container_id: str, state: dict[str, object]) -> StagedWrite:
        """Write the state files beside their final names; `commit()` puts them in place. create stages
        them while the init is still setting up, so the rendering costs nothing on its critical path."""
        directory = self.dir(container_id)
        data = jsonio.dumps(state).encode()
        temp = write_temp(directory, STATE_FILE, data)
        from . import fastrecord

        return StagedWrite(directory, temp, fastrecord.stage(self, directory, state, data))

    def remove(self, container_id: str) -> None:
        _rmtree(self.dir(container_id))

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if not n.startswith(".") and os.path.isdir(os.path.join(self.root, n)))


class StagedWrite:
    """state.json and the front end's record, written to temp files and not yet renamed."""

    def __init__(self, directory: str, state_temp: str, record_temp: str | None) -> None:
        self.directory = directory
        self.state_temp = state_temp
        self.record_temp = record_temp

    def commit(self) -> None:
        from .fastrecord import RECORD_FILE

        # The record first: the front end checks it against state.json's size and CRC, so a reader
        # between the two renames sees a record that does not match and hands over to Python.
        if self.record_temp is not None:
            os.rename(self.record_temp, os.path.join(self.directory, RECORD_FILE))
        os.rename(self.state_temp, os.path.join(self.directory, STATE_FILE))


def write_temp(directory: str, name: str, data: bytes) -> str:
    """data in a temp file of this process beside `name`, for the caller to rename over it."""
    temp = os.path.join(directory, f".{name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)
    return temp


def write_all(fd: int, data: bytes) -> None:
    """os.write until all of data is written (one write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _rmtree(path: str) -> None:
    """Remove a container directory (flat, a few files): `shutil` would cost ~50 ms of imports."""
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return
    except NotADirectoryError:
        os.unlink(path)
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                _rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except FileNotFoundError:
            pass
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
