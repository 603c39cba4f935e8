"""Generate pyrunc/spec/fastcheck.py from the JSON schemas in oci-schemas/.

    python -m pyrunc.spec.gen_fastcheck            # rewrite fastcheck.py
    python -m pyrunc.spec.gen_fastcheck --check    # exit 1 if fastcheck.py is stale

Why: jsonschema costs ~240 ms to import and ~57 ms to walk a large config; `create` cannot pay that.
The schemas use a small subset of Draft 7 (listed in KEYWORDS); anything else is refused here, so the
generated code can never silently ignore a rule. Each schema node becomes straight-line Python that
returns None when the value is valid, or a tuple (message, kind, path) where path lists the JSON
pointer segments innermost first (callers append their own segment as the error unwinds, so the
success path never builds pointers).

Three modules come out, because `create` pays for every byte of code it unmarshals (~1 ms for all of
it): fastcheck.py holds the checkers a usual config needs; fastcheck_rare.py, loaded on first use, the
ones for sections few configs have (RARE: memory and cpu limits, blockIO, scheduler, ...) and for the
documents create never checks; fastcheck_unknown.py the walkers listing unknown properties, which only
`--debug` asks for. None of them imports anything else.

Equivalence with jsonschema (through reference.py) is tested in tests/unit/test_spec_fastcheck.py.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import re
import sys
from typing import Any

from . import patterns
from .schemas import ROOTS, schema_dir

KEYWORDS = {
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "definitions",
    "type",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "propertyNames",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "minItems",
    "pattern",
    "$ref",
    "allOf",
}
METADATA = {"$schema", "$id", "$comment", "title", "description", "definitions"}
OUTPUT = pathlib.Path(__file__).resolve().parent / "fastcheck.py"
OUTPUT_RARE = OUTPUT.with_name("fastcheck_rare.py")
OUTPUT_UNKNOWN = OUTPUT.with_name("fastcheck_unknown.py")

# Checkers (by definition or document name) that go to fastcheck_rare.py: sections the engines' configs
# (podman, docker, containerd) leave out, and the documents other than config, process and resources.
RARE = {
    "config_linux__Memory",
    "config_linux__CPU",
    "config_linux__BlockIO",
    "config_linux__HugepageLimit",
    "config_linux__Network",
    "config_linux__Rdma",
    "config_linux__IntelRdt",
    "config_linux__MemoryPolicy",
    "config_linux__Personality",
    "config_linux__TimeOffset",
    "config_linux__NetDevice",
    "defs__Scheduler",
    "defs__IOPriority",
    "defs__ExecCPUAffinity",
    "defs__ConsoleSize",
    "state",
    "features",
    "container_process_state",
}

TYPE_TEST = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool))",
    "boolean": "isinstance({v}, bool)",
}
TYPE_WORD = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "boolean": "a boolean",
}


class SchemaSet:
    """All schema files, with $ref resolution ("file.json#/definitions/Name" or "#/definitions/Name")."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for path in sorted(directory.glob("*.json")):
            self.docs[path.name] = json.loads(path.read_text())

    def resolve(self, ref: str, current: str) -> tuple[str, str, dict[str, Any]]:
        """(file, definition name or "", schema) that a $ref written in `current` points to."""
        target, _, fragment = ref.partition("#")
        fname = target or current
        doc = self.docs[fname]
        if not fragment:
            return fname, "", doc
        prefix = "/definitions/"
        if not fragment.startswith(prefix) or "/" in fragment[len(prefix) :]:
            raise ValueError(f"{current}: unsupported $ref {ref!r}")
        name = fragment[len(prefix) :]
        return fname, name, doc["definitions"][name]


def _check_keywords(schema: dict[str, Any], where: str) -> None:
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"{where}: keywords the generator does not support: {sorted(unknown)}")
    if "$ref" in schema and set(schema) - METADATA - {"$ref"}:
        raise ValueError(f"{where}: $ref with sibling keywords (Draft 7 ignores them; say what you mean)")
    if "allOf" in schema and (len(schema["allOf"]) != 1 or set(schema) & (KEYWORDS - METADATA - {"allOf"})):
        raise ValueError(f"{where}: allOf is supported only as the single member of a schema, with one item")
    if "type" in schema and not isinstance(schema["type"], str):
        raise ValueError(f"{where}: only a single `type` is supported")
    if "additionalProperties" in schema and "properties" in schema:
        raise ValueError(f"{where}: properties together with additionalProperties is not supported")
    if "additionalProperties" in schema and not isinstance(schema["additionalProperties"], dict):
        raise ValueError(f"{where}: additionalProperties must be a schema")
    if "enum" in schema and not all(isinstance(item, str) for item in schema["enum"]):
        raise ValueError(f"{where}: only string enums are supported")
    if "pattern" in schema and schema["pattern"] not in patterns.PATTERNS:
        raise ValueError(f"{where}: pattern {schema['pattern']!r} has no hand-written twin in patterns.py")


