"""Facts about host processes from /proc, cheap enough for every `state` call."""

from __future__ import annotations

import os


def stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None if gone."""
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        # One read: the file is a few hundred bytes, made whole by the kernel (no fstat/ioctl/lseek of
        # open(); `list` reads one per container).
        raw = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    close = raw.rfind(b")")
    if close < 0:
        return None
    return raw[close + 2 :].decode("ascii", "replace").split()


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22), which identifies it across pid reuse."""
    fields = stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def is_alive(pid: int, started: str | None) -> bool:
    """True when pid is the same process we recorded and it has not exited (zombies count as exited)."""
    if pid <= 0:
        return False
    fields = stat_fields(pid)
    if not fields or len(fields) < 20:
        return False
    if fields[0] in ("Z", "X"):
        return False
    return started is None or fields[19] == started


def wait_child(pid: int, pending: list[int] | None = None) -> int:
    """waitpid a direct child; returns the shell-style status (128+signal when killed). Signals the caller
    collected in `pending` (from its handlers) are passed on to the child first (WINCH is the relay's)."""
    while True:
        while pending:
            sig = pending.pop(0)
            if sig != 28:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 255
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        if os.WIFEXITED(status):
            return os.WEXITSTATUS(status)


# What a foreground exec passes on (runc forwards every signal it can catch; these are the ones a
# shell, an engine or a terminal sends). SIGWINCH (28) is the tty relay's to handle.
FORWARDED = (1, 2, 3, 10, 12, 14, 15, 20, 21, 22, 23, 28)


def forward_signals(target: list[int], pending: list[int]) -> None:
    """Send signals on to target[0] from the handler itself: a handler that only queued them would not be
    seen while waitpid(2) sleeps, since Python retries interrupted calls (PEP 475). Until the pid is
    known (target[0] == 0) they queue in `pending`, which the wait and relay loops flush first."""
    import _signal

    def handler(num: int, frame: object) -> None:
        if num == 28 or not target[0]:
            pending.append(num)
            return
        try:
            os.kill(target[0], num)
        except ProcessLookupError:
            pass

    for sig in FORWARDED:
        _signal.signal(sig, handler)
