"""PoseParser: how one pose spec, its props and its arrows become data, and the exact problem
named (as 'file: entry: problem') for each thing that is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.pose_parse import PoseParser
from bot.core.poses import BODY, JOINTS, LABEL_MAX, PROPS, Arrow, Body, Props
from bot.core.skeleton import skeleton

F, E = "f.yaml", "steps.s.start"
STAND: dict[str, Any] = {"view": "side", "at": {"x": 0, "y": "floor"}, "label": "Stand"}


def _parser(**bases: dict[str, Any]) -> PoseParser:
    p = PoseParser(BODY)
    for name, raw in bases.items():
        p.bases[name] = ("base.yaml", raw)
    return p


def _flat_problems(raw: object, **bases: dict[str, Any]) -> list[str]:
    p = _parser(**bases)
    assert p.flat(raw, F, E) is None
    return p.rep.problems


# ---------------------------------------------------------------- one pose spec


def test_a_pose_spec_becomes_view_position_angles_label_and_contacts() -> None:
    p = _parser()
    raw = {
        "view": "side",
        "at": {"x": 3, "y": "floor"},
        "trunk": 80,
        "near_leg": {"hip": 20, "knee": 10.5},
        "label": "  Lean   forward ",
        "contacts": ["near_heel", "far_heel"],
    }
    flat = p.flat(raw, F, E)
    assert p.rep.problems == []
    assert flat is not None
    assert flat.view == "side"
    assert flat.at == {"x": 3, "y": "floor"}
    assert flat.angles == {"trunk": 80.0, "near_leg.hip": 20.0, "near_leg.knee": 10.5}
    assert all(isinstance(v, float) for v in flat.angles.values())
    assert flat.label == "Lean forward"
    assert flat.contacts == ("near_heel", "far_heel")


def test_a_pose_like_a_named_one_keeps_its_values_and_overrides_what_it_gives() -> None:
    base = {
        "view": "side",
        "at": {"x": 0, "y": "floor"},
        "spine": 10,
        "near_leg": {"hip": 30, "knee": 20},
        "label": "Base",
        "contacts": ["near_heel"],
    }
    p = _parser(base=base)
    flat = p.flat({"like": "base", "near_leg": {"knee": 40}, "at": {"x": 9}}, F, E)
    assert p.rep.problems == []
    assert flat is not None
    assert flat.view == "side"
    assert flat.at == {"x": 9, "y": "floor"}
    assert flat.angles == {"spine": 10.0, "near_leg.hip": 30.0, "near_leg.knee": 40.0}
    assert flat.label == "Base"
    assert flat.contacts == ("near_heel",)
    assert p.used == {"base"}


def test_like_start_copies_the_start_pose_of_the_picture() -> None:
    p = _parser()
    start = p.flat({**STAND, "neck": 5, "contacts": ["hip"]}, F, E)
    assert start is not None
    end = p.flat({"like": "start", "neck": 15}, F, "steps.s.end", start)
    assert end is not None
    assert (end.view, end.at, end.label, end.contacts) == (
        "side",
        {"x": 0, "y": "floor"},
        "Stand",
        ("hip",),
    )
    assert end.angles == {"neck": 15.0}
    assert start.angles == {"neck": 5.0}  # the start pose itself is not changed


def test_like_start_outside_a_picture_names_no_pose() -> None:
    assert _flat_problems({"like": "start", "label": "x"}) == [
        "f.yaml: steps.s.start: 'like' names no pose: 'start'"
    ]
    assert _flat_problems({"like": 3}) == ["f.yaml: steps.s.start: 'like' names no pose: 3"]


def test_a_problem_in_a_base_pose_is_named_where_the_base_is_written() -> None:
    problems = _flat_problems({"like": "base"}, base={"view": "top", "label": "B"})
    assert problems == ["base.yaml: poses.base: view must be side or front, not 'top'"]


def test_a_like_chain_that_loops_is_named_with_the_whole_chain() -> None:
    problems = _flat_problems(
        {"like": "a"}, a={"like": "b"}, b={"like": "c"}, c={"like": "a", "view": "side"}
    )
    assert problems == ["base.yaml: poses.c: 'like' loops: a -> b -> c -> a"]


def test_a_pose_without_a_view_of_its_own_or_from_its_base_is_a_problem() -> None:
    assert _flat_problems({"label": "x"}) == [
        "f.yaml: steps.s.start: view must be side or front, not None"
    ]


def test_a_view_that_differs_from_the_base_is_named_with_both() -> None:
    assert _flat_problems({"like": "base", "view": "front"}, base=dict(STAND)) == [
        "f.yaml: steps.s.start: view front differs from the side view it is like"
    ]


def test_a_front_pose_may_repeat_its_bases_view() -> None:
    p = _parser(base={"view": "front", "label": "B"})
    flat = p.flat({"like": "base", "view": "front", "right_leg": {"flexion": 20}}, F, E)
    assert flat is not None and flat.view == "front"
    assert flat.angles == {"right_leg.flexion": 20.0}


def test_every_field_foreign_to_the_view_is_named() -> None:
    raw = {"view": "front", "trunk": 90, "near_leg": {"hip": 10}, "label": "x"}
    assert _flat_problems(raw) == [
        "f.yaml: steps.s.start: unknown field 'trunk' for a front view",
        "f.yaml: steps.s.start: unknown field 'near_leg' for a front view",
    ]


def test_every_bad_joint_of_a_limb_is_named_and_the_good_ones_do_not_hide_them() -> None:
    raw = {**STAND, "near_leg": {"hip": 10, "toes": 5, "knee": "bent", "ankle": True}}
    assert _flat_problems(raw) == [
        "f.yaml: steps.s.start: near_leg has no joint 'toes'",
        "f.yaml: steps.s.start: near_leg.knee must be a number of degrees",
        "f.yaml: steps.s.start: near_leg.ankle must be a number of degrees",
    ]


def test_a_joint_of_another_limb_is_not_a_joint_of_this_one() -> None:
    assert _flat_problems({**STAND, "near_arm": {"knee": 10}}) == [
        "f.yaml: steps.s.start: near_arm has no joint 'knee'"
    ]


def test_a_limb_that_is_not_a_mapping_does_not_stop_the_other_checks() -> None:
    raw = {**STAND, "far_arm": [10], "spine": "x", "neck": False}
    assert _flat_problems(raw) == [
        "f.yaml: steps.s.start: far_arm must be a mapping of joint angles",
        "f.yaml: steps.s.start: spine must be a number of degrees",
        "f.yaml: steps.s.start: neck must be a number of degrees",
    ]


@pytest.mark.parametrize("at", [[0, 0], "floor", {"x": 0, "z": 1}, {"y": 0, "dx": 1}])
def test_at_must_be_a_mapping_of_x_and_y(at: object) -> None:
    assert _flat_problems({**STAND, "at": at}) == [
        "f.yaml: steps.s.start: at must be {x: cm, y: cm | floor | seat}"
    ]


@pytest.mark.parametrize("label", [3, "", "   ", None])
def test_a_label_must_be_some_text(label: object) -> None:
    assert _flat_problems({**STAND, "label": label}) == [
        "f.yaml: steps.s.start: label must be text"
    ]


def test_a_label_may_be_exactly_the_longest_allowed_once_its_spaces_are_squeezed() -> None:
    p = _parser()
    longest = "x" * (LABEL_MAX - 2) + "  y "  # 40 characters once squeezed
    flat = p.flat({**STAND, "label": longest}, F, E)
    assert flat is not None and flat.label == "x" * (LABEL_MAX - 2) + " y"
    assert _flat_problems({**STAND, "label": "x" * (LABEL_MAX + 1)}) == [
        f"f.yaml: steps.s.start: label is longer than {LABEL_MAX} characters"
    ]


@pytest.mark.parametrize("contacts", ["hip", ["hip", 3], {"hip": 1}])
def test_contacts_must_be_a_list_of_names(contacts: object) -> None:
    assert _flat_problems({**STAND, "contacts": contacts}) == [
        "f.yaml: steps.s.start: contacts must be a list of point names"
    ]


def test_every_contact_that_names_no_point_of_the_view_is_listed() -> None:
    raw = {**STAND, "contacts": ["hip", "tail", "left_knee", "near_toe"]}
    assert _flat_problems(raw) == ["f.yaml: steps.s.start: contacts name no point: tail, left_knee"]


def test_empty_contacts_replace_the_bases_contacts() -> None:
    p = _parser(base={**STAND, "contacts": ["near_heel"]})
    flat = p.flat({"like": "base", "contacts": []}, F, E)
    assert flat is not None and flat.contacts == ()
    plain = p.flat(dict(STAND), F, E)
    assert plain is not None and plain.contacts is None


# ---------------------------------------------------------------- placing a pose


def _place(raw: dict[str, Any], props: Props | None = None) -> tuple[Any, list[str]]:
    p = _parser()
    flat = p.flat(raw, F, E)
    assert flat is not None, p.rep.problems
    pose = p.place(flat, props or Props(), F, E)
    return pose, p.rep.problems


def test_a_placed_pose_has_every_joint_of_its_view_in_order_with_defaults() -> None:
    pose, problems = _place({**STAND, "at": {"x": 4, "y": 120}, "near_leg": {"knee": 30}})
    assert problems == []
    assert [name for name, _ in pose.angles] == [j.name for j in JOINTS["side"]]
    angles = dict(pose.angles)
    assert angles["near_leg.knee"] == 30.0
    assert angles["trunk"] == 90.0  # the default of the trunk
    assert angles["far_leg.knee"] == 0.0
    assert (pose.view, pose.x, pose.y, pose.label, pose.contacts) == (
        "side",
        4.0,
        120.0,
        "Stand",
        (),
    )


def test_a_pose_on_the_floor_is_lifted_until_its_lowest_part_touches_it() -> None:
    pose, problems = _place({**STAND, "at": {"x": 2, "y": "floor"}, "near_leg": {"hip": 40}})
    assert problems == []
    assert skeleton(pose).lowest() == pytest.approx(0.0)
    assert (pose.view, pose.x, pose.label) == ("side", 2.0, "Stand")
    assert dict(pose.angles)["near_leg.hip"] == 40.0
    assert pose.y == pytest.approx(BODY.thigh + BODY.shin + BODY.heel + BODY.radius)


def test_a_pose_on_the_seat_sits_on_the_chair_by_its_thickness() -> None:
    raw = {
        **STAND,
        "at": {"x": 0, "y": "seat"},
        "near_leg": {"hip": 90, "knee": 60},
        "far_leg": {"hip": 90, "knee": 60},
        "contacts": ["hip"],
    }
    pose, problems = _place(raw, Props(chair=10.0))
    assert problems == []
    assert pose.y == PROPS.seat_height + BODY.radius
    assert (pose.view, pose.x, pose.label, pose.contacts) == ("side", 0.0, "Stand", ("hip",))
    assert dict(pose.angles)["near_leg.knee"] == 60.0
    _, problems = _place(raw)
    assert problems == ["f.yaml: steps.s.start: at.y is seat but the picture has no chair"]


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        ({"y": 100}, "at.x must be a number of cm"),
        ({"x": True, "y": 100}, "at.x must be a number of cm"),
        ({"x": 0, "y": "sky"}, "at.y must be a number, floor or seat, not 'sky'"),
        ({"x": 0}, "at.y must be a number, floor or seat, not None"),
        ({"x": 0, "y": False}, "at.y must be a number, floor or seat, not False"),
    ],
)
def test_a_pose_needs_a_number_for_x_and_a_height_for_y(
    at: dict[str, object], problem: str
) -> None:
    pose, problems = _place({**STAND, "at": at})
    assert pose is None
    assert problems == [f"f.yaml: steps.s.start: {problem}"]


def test_a_pose_without_a_label_is_not_placed() -> None:
    p = _parser()
    flat = p.flat({"view": "side", "at": {"x": 0, "y": 100}}, F, E)
    assert flat is not None
    assert p.place(flat, Props(), F, E) is None
    assert p.rep.problems == ["f.yaml: steps.s.start: missing field 'label'"]


def test_every_range_and_placement_problem_of_a_pose_is_named() -> None:
    raw = {**STAND, "at": {"x": 0, "y": 50}, "neck": 60, "contacts": ["hip"]}
    pose, problems = _place(raw)
    assert pose is None
    assert problems[0] == "f.yaml: steps.s.start: neck is 60 degrees; a human range is -45 to 50"
    assert problems[1].startswith("f.yaml: steps.s.start: a part is ")
    assert problems[2] == "f.yaml: steps.s.start: contact hip at (0.0, 50.0) touches no surface"
    assert len(problems) == 3


def test_the_same_problem_is_named_only_once() -> None:
    p = _parser()
    p.rep.add(F, E, "once")
    p.rep.add(F, E, "once")
    p.rep.add(F, "other", "once")
    assert p.rep.problems == ["f.yaml: steps.s.start: once", "f.yaml: other: once"]


# ---------------------------------------------------------------- props


def test_props_are_optional_and_take_x_positions() -> None:
    p = _parser()
    assert p.props(None, F, E) == Props()
    got = p.props({"chair": 10, "wall": -5.5, "desk": 0, "cushion": 3}, F, E)
    assert got == Props(chair=10.0, wall=-5.5, desk=0.0, cushion=3.0)
    assert got is not None and isinstance(got.chair, float)
    assert p.rep.problems == []


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (["chair"], "props must be a mapping like {chair: 0}"),
        ({"chair": 0, "sofa": 1}, "unknown prop 'sofa'"),
        ({"sofa": "x"}, "unknown prop 'sofa'"),
        ({"wall": "near"}, "prop wall needs an x position in cm"),
        ({"desk": True}, "prop desk needs an x position in cm"),
    ],
)
def test_a_bad_prop_is_named(raw: object, problem: str) -> None:
    p = _parser()
    assert p.props(raw, F, E) is None
    assert p.rep.problems == [f"f.yaml: steps.s.start: {problem}"]


# ---------------------------------------------------------------- arrows


def _poses(dx: float = 0.0, **end: Any) -> tuple[PoseParser, Any, Any]:
    p = _parser()
    start_flat = p.flat(dict(STAND), F, E)
    assert start_flat is not None
    end_flat = p.flat(
        {"like": "start", "at": {"x": dx, "y": "floor"}, **end}, F, "steps.s.end", start_flat
    )
    assert end_flat is not None
    start = p.place(start_flat, Props(), F, E)
    finish = p.place(end_flat, Props(), F, "steps.s.end")
    assert start is not None and finish is not None, p.rep.problems
    return p, start, finish


def _arrow(raw: object, dx: float = 0.0, **end: Any) -> tuple[Arrow | None, list[str]]:
    p, start, finish = _poses(dx, **end)
    got = p.arrow(raw, "side", start, finish, F, "steps.s")
    return got, p.rep.problems


def test_a_point_name_is_a_path_arrow_for_that_point() -> None:
    got, problems = _arrow("near_hand", near_arm={"shoulder": 90})
    assert problems == []
    assert got == Arrow("path", "near_hand", 0.0, 0.0, (0.0, 0.0), False)


def test_an_arrow_keeps_its_bend_direction_offset_and_turn() -> None:
    got, _ = _arrow({"path": "near_hand", "bend": -0.5}, near_arm={"shoulder": 90})
    assert got == Arrow("path", "near_hand", bend=-0.5)
    got, _ = _arrow({"push": "hip", "direction": 45, "offset": [3, -2.5]})
    assert got == Arrow("push", "hip", direction=45.0, offset=(3.0, -2.5))
    assert got is not None and all(isinstance(v, float) for v in got.offset)
    got, _ = _arrow({"turn": "near_knee", "clockwise": True, "offset": [1, 0]})
    assert got == Arrow("turn", "near_knee", offset=(1.0, 0.0), clockwise=True)


def test_a_path_arrow_needs_its_point_to_travel_at_least_the_minimum() -> None:
    got, problems = _arrow("hip", dx=8.0)  # the hip moves exactly 8 cm
    assert problems == [] and got == Arrow("path", "hip")
    got, problems = _arrow("hip", dx=7.9)
    assert got is None
    assert problems == ["f.yaml: steps.s: arrow point hip moves only 7.9 cm; use push or turn"]
    got, problems = _arrow({"push": "hip"}, dx=0.0)  # a push or turn need no travel
    assert problems == [] and got == Arrow("push", "hip")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (3, "arrow must be a point name or a mapping"),
        ({"bend": 1}, "arrow needs exactly one of path, push or turn"),
        ({"path": "hip", "push": "hip"}, "arrow needs exactly one of path, push or turn"),
        ({"push": "hip", "bend": 1}, "unknown arrow field(s) for push: ['bend']"),
        (
            {"turn": "hip", "direction": 1, "bend": 2},
            "unknown arrow field(s) for turn: ['bend', 'direction']",
        ),
        ({"path": "hip", "offset": [0, 0]}, "unknown arrow field(s) for path: ['offset']"),
        ({"path": "hip", "clockwise": True}, "unknown arrow field(s) for path: ['clockwise']"),
        ({"turn": "hip", "direction": 5}, "unknown arrow field(s) for turn: ['direction']"),
        ({"push": "hip", "clockwise": False}, "unknown arrow field(s) for push: ['clockwise']"),
        ("right_knee", "arrow point 'right_knee' is no point of a side view"),
        ({"push": 3}, "arrow point 3 is no point of a side view"),
        ({"push": "hip", "offset": 3}, "arrow offset must be [dx, dy] in cm"),
        ({"push": "hip", "offset": [1, 2, 3]}, "arrow offset must be [dx, dy] in cm"),
        ({"push": "hip", "offset": [1]}, "arrow offset must be [dx, dy] in cm"),
        ({"push": "hip", "offset": [1, "up"]}, "arrow offset must be [dx, dy] in cm"),
        ({"turn": "hip", "offset": ["x", 1]}, "arrow offset must be [dx, dy] in cm"),
        ({"push": "hip", "offset": [True, 1]}, "arrow offset must be [dx, dy] in cm"),
        (
            {"path": "hip", "bend": "much"},
            "arrow bend and direction are numbers, clockwise true/false",
        ),
        (
            {"push": "hip", "direction": "up"},
            "arrow bend and direction are numbers, clockwise true/false",
        ),
        (
            {"turn": "hip", "clockwise": "yes"},
            "arrow bend and direction are numbers, clockwise true/false",
        ),
        (
            {"turn": "hip", "clockwise": 1},
            "arrow bend and direction are numbers, clockwise true/false",
        ),
    ],
)
def test_a_bad_arrow_is_named_with_file_and_entry(raw: object, problem: str) -> None:
    got, problems = _arrow(raw, dx=20.0)
    assert got is None
    assert problems == [f"f.yaml: steps.s: {problem}"]


def test_the_default_arrow_follows_the_point_that_travels_furthest() -> None:
    p, start, finish = _poses(near_arm={"shoulder": 90, "elbow": 30}, near_leg={"hip": 10})
    moves = ("near_upper_arm", "near_lower_arm", "near_thigh")
    assert p.default_arrow("side", start, finish, moves, F, "steps.s") == Arrow(
        "path", "near_wrist"
    )
    no_forearm = ("near_upper_arm", "near_thigh")
    assert p.default_arrow("side", start, finish, no_forearm, F, "steps.s") == Arrow(
        "path", "near_elbow"
    )
    assert p.rep.problems == []


def test_the_default_arrow_needs_the_moving_part_to_travel() -> None:
    p, start, finish = _poses(dx=7.9)
    assert p.default_arrow("side", start, finish, ("pelvis",), F, "steps.s") is None
    assert p.rep.problems == [
        "f.yaml: steps.s: the moving part travels too little for a path arrow"
    ]
    p, start, finish = _poses(dx=8.0)
    assert p.default_arrow("side", start, finish, ("pelvis",), F, "steps.s") == Arrow(
        "path", "low_back"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"colour": "red"}, "unknown field 'colour' for a side view"),
        ({"near_leg.knee": 10}, "unknown field 'near_leg.knee' for a side view"),
        ({"near_leg": 5}, "near_leg must be a mapping of joint angles"),
        ({"near_leg": {"toes": 5}}, "near_leg has no joint 'toes'"),
        ({"near_leg": {"knee": "bent"}}, "near_leg.knee must be a number of degrees"),
        ({"spine": "bent"}, "spine must be a number of degrees"),
        ({"at": "floor"}, "at must be {x: cm, y: cm | floor | seat}"),
        ({"label": ""}, "label must be text"),
        ({"label": "x" * (LABEL_MAX + 1)}, f"label is longer than {LABEL_MAX} characters"),
        ({"contacts": "hip"}, "contacts must be a list of point names"),
        ({"contacts": ["tail"]}, "contacts name no point: tail"),
    ],
)
def test_a_single_mistake_is_enough_to_reject_the_pose(
    change: dict[str, object], problem: str
) -> None:
    assert _flat_problems({**STAND, **change}) == [f"f.yaml: steps.s.start: {problem}"]


def test_a_named_pose_cannot_be_like_the_start_of_the_picture_using_it() -> None:
    p = _parser(base={"like": "start", "label": "B"})
    start = p.flat(dict(STAND), F, E)
    assert start is not None
    assert p.flat({"like": "base"}, F, "steps.s.end", start) is None
    assert p.rep.problems == ["base.yaml: poses.base: 'like' names no pose: 'start'"]


def test_a_pose_is_lifted_and_checked_with_the_parsers_own_body() -> None:
    body = Body(thigh=60.0, radius=4.0)
    p = PoseParser(body)
    flat = p.flat(dict(STAND), F, E)
    assert flat is not None
    pose = p.place(flat, Props(), F, E)
    assert pose is not None
    assert pose.y == pytest.approx(60.0 + BODY.shin + BODY.heel + 4.0)
    low = p.flat({**STAND, "at": {"x": 0, "y": BODY.thigh + BODY.shin + BODY.heel + 4.0}}, F, E)
    assert low is not None
    assert p.place(low, Props(), F, E) is None
    assert p.rep.problems == ["f.yaml: steps.s.start: a part is 16.0 cm below the floor"]


def test_arrow_travel_is_measured_on_the_parsers_own_body() -> None:
    p = PoseParser(Body(thigh=BODY.thigh + 16.0))
    start_flat = p.flat({**STAND, "at": {"x": 0, "y": 200}}, F, E)
    assert start_flat is not None
    end_flat = p.flat({"like": "start", "at": {"x": 7.9}}, F, "steps.s.end", start_flat)
    assert end_flat is not None
    start = p.place(start_flat, Props(), F, E)
    end = p.place(end_flat, Props(), F, "steps.s.end")
    assert start is not None and end is not None
    assert p.arrow("near_knee", "side", start, end, F, "steps.s") is None
    assert p.default_arrow("side", start, end, ("near_thigh",), F, "steps.s") is None
    assert p.rep.problems == [
        "f.yaml: steps.s: arrow point near_knee moves only 7.9 cm; use push or turn",
        "f.yaml: steps.s: the moving part travels too little for a path arrow",
    ]
