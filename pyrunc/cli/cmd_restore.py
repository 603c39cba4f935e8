"""pyrunc restore: see cmd_checkpoint."""

from .cmd_checkpoint import criu_command

COMMAND, run = criu_command("restore")
