"""runc's update treats 0 as "unchanged" (docker's shim sends every other field as 0)."""

from pyrunc.runtime.cgroupcmds import drop_unset


def test_docker_style_document_keeps_only_what_was_asked():
    doc = {
        "memory": {"limit": 0, "reservation": 0, "swap": 0, "swappiness": 0},
        "cpu": {"shares": 0, "quota": 0, "period": 0, "cpus": "", "mems": ""},
        "pids": {"limit": 33},
        "blockIO": {"weight": 0},
    }
    assert drop_unset(doc) == {"memory": {"swappiness": 0}, "pids": {"limit": 33}}


def test_non_zero_values_and_other_sections_pass_through():
    doc = {
        "memory": {"limit": 1 << 20},
        "devices": [{"allow": False, "access": "rwm"}],
        "unified": {"a": "0"},
    }
    assert drop_unset(doc) == doc
