"""pyrunc list [-f table|json] [-q]: one state read per container, nothing more.

Engines list hosts with hundreds of containers, so the per-container work is kept to the system calls
the status needs: the directory entries come from one scandir (no stat each), state.json is read with
open + read + close, then /proc/PID/stat, the exec fifo's stat and, for a live started container, its
freezer state (Container.status).
"""

from __future__ import annotations

import os
import sys

from .. import jsonio
from ..errors import PyruncError, UsageError
from ..runtime.container import Container
from ..state.store import STATE_FILE, validate_id
from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .context import Context

COMMAND = Command(
    "list",
    "",
    [
        Flag("format,f", STR, default="table", help='select one of: table or json (default: "table")'),
        Flag("quiet,q", BOOL, help="display only container IDs"),
    ],
    "lists containers started by pyrunc with the given root",
    max_args=0,
)


def _table(rows: list[list[str]]) -> str:
    """Like Go's tabwriter(minwidth 12, padding 3) as runc prints it; the last column is not padded."""
    widths = [max(12, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        out.append("".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + row[-1])
    return "\n".join(out) + "\n"


def _ids(root: str) -> list[str]:
    """What Store.ids() lists, from the directory entries' types (a stat only for a symlink)."""
    try:
        with os.scandir(root) as entries:
            return sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    except FileNotFoundError:
        return []


def _record(root: str, container_id: str) -> dict[str, Any] | None:
    """The container's state.json as Store.read() accepts it, or None where Store.read() would fail."""
    try:
        validate_id(container_id)
        fd = os.open(f"{root}/{container_id}/{STATE_FILE}", os.O_RDONLY | os.O_CLOEXEC)
    except (OSError, PyruncError):
        return None
    try:
        chunks = []
        while True:  # regular file: a short read is its end
            chunk = os.read(fd, 65536)
            chunks.append(chunk)
            if len(chunk) < 65536:
                break
        state = jsonio.loads(b"".join(chunks))
    except (OSError, PyruncError):
        return None
    finally:
        os.close(fd)
    if isinstance(state, dict) and state.get("id") == container_id and isinstance(state.get("pid"), int):
        return state
    return None


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    fmt = opts.text("format") or "table"
    if fmt not in ("table", "json"):
        raise UsageError(f"invalid format option: {fmt}")
    store = ctx.store
    states = []
    for container_id in _ids(store.root):
        record = _record(store.root, container_id)
        if record is None:
            continue  # a container being created or deleted right now, or not one of ours
        try:
            states.append(Container(store, record).oci_state())
        except PyruncError:
            continue
    if opts.flag("quiet"):
        sys.stdout.write("".join(s["id"] + "\n" for s in states))
        return 0
    if fmt == "json":
        sys.stdout.write((jsonio.dumps(states) if states else "null") + "\n")
        return 0
    rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
    rows += [[s["id"], str(s["pid"]), s["status"], s["bundle"], s["created"], s["owner"]] for s in states]
    sys.stdout.write(_table(rows))
    return 0
