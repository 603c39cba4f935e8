"""Cross-check: pyrunc's schemas and the upstream runtime-spec schema (Debian's golang-github-opencontainers-
specs-dev, 1.0.2-dev) agree on accept/reject for configs written in the upstream vocabulary, except for the
deliberate differences listed in DIFFERENCES (each explained in docs/validation.md)."""

from __future__ import annotations

import fnmatch
import pathlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_strategies import UPSTREAM_DIR, VERSIONS, Schemas, from_schema, mutated

from pyrunc.spec import fastcheck

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "validation.md"

# (id, which side refuses, JSON pointer glob, JSON Schema keyword of that refusal or "*")
# "ours": pyrunc's schema refuses what upstream accepts; "upstream": the other way round.
DIFFERENCES = [
    ("oci-version", "ours", "/ociVersion", "pattern"),
    ("user-ids-required", "ours", "/process/user", "required"),
    ("personality-domain-required", "ours", "/linux/personality", "required"),
    ("oom-score-adj-range", "ours", "/process/oomScoreAdj", "m*imum"),
    ("hook-timeout-range", "ours", "/hooks/*/*/timeout", "maximum"),
    ("device-cgroup-type", "ours", "/linux/resources/devices/*/type", "enum"),
    ("annotation-keys", "ours", "/annotations", "propertyNames"),
    ("annotation-keys", "ours", "/annotations/*", "type"),
    ("map-keys", "ours", "/linux/sysctl/*", "type"),
    ("map-keys", "ours", "/linux/resources/unified/*", "type"),
    ("throttle-rate-required", "ours", "/linux/resources/blockIO/throttle*Device/*", "required"),
    ("time-namespace", "upstream", "/linux/namespaces/*", "*"),
    ("rlimit-names", "upstream", "/process/rlimits/*/type", "pattern"),
    ("hugepage-size", "upstream", "/linux/resources/hugepageLimits/*/pageSize", "pattern"),
    ("membw-schema", "upstream", "/linux/intelRdt/memBwSchema", "pattern"),
    ("device-file-mode", "upstream", "/linux/devices/*/fileMode", "maximum"),
    ("pids-limit-optional", "upstream", "/linux/resources/pids", "required"),
    ("intel-rdt-cmt-mbm", "upstream", "/linux/intelRdt/enable*", "*"),
    ("other-platforms", "upstream", "/windows*", "*"),
    ("other-platforms", "upstream", "/solaris*", "*"),
    ("other-platforms", "upstream", "/vm*", "*"),
    ("other-platforms", "upstream", "/zos*", "*"),
]

pytestmark = pytest.mark.skipif(
    not (UPSTREAM_DIR / "config-schema.json").exists(),
    reason=f"{UPSTREAM_DIR} missing (apt-get install golang-github-opencontainers-specs-dev)",
)


def _upstream_validator() -> Any:
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    base = UPSTREAM_DIR.as_uri() + "/"
    schemas = Schemas(UPSTREAM_DIR)
    registry = Registry().with_resources(
        (base + name, Resource.from_contents(doc, default_specification=DRAFT4))
        for name, doc in schemas.docs.items()
    )
    root = schemas.docs["config-schema.json"]
    return Draft4Validator({**root, "id": base + "config-schema.json"}, registry=registry)


UPSTREAM = _upstream_validator() if (UPSTREAM_DIR / "config-schema.json").exists() else None


def _upstream_configs() -> st.SearchStrategy[Any]:
    schemas = Schemas(UPSTREAM_DIR)
    docs = from_schema(schemas, schemas.docs["config-schema.json"], "config-schema.json")
    # Upstream allows any ociVersion; mostly use ones both accept so the rest of the document is compared.
    return st.tuples(docs, VERSIONS, st.integers(0, 9)).map(
        lambda t: {**t[0], "ociVersion": t[1]} if t[2] else t[0]
    )


