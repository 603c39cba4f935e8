"""pyrunc kill [--all] ID [SIGNAL]"""

from __future__ import annotations

from .args import BOOL, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "kill",
    "<container-id> [signal]",
    [Flag("all,a", BOOL, help="send the specified signal to all processes inside the container")],
    "kill sends the specified signal (default: SIGTERM) to the container's init process",
    min_args=1,
    max_args=2,
)


def run(ctx: Context, argv: list[str]) -> int:
    # runc accepts --all after the id too (`kill ID --all 9` is not used, but `kill --all ID 9` is).
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from ..runtime.lifecycle import kill
    from ..runtime.signals import signal_number

    sig = signal_number(opts.args[1]) if len(opts.args) > 1 else 15
    kill(ctx, opts.args[0], sig, opts.flag("all"))
    return 0
