"""pyrunc list [-f table|json] [-q]: one state read per container, nothing more."""

from __future__ import annotations

import sys

from ..errors import UsageError
from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
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


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    fmt = opts.text("format") or "table"
    if fmt not in ("table", "json"):
        raise UsageError(f"invalid format option: {fmt}")
    from ..errors import PyruncError
    from ..runtime.container import Container

    store = ctx.store
    states = []
    for container_id in store.ids():
        try:
            states.append(Container.load(store, container_id).oci_state())
        except PyruncError:
            continue  # a container being created or deleted right now
    if opts.flag("quiet"):
        sys.stdout.write("".join(s["id"] + "\n" for s in states))
        return 0
    if fmt == "json":
        from .. import jsonio

        sys.stdout.write((jsonio.dumps(states) if states else "null") + "\n")
        return 0
    rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
    rows += [[s["id"], str(s["pid"]), s["status"], s["bundle"], s["created"], s["owner"]] for s in states]
    sys.stdout.write(_table(rows))
    return 0