def _pointer(error: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


def explained(side: str, pointer: str, kind: str) -> str | None:
    for ident, who, glob, keyword in DIFFERENCES:
        if who == side and fnmatch.fnmatchcase(pointer, glob) and fnmatch.fnmatchcase(kind, keyword):
            return ident
    return None


def compare(cfg: Any) -> None:
    assert UPSTREAM is not None
    theirs = list(UPSTREAM.iter_errors(cfg))
    ours = fastcheck.check("config", cfg)
    if bool(theirs) == (ours is not None):
        return
    if ours is not None:  # we refuse, upstream accepts: our refusal must be a listed difference
        assert explained("ours", ours[0], ours[1]), (ours, cfg)
        return
    unexplained = [
        (_pointer(e), e.validator) for e in theirs if not explained("upstream", _pointer(e), e.validator)
    ]
    assert not unexplained, (unexplained, cfg)


SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@SETTINGS
@given(cfg=_upstream_configs())
def test_upstream_vocabulary_valid_configs_agree(cfg: Any) -> None:
    compare(cfg)


@SETTINGS
@given(cfg=mutated(_upstream_configs()))
def test_upstream_vocabulary_broken_configs_agree(cfg: Any) -> None:
    compare(cfg)


@pytest.mark.parametrize(
    ("cfg", "side", "difference"),
    [
        ({"ociVersion": "0.5.0"}, "ours", "oci-version"),
        ({"ociVersion": "1.0.2", "process": {"cwd": "/", "user": {}}}, "ours", "user-ids-required"),
        (
            {"ociVersion": "1.0.2", "process": {"cwd": "/", "oomScoreAdj": 5000}},
            "ours",
            "oom-score-adj-range",
        ),
        (
            {"ociVersion": "1.0.2", "hooks": {"poststop": [{"path": "/x", "timeout": 2**63}]}},
            "ours",
            "hook-timeout-range",
        ),
        (
            {"ociVersion": "1.0.2", "linux": {"resources": {"devices": [{"allow": True, "type": "x"}]}}},
            "ours",
            "device-cgroup-type",
        ),
        ({"ociVersion": "1.0.2", "annotations": {"": "x"}}, "ours", "annotation-keys"),
        ({"ociVersion": "1.0.2", "linux": {"sysctl": {"": 1}}}, "ours", "map-keys"),
        (
            {
                "ociVersion": "1.0.2",
                "linux": {"resources": {"blockIO": {"throttleWriteIOPSDevice": [{"major": 8, "minor": 0}]}}},
            },
            "ours",
            "throttle-rate-required",
        ),
        ({"ociVersion": "1.0.2", "linux": {"personality": {}}}, "ours", "personality-domain-required"),
        ({"ociVersion": "1.0.2", "linux": {"namespaces": [{"type": "time"}]}}, "upstream", "time-namespace"),
        (
            {
                "ociVersion": "1.0.2",
                "process": {"cwd": "/", "rlimits": [{"type": "nofile", "soft": 1, "hard": 1}]},
            },
            "upstream",
            "rlimit-names",
        ),
        (
            {
                "ociVersion": "1.0.2",
                "linux": {"resources": {"hugepageLimits": [{"pageSize": "1TB", "limit": 1}]}},
            },
            "upstream",
            "hugepage-size",
        ),
        (
            {"ociVersion": "1.0.2", "linux": {"intelRdt": {"memBwSchema": "L3:0=1"}}},
            "upstream",
            "membw-schema",
        ),
        (
            {
                "ociVersion": "1.0.2",
                "linux": {
                    "devices": [{"type": "c", "path": "/dev/x", "major": 1, "minor": 1, "fileMode": 8630}]
                },
            },
            "upstream",
            "device-file-mode",
        ),
        ({"ociVersion": "1.0.2", "linux": {"resources": {"pids": {}}}}, "upstream", "pids-limit-optional"),
        (
            {"ociVersion": "1.0.2", "linux": {"intelRdt": {"enableCMT": "yes"}}},
            "upstream",
            "intel-rdt-cmt-mbm",
        ),
        ({"ociVersion": "1.0.2", "windows": {"layerFolders": 1}}, "upstream", "other-platforms"),
    ],
)
def test_each_difference_is_real(cfg: dict[str, Any], side: str, difference: str) -> None:
    """Every listed difference is demonstrated once, on the side the list says."""
    assert UPSTREAM is not None
    theirs = list(UPSTREAM.iter_errors(cfg))
    ours = fastcheck.check("config", cfg)
    if side == "ours":
        assert ours is not None and not theirs
        assert explained("ours", ours[0], ours[1]) == difference
    else:
        assert ours is None and theirs
        assert {explained("upstream", _pointer(e), e.validator) for e in theirs} == {difference}


def test_differences_are_documented() -> None:
    text = DOCS.read_text()
    for ident, *_ in DIFFERENCES:
        assert f"`{ident}`" in text, f"docs/validation.md does not explain difference {ident}"
