"""Where the JSON schemas live: inside the installed package, or in the source checkout."""

from __future__ import annotations

import pathlib

# The documents pyrunc validates, by the schema file that describes each.
ROOTS = {
    "config": "config.json",
    "process": "process.json",
    "state": "state.json",
    "features": "features.json",
    "resources": "resources.json",
    "containerProcessState": "container-process-state.json",
}


def schema_dir() -> pathlib.Path:
    """The directory holding config.json, defs.json, ... (the build copies oci-schemas/ into the package)."""
    here = pathlib.Path(__file__).resolve().parent
    installed = here / "schemas"
    if (installed / "config.json").is_file():
        return installed
    checkout = here.parent.parent / "oci-schemas"
    if (checkout / "config.json").is_file():
        return checkout
    raise FileNotFoundError(f"pyrunc's JSON schemas are missing (looked in {installed} and {checkout})")


def schema_files() -> list[pathlib.Path]:
    return sorted(schema_dir().glob("*.json"))
