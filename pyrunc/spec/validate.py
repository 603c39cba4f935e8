"""Validate config.json / process.json / state / features documents.

The generated fast checker (fastcheck.py) decides valid or not in plain Python. Only when it says "not
valid" is jsonschema imported (~240 ms), to pick the most helpful of all the schema errors; then the
semantic rules (semantic.py) run. Errors are ConfigError(pointer, message), messages lowercase.
"""

from __future__ import annotations

from ..errors import ConfigError
from . import fastcheck, semantic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def validate_config(cfg: object, *, for_create: bool = True) -> None:
    """Raise ConfigError unless `cfg` is a valid runtime-spec 1.0-1.3 config (for `create` if for_create)."""
    _schema("config", cfg)
    semantic.check_config(cfg, for_create=for_create)  # type: ignore[arg-type]


def validate_process(proc: object) -> None:
    """exec's process.json; pointers are relative to the process document (e.g. `/args`)."""
    _schema("process", proc)
    semantic.check_process(proc, "", need_args=True)  # type: ignore[arg-type]


def validate_resources(resources: object) -> None:
    """`update -r resources.json`; pointers are relative to the resources document (e.g. `/cpu/quota`)."""
    _schema("resources", resources)
    semantic.check_resources(resources, "")  # type: ignore[arg-type]


def validate_state(state: object) -> None:
    _schema("state", state)
    semantic.check_state(state)  # type: ignore[arg-type]


def validate_features(features: object) -> None:
    _schema("features", features)


def validate_container_process_state(doc: object) -> None:
    """What pyrunc sends a seccomp agent (config-linux.md, The Container Process State)."""
    _schema("containerProcessState", doc)
    semantic.check_state(doc["state"], "/state")  # type: ignore[index]


def unknown_properties(cfg: object, document: str = "config") -> list[str]:
    """JSON pointers of properties runtime-spec does not define; the CLI logs them at debug level."""
    return fastcheck.unknown_properties(document, cfg)


def _schema(document: str, value: object) -> None:
    fast = fastcheck.check(document, value)
    if fast is not None:
        raise schema_error(document, value, fast)


def schema_error(document: str, value: object, fast: tuple[str, str, str]) -> ConfigError:
    """Turn a fast-check failure into the clearest error jsonschema can name."""
    pointer, _kind, message = fast
    try:
        from . import reference

        errors = reference.errors(value, document)
    except ImportError:  # jsonschema missing: the fast checker's own words still name the field
        return ConfigError(pointer, message)
    if not errors:  # cannot happen while the equivalence tests pass; keep the fast verdict
        return ConfigError(pointer, message)
    from jsonschema.exceptions import best_match

    same_place = [e for e in errors if reference.pointer_of(e) == pointer]
    best = best_match(same_place or errors)
    return ConfigError(reference.pointer_of(best), describe(best))


_JSON_TYPES = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
    (type(None), "null"),
)


def json_type(value: object) -> str:
    for kind, word in _JSON_TYPES:
        if isinstance(value, kind):
            return word
    return type(value).__name__


def _show(value: object, limit: int = 60) -> str:
    from ..jsonio import dumps

    try:
        text = dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(error: Any) -> str:
    """One lowercase line for a jsonschema ValidationError, in pyrunc's words."""
    from .patterns import PATTERNS

    kind, want, got = error.validator, error.validator_value, error.instance
    if kind == "type":
        return f"expected {dict(_JSON_TYPES_BY_NAME)[want]}, got {json_type(got)}"
    if kind == "required":
        missing = [name for name in want if isinstance(got, dict) and name not in got]
        return f'missing required property "{missing[0] if missing else want[0]}"'
    if kind == "enum":
        return f"{_show(got)} is not one of " + ", ".join(f'"{item}"' for item in want)
    if kind == "minimum":
        return f"{_show(got)} is below the minimum {want}"
    if kind == "maximum":
        return f"{_show(got)} is above the maximum {want}"
    if kind == "minLength":
        if "propertyNames" in error.schema_path:
            return "property names must not be empty"
        return "must not be empty"
    if kind == "minItems":
        return f"must have at least {want} item{'s' if want != 1 else ''}"
    if kind == "propertyNames":
        return "property names must not be empty"
    if kind == "pattern" and want in PATTERNS:
        return f"{_show(got)}: {PATTERNS[want][2]}"
    return str(error.message).lower()


_JSON_TYPES_BY_NAME = (
    ("boolean", "a boolean"),
    ("integer", "an integer"),
    ("number", "a number"),
    ("string", "a string"),
    ("array", "an array"),
    ("object", "an object"),
    ("null", "null"),
)
