"""pyrunc pause ID / resume ID: freeze or thaw every process of the container (cgroup freezer)."""

from __future__ import annotations

from .args import Command
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import Context


def freezer_command(name: str, summary: str) -> tuple[Command, Callable[[Context, list[str]], int]]:
    command = Command(name, "<container-id>", [], summary, min_args=1, max_args=1)

    def run(ctx: Context, argv: list[str]) -> int:
        opts = parse_command(command, argv)
        if opts is None:
            return 0
        from ..runtime import cgroupcmds

        getattr(cgroupcmds, name)(ctx, opts.args[0])
        return 0

    return command, run


COMMAND, run = freezer_command("pause", "pause suspends all processes inside the container")