class Generator:
    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas
        self.functions: dict[str, list[str]] = {}  # name -> lines, in order of first use
        self.unknown_functions: dict[str, list[str]] = {}
        self.constants: dict[tuple[str, ...], str] = {}
        self.pending: list[tuple[str, str, dict[str, Any]]] = []
        self.anon_names: dict[int, str] = {}

    # -- naming --------------------------------------------------------------------------------------
    @staticmethod
    def def_name(fname: str, name: str) -> str:
        stem = fname.removesuffix(".json").replace("-", "_")
        return f"{stem}__{name}" if name else stem

    def constant(self, values: list[str], prefix: str) -> str:
        key = (prefix, *values)
        if key not in self.constants:
            self.constants[key] = f"{prefix}{len(self.constants)}"
        return self.constants[key]

    # -- schema helpers ------------------------------------------------------------------------------
    def deref(self, schema: dict[str, Any], fname: str) -> tuple[dict[str, Any], str, str | None]:
        """Follow $ref chains; returns (schema, file it lives in, function name if it is a definition)."""
        func = None
        while "$ref" in schema or "allOf" in schema:
            _check_keywords(schema, fname)
            if "allOf" in schema:  # only the one-element form, a $ref that keeps the file's $id in force
                schema = schema["allOf"][0]
                continue
            fname, name, schema = self.schemas.resolve(schema["$ref"], fname)
            func = self.def_name(fname, name)
        _check_keywords(schema, fname)
        return schema, fname, func

    def is_scalar(self, schema: dict[str, Any]) -> bool:
        structural = {"properties", "items", "additionalProperties", "propertyNames", "required", "minItems"}
        return not (structural & set(schema))

    # -- code for one value --------------------------------------------------------------------------
    def scalar_checks(self, schema: dict[str, Any], var: str, path: str, indent: str) -> list[str]:
        """Inline checks of a leaf schema against `var`; `path` is the Python list literal to report."""
        out: list[str] = []
        kind = schema.get("type")
        if kind is not None:
            out.append(f"{indent}if not {TYPE_TEST[kind].format(v=var)}:")
            out.append(f"{indent}    return ('expected {TYPE_WORD[kind]}', 'type', {path})")
        # Past a failed type test the function has returned, so later tests may skip their own type guard.
        is_str = "" if kind == "string" else f"isinstance({var}, str) and "
        is_num = (
            ""
            if kind == "integer"
            else f"isinstance({var}, (int, float)) and not isinstance({var}, bool) and "
        )
        if "enum" in schema:
            const = self.constant(schema["enum"], "_ENUM")
            test = (
                f"{var} not in {const}"
                if kind == "string"
                else f"not (isinstance({var}, str) and {var} in {const})"
            )
            out.append(f"{indent}if {test}:")
            out.append(f"{indent}    return ('must be one of ' + {const}_TEXT, 'enum', {path})")
        if "minimum" in schema:
            out.append(f"{indent}if {is_num}{var} < {schema['minimum']!r}:")
            out.append(f"{indent}    return ('must be at least {schema['minimum']}', 'minimum', {path})")
        if "maximum" in schema:
            out.append(f"{indent}if {is_num}{var} > {schema['maximum']!r}:")
            out.append(f"{indent}    return ('must be at most {schema['maximum']}', 'maximum', {path})")
        if "minLength" in schema:
            out.append(f"{indent}if {is_str}len({var}) < {schema['minLength']}:")
            out.append(f"{indent}    return ('must not be empty', 'minLength', {path})")
        if "pattern" in schema:
            func, _helpers, message = patterns.PATTERNS[schema["pattern"]]
            out.append(f"{indent}if {is_str}not {func}({var}):")
            out.append(f"{indent}    return ({message!r}, 'pattern', {path})")
        return out

    def value_checks(self, schema: dict[str, Any], fname: str, var: str, seg: str, indent: str) -> list[str]:
        """Checks of `var` (found under path segment expression `seg`) inside a generated function."""
        target, tfile, func = self.deref(schema, fname)
        if self.is_scalar(target):
            return self.scalar_checks(target, var, f"[{seg}]", indent)
        if func is None:
            func = self.anonymous(target, tfile)
        else:
            self.want(func, tfile, target)
        return [
            f"{indent}e = _c_{func}({var})",
            f"{indent}if e is not None:",
            f"{indent}    e[2].append({seg})",
            f"{indent}    return e",
        ]

    def anonymous(self, schema: dict[str, Any], fname: str) -> str:
        """Name for a schema node that is not a definition: numbered in order of first use (stable)."""
        name = self.anon_names.get(id(schema))
        if name is None:
            name = self.anon_names[id(schema)] = f"node{len(self.anon_names)}"
        self.want(name, fname, schema)
        return name

    def want(self, name: str, fname: str, schema: dict[str, Any]) -> None:
        if name not in self.functions and all(p[0] != name for p in self.pending):
            self.functions[name] = []
            self.pending.append((name, fname, schema))

    # -- one function per non-leaf node --------------------------------------------------------------
    def emit(self, name: str, fname: str, schema: dict[str, Any]) -> None:
        body: list[str] = [f"def _c_{name}(v):"]
        kind = schema.get("type")
        body += self.scalar_checks(schema, "v", "[]", "    ")
        guard = "    "
        if kind is None and (
            {"properties", "required", "additionalProperties", "propertyNames"} & set(schema)
        ):
            body.append("    if isinstance(v, dict):")
            guard = "        "
        if kind is None and ("items" in schema or "minItems" in schema):
            body.append("    if isinstance(v, list):")
            guard = "        "
        for req in schema.get("required", []):
            body.append(f"{guard}if {req!r} not in v:")
            body.append(f"{guard}    return ('missing required property {json.dumps(req)}', 'required', [])")
        for prop, sub in schema.get("properties", {}).items():
            body.append(f"{guard}x = v.get({prop!r}, _MISSING)")
            body.append(f"{guard}if x is not _MISSING:")
            body += self.value_checks(sub, fname, "x", repr(prop), guard + "    ")
        if "propertyNames" in schema:
            names = schema["propertyNames"]
            _check_keywords(names, fname)
            if set(names) - {"minLength"}:
                raise ValueError(f"{fname}: propertyNames supports only minLength")
            body.append(f"{guard}for k in v:")
            body.append(f"{guard}    if len(k) < {names['minLength']}:")
            body.append(f"{guard}        return ('property names must not be empty', 'propertyNames', [])")
        if "additionalProperties" in schema:
            body.append(f"{guard}for k, x in v.items():")
            body += self.value_checks(schema["additionalProperties"], fname, "x", "k", guard + "    ")
        if "minItems" in schema:
            n = schema["minItems"]
            body.append(f"{guard}if len(v) < {n}:")
            body.append(
                f"{guard}    return ('must have at least {n} item{'s' if n != 1 else ''}', 'minItems', [])"
            )
        if "items" in schema:
            body.append(f"{guard}for i, x in enumerate(v):")
            body += self.value_checks(schema["items"], fname, "x", "i", guard + "    ")
        body.append("    return None")
        self.functions[name] = body
        self.emit_unknown(name, fname, schema)

    # -- unknown property listing --------------------------------------------------------------------
    def emit_unknown(self, name: str, fname: str, schema: dict[str, Any]) -> None:
        body = [f"def _u_{name}(v, p, out):"]
        if "properties" in schema:
            known = self.constant(sorted(schema["properties"]), "_KNOWN")
            body.append("    if not isinstance(v, dict):")
            body.append("        return")
            body.append("    for k, x in v.items():")
            body.append(f"        if k not in {known}:")
            body.append("            out.append(p + '/' + _esc(k))")
            for prop, sub in schema["properties"].items():
                child = self.child_unknown(sub, fname)
                if child:
                    body.append(f"        elif k == {prop!r}:")
                    body.append(f"            _u_{child}(x, p + {'/' + prop!r}, out)")
        elif "additionalProperties" in schema:
            child = self.child_unknown(schema["additionalProperties"], fname)
            if child:
                body.append("    if isinstance(v, dict):")
                body.append("        for k, x in v.items():")
                body.append(f"            _u_{child}(x, p + '/' + _esc(k), out)")
        elif "items" in schema:
            child = self.child_unknown(schema["items"], fname)
            if child:
                body.append("    if isinstance(v, list):")
                body.append("        for i, x in enumerate(v):")
                body.append(f"            _u_{child}(x, p + '/' + str(i), out)")
        if len(body) == 1:
            body.append("    return")
        self.unknown_functions[name] = body

    def child_unknown(self, schema: dict[str, Any], fname: str) -> str | None:
        """Name of the walker for a child schema, or None when nothing below it can be unknown."""
        target, tfile, func = self.deref(schema, fname)
        if not self.has_properties_below(target, tfile, set()):
            return None
        if func is None:
            func = self.anonymous(target, tfile)
        else:
            self.want(func, tfile, target)
        return func

    def has_properties_below(self, schema: dict[str, Any], fname: str, seen: set[int]) -> bool:
        target, tfile, _ = self.deref(schema, fname)
        if id(target) in seen:
            return False
        seen.add(id(target))
        if "properties" in target:
            return True
        for key in ("items", "additionalProperties"):
            if key in target and self.has_properties_below(target[key], tfile, seen):
                return True
        return False

    # -- whole module --------------------------------------------------------------------------------
    def run(self) -> dict[pathlib.Path, str]:
        roots = {}
        for document, fname in ROOTS.items():
            target, tfile, func = self.deref(self.schemas.docs[fname], fname)
            name = func or self.def_name(fname, "")
            self.want(name, tfile, target)
            roots[document] = name
        while self.pending:
            name, fname, schema = self.pending.pop(0)
            self.emit(name, fname, schema)
        return self.render(roots)

    def render(self, roots: dict[str, str]) -> dict[pathlib.Path, str]:
        missing = RARE - set(self.functions)
        if missing:
            raise ValueError(f"RARE names checkers the schemas do not have: {sorted(missing)}")
        common = self.closure(list(roots.values()), stop=RARE)
        rare = self.closure(sorted(RARE), stop=set())
        return {
            OUTPUT: self.render_checks(roots, common),
            OUTPUT_RARE: self.render_rare(rare),
            OUTPUT_UNKNOWN: self.render_unknown(roots),
        }

    def closure(self, names: list[str], stop: set[str]) -> list[str]:
        """Checkers reachable from `names` (in emission order), not descending into `stop`."""
        seen: set[str] = set()
        todo = [n for n in names if n not in stop]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for callee in self.callees(name):
                if callee not in seen and callee not in stop:
                    todo.append(callee)
        return [name for name in self.functions if name in seen]

    def callees(self, name: str) -> set[str]:
        body = "\n".join(self.functions[name])
        return {callee for callee in self.functions if f"_c_{callee}(" in body and callee != name}

    def header(self, what: str) -> list[str]:
        return [
            '"""Generated from oci-schemas/*.json by pyrunc/spec/gen_fastcheck.py: do not edit.',
            "",
            "Regenerate with `python -m pyrunc.spec.gen_fastcheck` after changing a schema.",
            "",
            *what.splitlines(),
            '"""',
            "",
            "# ruff: noqa",
            "# mypy: ignore-errors",
            "# fmt: off",
            "",
        ]

    def support(self, names: list[str]) -> list[str]:
        """_MISSING, the enum constants and the pattern twins the checkers `names` use."""
        body = "\n".join("\n".join(self.functions[name]) for name in names)
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", body))
        out = ["_MISSING = object()", ""]
        for (prefix, *values), const in self.constants.items():
            if prefix == "_ENUM" and (const in used or f"{const}_TEXT" in used):
                out.append(f"{const} = frozenset({values!r})")
                out.append(f"{const}_TEXT = {', '.join(json.dumps(v) for v in values)!r}")
        twins = [entry for entry in patterns.PATTERNS.values() if entry[0] in used]
        if twins:
            for name in patterns.CONSTANTS:
                out.append(f"{name} = frozenset({''.join(sorted(getattr(patterns, name)))!r})")
            out.append("")
        seen_helpers: set[str] = set()
        for func, helpers, _msg in twins:
            for helper in (*helpers, func):
                if helper in seen_helpers:
                    continue
                seen_helpers.add(helper)
                out.append("")
                out.append(inspect.getsource(getattr(patterns, helper)).rstrip())
            out.append("")
        return out

    def render_checks(self, roots: dict[str, str], common: list[str]) -> str:
        out = self.header(
            "Each _c_* function returns None for a valid value, or (message, kind, path) with the JSON\n"
            "pointer segments of the failing value innermost first; `kind` is the keyword that failed.\n"
            "The checkers of rare sections are stubs that load fastcheck_rare.py on first use."
        )
        out += self.support(common)
        out.append("")
        out.append("\n\n\n".join("\n".join(self.functions[name]) for name in common))
        out += ["", "", "def _rare():", "    from . import fastcheck_rare", "", "    return fastcheck_rare"]
        needed = set(roots.values())
        for name in common:
            needed |= self.callees(name)
        for name in self.functions:
            if name in RARE and name in needed:
                out += ["", "", f"def _c_{name}(v):", f"    return _rare()._c_{name}(v)"]
        out += [
            "",
            "",
            "def _pointer(path):",
            "    return ''.join('/' + str(s).replace('~', '~0').replace('/', '~1') for s in reversed(path))",
            "",
            "",
            "def check(document, value):",
            '    """None if `value` is a valid `document` ("config", ...), else (pointer, kind, message)."""',
            "    e = _CHECKS[document](value)",
            "    if e is None:",
            "        return None",
            "    return _pointer(e[2]), e[1], e[0]",
            "",
            "",
            "def unknown_properties(document, value):",
            '    """JSON pointers of properties the schema does not define (the spec says: ignore them)."""',
            "    from .fastcheck_unknown import unknown_properties",
            "",
            "    return unknown_properties(document, value)",
            "",
            "",
            "_CHECKS = {",
        ]
        for document, name in roots.items():
            out.append(f"    {document!r}: _c_{name},")
        out.append("}")
        return "\n".join(out) + "\n"

    def render_rare(self, rare: list[str]) -> str:
        out = self.header(
            "The checkers of fastcheck.py for sections few configs have, loaded on first use;\n"
            "self-contained (the common checkers they call are repeated here)."
        )
        out += self.support(rare)
        out.append("")
        out.append("\n\n\n".join("\n".join(self.functions[name]) for name in rare))
        return "\n".join(out) + "\n"

    def render_unknown(self, roots: dict[str, str]) -> str:
        out = self.header(
            "Each _u_* function appends to `out` the JSON pointers of the properties below `v` (found at\n"
            "pointer `p`) that the schema does not define. Only `--debug` asks for them."
        )
        for (prefix, *values), const in self.constants.items():
            if prefix == "_KNOWN":
                out.append(f"{const} = frozenset({values!r})")
        out += [
            "",
            "",
            "def _esc(k):",
            "    return str(k).replace('~', '~0').replace('/', '~1')",
            "",
            "",
            "\n\n\n".join("\n".join(lines) for lines in self.unknown_functions.values()),
            "",
            "",
            "def unknown_properties(document, value):",
            '    """JSON pointers of properties the schema does not define (the spec says: ignore them)."""',
            "    out = []",
            "    _UNKNOWN[document](value, '', out)",
            "    return out",
            "",
            "",
            "_UNKNOWN = {",
        ]
        for document, name in roots.items():
            out.append(f"    {document!r}: _u_{name},")
        out.append("}")
        return "\n".join(out) + "\n"


def source_dir() -> pathlib.Path:
    """oci-schemas/ of the checkout (the source of truth), else the copy installed in the package."""
    checkout = pathlib.Path(__file__).resolve().parents[2] / "oci-schemas"
    return checkout if (checkout / "config.json").is_file() else schema_dir()


def generate() -> dict[pathlib.Path, str]:
    """{output file: its text} for fastcheck.py, fastcheck_rare.py and fastcheck_unknown.py."""
    return Generator(SchemaSet(source_dir())).run()


def main(argv: list[str]) -> int:
    outputs = generate()
    if "--check" in argv:
        stale = [path for path, text in outputs.items() if not path.is_file() or path.read_text() != text]
        for path in stale:
            print(f"{path} is stale: run python -m pyrunc.spec.gen_fastcheck", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
