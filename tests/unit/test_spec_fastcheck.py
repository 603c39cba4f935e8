"""The generated fast checker is up to date and agrees with jsonschema (the reference) on every document."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_strategies import document_strategy, mutated

from pyrunc.errors import ConfigError
from pyrunc.spec import fastcheck, gen_fastcheck, patterns, reference, validate
from pyrunc.spec.schemas import ROOTS

DOCUMENTS = sorted(ROOTS)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def test_regenerating_gives_the_committed_files_byte_for_byte() -> None:
    outputs = gen_fastcheck.generate()
    assert set(outputs) == {gen_fastcheck.OUTPUT, gen_fastcheck.OUTPUT_RARE, gen_fastcheck.OUTPUT_UNKNOWN}
    for path, text in outputs.items():
        assert text == path.read_text(), f"{path.name} differs from what the generator writes"


def test_check_mode_of_the_generator_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyrunc.spec.gen_fastcheck", "--check"],
        cwd=gen_fastcheck.OUTPUT.parent.parent.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_fastcheck_imports_nothing_heavy() -> None:
    code = (
        "import sys; before = set(sys.modules); import pyrunc.spec.validate, pyrunc.spec.load;"
        "heavy = {'typing','re','json','enum','jsonschema','argparse','subprocess','socket','signal',"
        "'logging','dataclasses','pyrunc.spec.fastcheck_unknown'} & (set(sys.modules) - before);"
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=gen_fastcheck.OUTPUT.parent.parent.parent,
    ).stdout.strip()
    assert out == "[]"


def _agree(document: str, value: object) -> bool:
    fast = fastcheck.check(document, value)
    errors = reference.errors(value, document)
    assert (fast is None) == (not errors), (fast, [(reference.pointer_of(e), e.message) for e in errors])
    if fast is not None:
        reported = {reference.pointer_of(e) for e in errors}
        assert fast[0] in reported, (fast, reported)
    return fast is None


@pytest.mark.parametrize("document", DOCUMENTS)
@SETTINGS
@given(data=st.data())
def test_valid_documents_agree(document: str, data: st.DataObject) -> None:
    value = data.draw(document_strategy(document))
    assert _agree(document, value)


@pytest.mark.parametrize("document", DOCUMENTS)
@SETTINGS
@given(data=st.data())
def test_mutated_documents_agree(document: str, data: st.DataObject) -> None:
    value = data.draw(mutated(document_strategy(document)))
    _agree(document, value)


@pytest.mark.parametrize("document", ["config", "process", "resources", "state"])
@SETTINGS
@given(data=st.data())
def test_semantic_rules_never_crash_on_schema_valid_documents(document: str, data: st.DataObject) -> None:
    """Whatever the schema lets through, the semantic layer answers with ConfigError or nothing."""
    value = data.draw(document_strategy(document))
    check = {
        "config": lambda v: validate.validate_config(v, for_create=data.draw(st.booleans())),
        "process": validate.validate_process,
        "resources": validate.validate_resources,
        "state": validate.validate_state,
    }[document]
    try:
        check(value)
    except ConfigError as exc:
        assert exc.pointer == "" or exc.pointer.startswith("/")
        assert "\n" not in str(exc)


@pytest.mark.parametrize("value", [None, [], "x", 1, 1.0, True, {}, {"ociVersion": None}])
def test_odd_top_levels_agree(value: object) -> None:
    for document in DOCUMENTS:
        _agree(document, value)


def _ecma(regex: str) -> re.Pattern[str]:
    return re.compile(regex[:-1] + r"\Z" if regex.endswith("$") else regex)


VERSION_ALPHABET = st.sampled_from("0123456789.-+abcXYZ\n ٣")
# st.from_regex is very slow on this expression; build SemVer-shaped text directly instead.
IDENTS = st.lists(st.text(st.sampled_from("0aZ-9"), min_size=0, max_size=3), min_size=1, max_size=3).map(
    ".".join
)
VERSION_TEXT = st.one_of(
    st.builds(
        lambda minor, patch, pre, build: f"1.{minor}.{patch}{pre}{build}",
        st.integers(0, 4),
        st.sampled_from(["0", "2", "10", "01"]),
        st.one_of(st.just(""), IDENTS.map("-".__add__)),
        st.one_of(st.just(""), IDENTS.map("+".__add__)),
    ),
    st.text(VERSION_ALPHABET, max_size=14),
    st.builds(
        lambda a, b, c, tail: f"{a}.{b}.{c}{tail}",
        st.integers(0, 12),
        st.integers(0, 12),
        st.sampled_from(["0", "00", "01", "7", "10", ""]),
        st.sampled_from(["", "-dev", "+dev", "-rc.1+b.2", "-", "+", "-a..b", "\n", "-x_y"]),
    ),
)


def test_every_schema_pattern_has_a_tested_twin() -> None:
    assert list(patterns.PATTERNS) == [patterns.OCI_VERSION_RE]


@settings(max_examples=1500, deadline=None)
@given(text=VERSION_TEXT)
def test_oci_version_twin_agrees_with_its_regex(text: str) -> None:
    regex = patterns.OCI_VERSION_RE
    assert patterns.is_oci_version(text) == bool(_ecma(regex).search(text)), text


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("1.0.0", True),
        ("1.0.2-dev", True),
        ("1.0.2", True),
        ("1.1.0-rc.3", True),
        ("1.2.1", True),
        ("1.3.0", True),
        ("1.3.0+dev", True),
        ("1.3.12", True),
        ("1.0.0-rc5", False),
        ("1.4.0", False),
        ("2.0.0", False),
        ("0.2.0", False),
        ("1.3", False),
        ("1.03.0", False),
        ("1.0.2\n", False),
        ("", False),
    ],
)
def test_oci_versions(version: str, ok: bool) -> None:
    assert patterns.is_oci_version(version) is ok
    assert (fastcheck.check("config", {"ociVersion": version}) is None) is ok


def test_unknown_properties_lists_pointers_and_escapes() -> None:
    cfg = {
        "ociVersion": "1.3.0",
        "x/y": 1,
        "process": {
            "cwd": "/",
            "futureThing": True,
            "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1, "z~": 0}],
        },
        "linux": {"resources": {"memory": {"limit": 1, "newKnob": 2}}, "sysctl": {"a.b": "1"}},
        "annotations": {"anything": "goes"},
    }
    assert fastcheck.unknown_properties("config", cfg) == [
        "/x~1y",
        "/process/futureThing",
        "/process/rlimits/0/z~0",
        "/linux/resources/memory/newKnob",
    ]


def test_unknown_properties_tolerates_wrong_types() -> None:
    assert fastcheck.unknown_properties("config", {"process": [], "linux": "x", "mounts": {}}) == []
    assert fastcheck.unknown_properties("config", []) == []
