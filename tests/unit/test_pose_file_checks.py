"""Each kind of mistake in a pose file is one problem naming the file and the entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.test_poses import _file, _problems

Edit = Callable[[dict[str, Any]], None]
START = "r.yaml: steps.march.start: "
END = "r.yaml: steps.march.end: "
LYING = "r.yaml: poses.lying: "


def _start(key: str, value: object) -> Edit:
    return lambda data: data["steps"]["march"]["start"].__setitem__(key, value)


def _end(key: str, value: object) -> Edit:
    return lambda data: data["steps"]["march"]["end"].__setitem__(key, value)


def _lying(key: str, value: object) -> Edit:
    return lambda data: data["poses"]["lying"].__setitem__(key, value)


def _step(key: str, value: object) -> Edit:
    return lambda data: data["steps"]["march"].__setitem__(key, value)


def _without(key: str) -> Edit:
    return lambda data: data["steps"]["march"].pop(key)


CASES: list[tuple[str, Edit, str]] = [
    ("pose not a mapping", _step("start", "lying"), START + "a pose must be a mapping"),
    ("bad view", _start("view", "top"), START + "view must be side or front, not 'top'"),
    ("view differs", _start("view", "front"), START + "view front differs from the side view"),
    ("unknown field", _lying("colour", "red"), LYING + "unknown field 'colour' for a side view"),
    ("limb not mapping", _lying("near_leg", 3), LYING + "near_leg must be a mapping of joint"),
    ("joint not number", _end("near_leg", {"knee": "x"}), END + "near_leg.knee must be a number"),
    ("segment not number", _lying("trunk", "flat"), LYING + "trunk must be a number of degrees"),
    ("at not mapping", _start("at", [0, 0]), START + "at must be {x: cm, y: cm | floor | seat}"),
    ("at.x", _start("at", {"x": "left", "y": "floor"}), START + "at.x must be a number of cm"),
    ("at.y", _start("at", {"x": 0, "y": "sky"}), START + "at.y must be a number, floor or seat"),
    ("label not text", _start("label", 3), START + "label must be text"),
    ("contacts not list", _end("contacts", "low_back"), END + "contacts must be a list of point"),
    ("unknown contact", _end("contacts", ["tail"]), END + "contacts name no point: tail"),
    ("props", _step("props", ["chair"]), "r.yaml: steps.march: props must be a mapping"),
    ("unknown prop", _step("props", {"sofa": 0}), "r.yaml: steps.march: unknown prop 'sofa'"),
    (
        "prop without x",
        _step("props", {"chair": "near"}),
        "r.yaml: steps.march: prop chair needs an x",
    ),
    ("step field", _step("colour", 1), "r.yaml: steps.march: unknown field(s) colour"),
    ("no moves", _without("moves"), "r.yaml: steps.march: missing field 'moves'"),
    ("moves empty", _step("moves", []), "r.yaml: steps.march: moves must be a non-empty list"),
]


@pytest.mark.parametrize(("edit", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_mistake_in_a_pose_file_is_named_with_file_and_entry(edit: Edit, problem: str) -> None:
    data = _file()
    edit(data)
    problems = _problems(data)
    assert any(p.startswith(problem) for p in problems), problems
