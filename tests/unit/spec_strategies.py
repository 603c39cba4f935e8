"""Hypothesis strategies that build documents from a JSON schema, and mutations that (usually) break them.

`from_schema` understands the Draft 7 subset oci-schemas/ uses (the generator enforces the same subset).
It is deliberately independent of pyrunc's generator so a bug in one does not hide in the other; it is
also used on the upstream 1.0.2 schema (Draft 4), which stays inside a similar subset.
"""

from __future__ import annotations

import functools
import json
import pathlib
from typing import Any

from hypothesis import strategies as st

from pyrunc.spec.patterns import OCI_VERSION_RE
from pyrunc.spec.schemas import schema_dir

UPSTREAM_DIR = pathlib.Path("/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema")

# Values of every JSON type (and a float that looks like an integer, which Go refuses for int fields).
WRONG_VALUES = [None, True, 0, -1, 1.5, 1.0, "", "x", [], [1], {}, {"k": "v"}, 2**64, -(2**63) - 1]


class Schemas:
    """A directory of schema files with $ref resolution relative to the referring file."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.docs = {p.name: json.loads(p.read_text()) for p in directory.glob("*.json")}

    def resolve(self, schema: dict[str, Any], fname: str) -> tuple[dict[str, Any], str]:
        while "$ref" in schema or "allOf" in schema:
            if "allOf" in schema:
                if len(schema["allOf"]) == 1:
                    schema = schema["allOf"][0]
                    continue
                # upstream only: a conjunction of object schemas; merge their properties and requirements
                merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
                for part in schema["allOf"]:
                    part, _ = self.resolve(part, fname)
                    merged["properties"].update(part.get("properties", {}))
                    merged["required"] += part.get("required", [])
                return merged, fname
            target, _, fragment = schema["$ref"].partition("#")
            fname = target or fname
            node: Any = self.docs[fname]
            for part in fragment.strip("/").split("/") if fragment.strip("/") else []:
                node = node[part]
            schema = node
        return schema, fname


def ours() -> Schemas:
    return Schemas(schema_dir())


# Valid runtime-spec versions (st.from_regex is very slow on the full expression).
_IDENTS = st.lists(st.text(st.sampled_from("0aZ-9"), min_size=1, max_size=3), min_size=1, max_size=2).map(
    ".".join
)
VERSIONS = st.one_of(
    st.sampled_from(["1.0.0", "1.0.2-dev", "1.1.0", "1.2.1", "1.3.0", "1.3.0+dev"]),
    st.builds(
        lambda minor, patch, pre, build: f"1.{minor}.{patch}{pre}{build}",
        st.integers(1, 3),
        st.sampled_from(["0", "2", "10"]),
        st.one_of(st.just(""), _IDENTS.map("-".__add__)),
        st.one_of(st.just(""), _IDENTS.map("+".__add__)),
    ),
)


# st.from_regex is slow; the patterns we meet (ours and upstream's) get hand-made strategies.
FAST_PATTERNS: dict[str, st.SearchStrategy[str]] = {
    OCI_VERSION_RE: VERSIONS,
    "^RLIMIT_[A-Z]+$": st.sampled_from(["RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC", "RLIMIT_FOO"]),
    "^[1-9][0-9]*[KMG]B$": st.sampled_from(["64KB", "2MB", "1GB", "32MB"]),
    "^MB:[^\\n]*$": st.sampled_from(["MB:", "MB:0=20;1=70"]),
    "^[cbup]$": st.sampled_from("cbup"),
}


def _text_for(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("pattern") in FAST_PATTERNS:
        return FAST_PATTERNS[schema["pattern"]]
    if "pattern" in schema:
        # Python's `$` also matches before a final newline; ECMA's does not. Generate ECMA-valid text.
        return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: not s.endswith("\n"))
    alphabet = st.sampled_from("abc/._-XYZ019 ")
    return st.text(alphabet, min_size=schema.get("minLength", 0), max_size=8)


def from_schema(
    schemas: Schemas, schema: dict[str, Any], fname: str, depth: int = 0, extra_keys: bool = True
) -> st.SearchStrategy[Any]:
    """Valid instances of `schema` (found in file `fname`)."""
    schema, fname = schemas.resolve(schema, fname)
    kind = schema.get("type")
    if "anyOf" in schema:  # upstream only; its branches are alternatives
        return st.one_of([from_schema(schemas, sub, fname, depth, extra_keys) for sub in schema["anyOf"]])
    if "oneOf" in schema:  # upstream only: exactly one branch may match; generate from the first
        return from_schema(schemas, schema["oneOf"][0], fname, depth, extra_keys)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if name in props]
        req = {name: from_schema(schemas, props[name], fname, depth + 1, extra_keys) for name in required}
        opt = {}
        if depth < 6:
            opt = {
                name: from_schema(schemas, sub, fname, depth + 1, extra_keys)
                for name, sub in props.items()
                if name not in required
            }
        base = st.fixed_dictionaries(req, optional=opt)
        addl = schema.get("additionalProperties")
        if isinstance(addl, dict):
            min_key = schema.get("propertyNames", {}).get("minLength", 0)
            keys = st.text(st.sampled_from("abc./~-"), min_size=max(min_key, 1), max_size=6)
            return st.dictionaries(keys, from_schema(schemas, addl, fname, depth + 1, extra_keys), max_size=3)
        if "patternProperties" in schema:  # upstream annotations: any non-empty key
            (sub,) = schema["patternProperties"].values()
            keys = st.text(st.sampled_from("abc./~-"), min_size=1, max_size=6)
            return st.dictionaries(keys, from_schema(schemas, sub, fname, depth + 1, extra_keys), max_size=3)
        if extra_keys and props:
            # Unknown properties must be ignored: sprinkle some in.
            unknown = st.dictionaries(
                st.sampled_from(["x-extra", "futureField"]), st.sampled_from(WRONG_VALUES), max_size=1
            )
            return st.tuples(base, unknown).map(lambda pair: {**pair[1], **pair[0]})
        return base
    if kind == "array":
        items = schema.get("items", {"type": "string"})
        return st.lists(
            from_schema(schemas, items, fname, depth + 1, extra_keys),
            min_size=schema.get("minItems", 0),
            max_size=3,
        )
    if kind == "string":
        return _text_for(schema)
    if kind == "integer":
        low = schema.get("minimum", -(2**63))
        high = schema.get("maximum", 2**64 - 1)
        return st.one_of(st.sampled_from([low, high]), st.integers(low, high))
    if kind == "boolean":
        return st.booleans()
    if kind == "number":
        return st.integers(0, 10)
    return st.sampled_from(WRONG_VALUES)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out += _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out += _paths(sub, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if rest or new is not _DELETE:
            out[head] = _replace(value[head], rest, new)
        else:
            del out[head]
        return out
    out_list = list(value)
    out_list[head] = _replace(value[head], rest, new)
    return out_list


_DELETE = object()
BAD_STRINGS = ["SCMP_ACT_NOPE", "2.0.0", "1.4.0", "1.0.0-rc5", "1.0.2\n", "", "bogus"]


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid document with one node replaced, removed, or pushed out of range."""
    doc = draw(valid)
    paths = _paths(doc)
    path = draw(st.sampled_from(paths))
    how = draw(st.sampled_from(["type", "delete", "range", "string"]))
    if how == "delete" and path and isinstance(path[-1], str):
        return _replace(doc, path, _DELETE)
    if how == "range":
        return _replace(doc, path, draw(st.sampled_from([-1, 2**64, -(2**63) - 1, 2**32, 65536, 8, 1001, 0])))
    if how == "string":
        return _replace(doc, path, draw(st.sampled_from(BAD_STRINGS)))
    return _replace(doc, path, draw(st.sampled_from(WRONG_VALUES)))


@functools.cache
def document_strategy(document: str) -> st.SearchStrategy[Any]:
    from pyrunc.spec.schemas import ROOTS

    schemas = ours()
    fname = ROOTS[document]
    return from_schema(schemas, schemas.docs[fname], fname)
