"""pyrunc features: the runtime-spec features document for what this build really supports."""

from __future__ import annotations

import sys

from .args import Command
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command("features", "", [], "show the enabled features", max_args=0)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from .. import jsonio
    from ..features import features_document

    sys.stdout.write(jsonio.dumps(features_document(), indent=4) + "\n")
    return 0
