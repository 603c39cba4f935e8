"""pyrunc.jsonio agrees with the stdlib json on what it accepts and what it produces."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyrunc import jsonio

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300)
@given(values)
def test_round_trip_matches_stdlib(value):
    text = jsonio.dumps(value)
    assert json.loads(text) == value
    assert jsonio.loads(text) == value
    assert jsonio.loads(jsonio.dumps(value, indent=2)) == value
    assert json.loads(json.dumps(value, indent=2)) == jsonio.loads(json.dumps(value, indent=2))


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_rejects_exactly_what_stdlib_rejects(text):
    try:
        expected = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        ok = True
    except (ValueError, RecursionError):
        ok = False
    if ok:
        assert jsonio.loads(text) == expected
    else:
        with pytest.raises(jsonio.JSONDecodeError):
            jsonio.loads(text)


@pytest.mark.parametrize(
    "bad", [b'{"id": "c1", "pi', b"[NaN]", b'{"a":1}x', b'"\\x"', b"\xff", b"", b"[" * 50000]
)
def test_errors_are_one_clean_line(bad):
    with pytest.raises(jsonio.JSONDecodeError) as info:
        jsonio.loads(bad)
    message = str(info.value)
    assert message.startswith(("invalid JSON", "invalid UTF-8")) and "\n" not in message
