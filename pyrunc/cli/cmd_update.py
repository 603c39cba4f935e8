"""pyrunc update [-r FILE|-] [--memory ... --pids-limit ...] ID: change a live container's limits."""

from __future__ import annotations

from .args import STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context


def _command() -> Command:
    from ..cgroups.update_args import FLAGS

    flags = [
        Flag(
            "resources,r",
            STR,
            help="path to a file containing the resources to update or '-' to read from stdin",
        )
    ]
    flags += [Flag(name.lstrip("-"), STR, help=text) for name, (_, _, text) in FLAGS.items()]
    return Command(
        "update", "<container-id>", flags, "update container resource constraints", min_args=1, max_args=1
    )


def run(ctx: Context, argv: list[str]) -> int:
    command = _command()
    opts = parse_command(command, argv)
    if opts is None:
        return 0
    from ..cgroups.update_args import FLAGS, build, read_resources_arg
    from ..runtime.cgroupcmds import update

    text = read_resources_arg(opts.text("resources")) if opts.text("resources") else None  # type: ignore[arg-type]
    given = {name: opts.text(name.lstrip("-").replace("-", "_")) for name in FLAGS}
    resources, rdt = build(given, text)
    from ..spec.validate import validate_resources

    validate_resources(resources)
    update(ctx, opts.args[0], resources)
    return 0
