"""pyrunc state ID: the OCI state document on stdout, and nothing else."""

from __future__ import annotations

import sys

from .args import Command
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command("state", "<container-id>", [], "output the state of a container", min_args=1, max_args=1)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.container import Container

    sys.stdout.write(Container.load(ctx.store, opts.args[0]).state_text())
    return 0
