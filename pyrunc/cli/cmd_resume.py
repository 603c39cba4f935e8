"""pyrunc resume ID: see cmd_pause."""

from .cmd_pause import freezer_command

COMMAND, run = freezer_command("resume", "resumes all processes that have been previously paused")
