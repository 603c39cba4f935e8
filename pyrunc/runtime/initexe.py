"""Handing the container init its own binary: pyrunc-init (csrc/init/initmain.c), run from a sealed
read-only memfd copy, with the plan in a second sealed memfd. The init then drops the cloned interpreter
(a few hundred KiB instead of megabytes while it waits for `start`), and its /proc/self/exe is a copy
nothing can write (CVE-2019-5736). Without the binary (a build without it) the init stays in-process.
"""

from __future__ import annotations

import os

from ..errors import PyruncError
from . import planfile as pf

MFD_EXEC = 0x10  # Linux 6.3+: ask for an executable memfd explicitly
F_ADD_SEALS = 1033
F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 1, 2, 4, 8
ALL_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE

INIT_BINARY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyrunc-init")


def _memfd(name: str, executable: bool) -> int:
    flags = os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING
    if executable:
        try:
            return os.memfd_create(name, flags | MFD_EXEC)
        except OSError:
            pass  # before 6.3 memfds are executable without asking
    return os.memfd_create(name, flags)


def _seal_read_only(fd: int) -> int:
    """Seal fd and return a read-only descriptor of it (the kernel refuses to exec a file open for
    writing)."""
    import fcntl

    fcntl.fcntl(fd, F_ADD_SEALS, ALL_SEALS)
    try:
        return os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(fd)


def _copy_into(path: str, fd: int) -> None:
    """The file's bytes into fd by sendfile(2): the kernel copies page-cache pages, where read + write
    would fault in and copy a buffer of the binary's size first (~0.6 ms of every create here)."""
    src = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(src).st_size
        offset = 0
        while offset < size:
            sent = os.sendfile(fd, src, offset, size - offset)
            if sent == 0:
                raise PyruncError(f"copy {path}: the file shrank while being copied")
            offset += sent
    finally:
        os.close(src)


def add_init_binary(w: pf.PlanWriter, fds: list[int]) -> int | None:
    """Add PA_INIT_EXE_FD / PA_PLAN_FD to the plan; return the plan memfd to fill once the blob is final."""
    if os.environ.get("PYRUNC_INPROCESS_INIT") == "1" or not os.path.exists(INIT_BINARY):
        return None
    try:
        raw = _memfd("pyrunc-init", True)
        _copy_into(INIT_BINARY, raw)
        exe = _seal_read_only(raw)
        fds.append(exe)
        # Execute-only: an exec of a file its caller cannot read leaves the init non-dumpable from the
        # first instruction, owned by the host's user namespace (unreadable_exec in csrc/spawn.c).
        os.fchmod(exe, 0o111)
        plan_fd = _memfd("pyrunc-plan", False)
        fds.append(plan_fd)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise PyruncError(f"prepare the container init binary: {reason}") from None
    w.u32(pf.PA_INIT_EXE_FD, exe)
    w.u32(pf.PA_PLAN_FD, plan_fd)
    return plan_fd


def fill_plan(plan_fd: int, blob: bytes) -> None:
    import fcntl

    from ..state.store import write_all

    write_all(plan_fd, blob)
    fcntl.fcntl(plan_fd, F_ADD_SEALS, ALL_SEALS)
