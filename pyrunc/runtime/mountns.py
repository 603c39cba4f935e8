"""Cleanup for containers made without a mount namespace: their mounts landed in ours."""

from __future__ import annotations

MNT_DETACH = 2


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo.
    out = []
    i = 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) + 1 and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mounts_under(root: str) -> list[str]:
    """Mount points at or below root in this mount namespace, deepest last as listed."""
    root = root.rstrip("/") or "/"
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            target = _unescape(line.split(" ", 5)[4])
            if target == root or target.startswith(root + "/"):
                found.append(target)
    return found


def unmount_under(root: str) -> None:
    from ..native import lib, new_err

    err = new_err()
    for target in reversed(mounts_under(root)):
        lib.pyrunc_umount(target.encode("utf-8", "surrogateescape"), MNT_DETACH, err)
