"""`pyrunc events`: runc's JSON lines, `{"type": "stats"|"oom", "id": ..., "data": {...}}`.

run() is the loop body the CLI calls: with --stats one stats line; otherwise a stats line every
interval and an oom line as soon as the container's memory cgroup records an OOM kill.
"""

from __future__ import annotations

import os

from .. import jsonio
from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .manager import CgroupManager

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Go's duration syntax (`5s`, `1m30s`, `250ms`) -> seconds."""
    t = text.strip()
    if not t:
        raise UsageError("empty duration")
    total = 0.0
    i = 0
    while i < len(t):
        j = i
        while j < len(t) and (t[j].isdigit() or t[j] == "."):
            j += 1
        if j == i:
            raise UsageError(f"invalid duration {text!r}")
        k = j
        while k < len(t) and not (t[k].isdigit() or t[k] == "."):
            k += 1
        unit = t[j:k]
        if unit not in _DURATION_UNITS:
            raise UsageError(f"invalid duration {text!r}: unknown unit {unit!r}")
        total += float(t[i:j]) * _DURATION_UNITS[unit]
        i = k
    if total <= 0:
        raise UsageError(f"duration {text!r} must be positive")
    return total


def stats_event(container_id: str, manager: CgroupManager) -> dict:
    return {"type": "stats", "id": container_id, "data": manager.stats()}


def oom_event(container_id: str) -> dict:
    return {"type": "oom", "id": container_id}


def line(event: dict) -> str:
    return jsonio.dumps(event) + "\n"


def run(
    container_id: str,
    manager: CgroupManager,
    *,
    interval: float,
    stats_only: bool,
    write: Callable[[str], None],
    alive: Callable[[], bool],
) -> None:
    if stats_only:
        write(line(stats_event(container_id, manager)))
        return
    import select
    import time

    try:
        fd, to_close = manager.oom_watch_fd()
    except Exception:
        fd, to_close = -1, ()
    poller = select.poll()
    if fd >= 0:
        poller.register(fd, select.POLLIN | select.POLLPRI)
    ooms = manager.oom_count()
    next_stats = time.monotonic()
    try:
        while alive():
            now = time.monotonic()
            if now >= next_stats:
                write(line(stats_event(container_id, manager)))
                next_stats = now + interval
            # Wake at least every second to notice the container has gone.
            poller.poll(max(0.0, min(next_stats - time.monotonic(), 1.0)) * 1000)
            if fd >= 0:
                _drain(fd)
            count = manager.oom_count()
            for _ in range(max(0, count - ooms)):
                write(line(oom_event(container_id)))
            ooms = max(ooms, count)
    finally:
        for f in to_close:
            os.close(f)


def _drain(fd: int) -> None:
    try:
        os.set_blocking(fd, False)
        os.read(fd, 4096)
    except OSError:
        pass
