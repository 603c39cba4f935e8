"""The parent's end of the sync socket (message table: csrc/sync.c, numbers: csrc/pyrunc.h), shared by
create and exec."""

from __future__ import annotations

import os

from ..errors import PyruncError

PM_IDMAP_REQ = 2
PM_IDMAP_DONE = 3
PM_INIT_PID = 4
PM_HOOKS_REQ = 5
PM_HOOKS_DONE = 6
PM_PTY_MASTER = 7
PM_SECCOMP_FD = 8
PM_READY = 9
PM_ERROR = 10
PM_EOF = 0  # the other ends are all closed


class SyncChannel:
    def __init__(self, fd: int, capacity: int = 65536) -> None:
        from ..native import ffi, new_err

        self.fd = fd
        self.err = new_err()
        self._hdr = ffi.new("struct pyrunc_msg *")
        self._cap = capacity
        self._payload = ffi.new("char[]", capacity)
        self._got_fd = ffi.new("int *")

    def send(self, kind: int, payload: bytes = b"") -> None:
        from ..native import ffi, lib, raise_err

        data = payload if payload else ffi.NULL
        if lib.pyrunc_msg_send(self.fd, kind, 0, data, len(payload), -1, self.err) < 0:
            raise_err(self.err)

    def recv(self, timeout_ms: int) -> tuple[int, int, int]:
        """(kind, value, fd or -1) of the next message; PM_ERROR is raised as the child's error."""
        from ..native import err_from_payload, ffi, lib, raise_err

        n = lib.pyrunc_msg_recv(
            self.fd, self._hdr, self._payload, self._cap, self._got_fd, timeout_ms, self.err
        )
        if n < 0:
            raise_err(self.err)
        if self._hdr.type == PM_ERROR:
            raise err_from_payload(ffi.buffer(self._payload, n)[:])
        return int(self._hdr.type), int(self._hdr.value), int(self._got_fd[0])


def hand_over_pty(console_socket: str, master: int) -> None:
    """Send the pty master to the caller's console socket (as runc does, named /dev/ptmx) and close ours."""
    from ..native import lib, new_err, raise_err

    err = new_err()
    name = b"/dev/ptmx"
    try:
        if lib.pyrunc_send_fd_to_path(console_socket.encode(), master, name, len(name), err) < 0:
            raise_err(err)
    finally:
        os.close(master)


def unexpected(kind: int, who: str) -> PyruncError:
    return PyruncError(f"unexpected message {kind} from {who}")
