"""PoseParser.picture: one step's start and end pose, props, moving parts and arrows, and the
problem named for each thing missing or wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.pose_parse import PoseParser
from bot.core.poses import BODY, Arrow, Picture, Props

F, E = "f.yaml", "steps.s"
STAND: dict[str, Any] = {"view": "side", "at": {"x": 0, "y": "floor"}, "label": "Stand"}
REACH: dict[str, Any] = {"like": "start", "near_arm": {"shoulder": 90}, "label": "Reach"}


def _raw(**changes: Any) -> dict[object, Any]:
    raw: dict[str, Any] = {"start": dict(STAND), "end": dict(REACH), "moves": ["near_arm"]}
    raw.update(changes)
    kept: dict[object, Any] = {k: v for k, v in raw.items() if v is not None}
    return kept


def _picture(raw: Mapping[object, object]) -> tuple[Picture | None, list[str]]:
    p = PoseParser(BODY)
    got = p.picture(raw, F, E)
    return got, p.rep.problems


def test_a_picture_holds_both_poses_the_moving_segments_and_the_arrow() -> None:
    got, problems = _picture(_raw(props={"wall": 80}))
    assert problems == []
    assert got is not None
    assert got.view == "side"
    assert (got.start.label, got.end.label) == ("Stand", "Reach")
    assert dict(got.end.angles)["near_arm.shoulder"] == 90.0
    assert dict(got.start.angles)["near_arm.shoulder"] == 0.0
    assert got.moves == ("near_upper_arm", "near_lower_arm", "near_hand")
    assert got.arrows == (Arrow("path", "near_hand"),)
    assert got.props == Props(wall=80.0)


def test_moves_expand_limbs_keep_their_order_and_drop_repeats() -> None:
    got, problems = _picture(_raw(moves=["near_lower_arm", "trunk", "near_arm", "trunk"]))
    assert problems == []
    assert got is not None
    assert got.moves == ("near_lower_arm", "trunk", "near_upper_arm", "near_hand")


def test_unknown_fields_of_a_picture_are_all_named_and_nothing_else_is_checked() -> None:
    raw = _raw(colour="red", size=2, moves=None)
    assert _picture(raw) == (None, ["f.yaml: steps.s: unknown field(s) colour, size"])


def test_the_first_missing_part_of_a_picture_is_named() -> None:
    assert _picture(_raw(start=None, moves=None)) == (
        None,
        ["f.yaml: steps.s: missing field 'start'"],
    )
    assert _picture(_raw(end=None)) == (None, ["f.yaml: steps.s: missing field 'end'"])
    assert _picture(_raw(moves=None)) == (None, ["f.yaml: steps.s: missing field 'moves'"])


def test_bad_props_and_a_bad_start_are_both_named_and_the_end_is_not_read() -> None:
    raw = _raw(props={"sofa": 1}, start={"view": "top"}, end={"view": "up"})
    assert _picture(raw) == (
        None,
        [
            "f.yaml: steps.s: unknown prop 'sofa'",
            "f.yaml: steps.s.start: view must be side or front, not 'top'",
        ],
    )
    _, problems = _picture(_raw(props={"sofa": 1}))
    assert problems == ["f.yaml: steps.s: unknown prop 'sofa'"]


def test_a_bad_end_is_named_under_the_end() -> None:
    assert _picture(_raw(end={"like": "start", "tail": 1})) == (
        None,
        ["f.yaml: steps.s.end: unknown field 'tail' for a side view"],
    )


def test_a_start_and_an_end_that_cannot_be_placed_are_both_named() -> None:
    raw = _raw(start={**STAND, "at": {"x": "a", "y": 0}}, end={**REACH, "at": {"x": "b"}})
    assert _picture(raw) == (
        None,
        [
            "f.yaml: steps.s.start: at.x must be a number of cm",
            "f.yaml: steps.s.end: at.x must be a number of cm",
        ],
    )


def test_start_and_end_must_be_drawn_in_one_view() -> None:
    front = {"view": "front", "at": {"x": 0, "y": "floor"}, "label": "Front"}
    assert _picture(_raw(end=front)) == (
        None,
        ["f.yaml: steps.s: start and end are drawn in different views"],
    )


def test_moves_must_be_a_non_empty_list() -> None:
    moves: object
    for moves in ([], "near_arm", {"near_arm": 1}):
        assert _picture(_raw(moves=moves)) == (
            None,
            ["f.yaml: steps.s: moves must be a non-empty list of segments or limbs"],
        )


def test_every_move_that_names_no_part_of_the_view_is_listed() -> None:
    assert _picture(_raw(moves=["tail", "near_arm", "left_leg"])) == (
        None,
        ["f.yaml: steps.s: moves names no segment or limb: tail, left_leg"],
    )


def test_one_arrow_or_a_list_of_arrows_may_be_given() -> None:
    got, problems = _picture(_raw(arrow={"push": "hip", "direction": 180}))
    assert problems == []
    assert got is not None and got.arrows == (Arrow("push", "hip", direction=180.0),)
    got, problems = _picture(_raw(arrow=["near_elbow", {"turn": "near_hand"}]))
    assert problems == []
    assert got is not None
    assert got.arrows == (Arrow("path", "near_elbow"), Arrow("turn", "near_hand"))


def test_every_bad_arrow_in_a_list_is_named_under_the_picture() -> None:
    raw = _raw(arrow=[{"push": "tail"}, "near_hand", {"turn": "hip", "bend": 1}])
    assert _picture(raw) == (
        None,
        [
            "f.yaml: steps.s: arrow point 'tail' is no point of a side view",
            "f.yaml: steps.s: unknown arrow field(s) for turn: ['bend']",
        ],
    )


def test_an_empty_arrow_list_is_a_bad_arrow() -> None:
    assert _picture(_raw(arrow=[])) == (
        None,
        ["f.yaml: steps.s: arrow must be a point name or a mapping"],
    )


def test_a_default_arrow_that_cannot_be_drawn_fails_the_picture() -> None:
    still = {"like": "start", "label": "Still"}
    assert _picture(_raw(end=still)) == (
        None,
        ["f.yaml: steps.s: the moving part travels too little for a path arrow"],
    )
