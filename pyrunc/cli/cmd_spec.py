"""pyrunc spec [-b DIR] [--rootless]: write a default config.json; never overwrite one."""

from __future__ import annotations

import os

from ..errors import PyruncError
from .args import BOOL, STR, Command, Flag
from .common import parse_command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import Context

COMMAND = Command(
    "spec",
    "",
    [
        Flag("bundle,b", STR, default="", help="path to the root of the bundle directory"),
        Flag("rootless", BOOL, help="generate a configuration for a rootless container"),
    ],
    "create a new specification file",
    max_args=0,
)


def run(ctx: Context, argv: list[str]) -> int:
    opts = parse_command(COMMAND, argv)
    if opts is None:
        return 0
    from .. import jsonio
    from ..spec.default import default_config

    bundle = opts.text("bundle") or "."
    if not os.path.isdir(bundle):
        raise PyruncError(f"spec: bundle {bundle}: not a directory")
    path = os.path.join(bundle, "config.json")
    cfg = default_config(opts.flag("rootless"), os.geteuid(), os.getegid())
    data = (jsonio.dumps(cfg, indent=2) + "\n").encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise PyruncError("File config.json exists. Remove it first") from None
    except OSError as exc:
        raise PyruncError(f"spec: write {path}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return 0
