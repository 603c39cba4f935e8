"""pyrunc pause ID: freeze every process of the container (cgroup freezer), waiting until frozen."""

from __future__ import annotations

from .args import Command
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "pause", "<container-id>", [], "pause suspends all processes inside the container", min_args=1, max_args=1
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.cgroupcmds import pause

    pause(ctx, opts.args[0])
    return 0
