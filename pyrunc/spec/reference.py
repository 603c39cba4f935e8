"""The reference validator: jsonschema over oci-schemas/, for full error reports (never on the hot path).

Two deliberate refinements of plain Draft 7 semantics, both matching what Go runtimes accept:
- `integer` means a JSON number written without a fraction or exponent. jsonschema would take 1.0 as
  an integer; Go's encoding/json (runc, the engines) refuses it for integer fields.
- `pattern` anchors like ECMA-262: `$` matches only at the end (Python's `$` also matches before a
  final newline, which would let "1.0.2\\n" through).
"""

from __future__ import annotations

import functools

from ..jsonio import loads
from .schemas import ROOTS, schema_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BASE_URI = "https://pyrunc.invalid/oci-schemas/"


def _strict_integer(checker: Any, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _ecma_pattern(validator: Any, pattern: str, instance: object, schema: Any) -> Any:
    import re

    from jsonschema.exceptions import ValidationError

    if not isinstance(instance, str):
        return
    anchored = pattern[:-1] + "\\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    if re.search(anchored, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(schema_dir().glob("*.json")):
        contents = loads(path.read_bytes())
        # Without "$schema": a $ref into another file's root (container-process-state.json -> state.json)
        # would make jsonschema switch to the stock Draft 7 class that the file's $schema names, and
        # drop the refinements above below that point (1.0 accepted as the state's pid).
        contents.pop("$schema", None)
        resources.append(
            (BASE_URI + path.name, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


@functools.lru_cache(maxsize=1)
def validator_class() -> Any:
    from jsonschema import Draft7Validator, validators

    checker = Draft7Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
    return validators.extend(Draft7Validator, validators={"pattern": _ecma_pattern}, type_checker=checker)


@functools.cache
def validator(document: str = "config") -> Any:
    """A jsonschema validator for one of schemas.ROOTS ("config", "process", "state", "features")."""
    # The file's own contents as the root schema: entering through a {"$ref": uri} wrapper would make
    # jsonschema pick the stock Draft 7 class from the file's $schema and drop the refinements above.
    root = _registry().contents(BASE_URI + ROOTS[document])
    return validator_class()(root, registry=_registry())


def pointer_of(error: Any) -> str:
    out = ""
    for part in error.absolute_path:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


def errors(instance: object, document: str = "config") -> list[Any]:
    return list(validator(document).iter_errors(instance))
