"""Turning a validated spec into the plan the C core executes, and driving the container lifecycle."""
