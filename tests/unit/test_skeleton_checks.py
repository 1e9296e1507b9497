"""The checks on a placed figure: the surfaces it may rest on, when a point rests on one, joints
outside the human range and parts below the floor or contacts touching nothing."""

from __future__ import annotations

import math

import pytest

from bot.core.poses import (
    BODY,
    CONTACT_TOLERANCE,
    JOINTS,
    PROPS,
    Body,
    Pose,
    Props,
    PropSizes,
    View,
)
from bot.core.skeleton import limit_problems, placement_problems, skeleton, surfaces, touches

P = PROPS
# the lowest point of a default standing side figure is its heel, this far below the hip
STAND = BODY.thigh + BODY.shin + BODY.heel + BODY.radius


def _pose(
    view: str = "side",
    x: float = 0.0,
    y: float = STAND,
    contacts: tuple[str, ...] = (),
    **angles: float,
) -> Pose:
    v: View = "side" if view == "side" else "front"
    values = {j.name: j.default for j in JOINTS[v]}
    for key, value in angles.items():
        name = key.replace("__", ".")
        assert name in values, name
        values[name] = value
    return Pose(v, x, y, tuple(values.items()), "label", contacts)


# ---------------------------------------------------------------- surfaces


def test_the_floor_is_always_a_surface_and_comes_first() -> None:
    assert surfaces("side", Props()) == [("floor", "y", 0.0, -1e9, 1e9)]
    assert surfaces("front", Props())[0] == ("floor", "y", 0.0, -1e9, 1e9)


def test_a_side_chair_seat_runs_back_from_its_front_edge() -> None:
    assert surfaces("side", Props(chair=20.0))[1] == (
        "chair seat",
        "y",
        P.seat_height,
        20.0 - P.seat_depth,
        20.0,
    )


def test_a_front_chair_seat_is_centred_on_its_position() -> None:
    assert surfaces("front", Props(chair=20.0))[1] == (
        "chair seat",
        "y",
        P.seat_height,
        20.0 - P.front_seat_width / 2,
        20.0 + P.front_seat_width / 2,
    )


def test_desk_cushion_and_wall_surfaces_follow_the_floor_and_seat_in_order() -> None:
    got = surfaces("side", Props(chair=0.0, wall=90.0, desk=40.0, cushion=-10.0))
    assert [s[0] for s in got] == ["floor", "chair seat", "desk", "cushion", "wall"]
    assert got[2] == ("desk", "y", P.desk_height, 40.0 - P.desk_width / 2, 40.0 + P.desk_width / 2)
    assert got[3] == (
        "cushion",
        "y",
        P.cushion_height,
        -10.0 - P.cushion_width / 2,
        -10.0 + P.cushion_width / 2,
    )
    assert got[4] == ("wall", "x", 90.0, 0.0, P.wall_height)


def test_a_prop_at_x_zero_is_still_there() -> None:
    names = [s[0] for s in surfaces("front", Props(chair=0.0, wall=0.0, desk=0.0, cushion=0.0))]
    assert names == ["floor", "chair seat", "desk", "cushion", "wall"]


def test_surfaces_take_the_prop_sizes_given() -> None:
    sizes = PropSizes(seat_height=40.0, seat_depth=30.0, desk_height=70.0, desk_width=60.0)
    got = surfaces("side", Props(chair=10.0, desk=0.0), sizes)
    assert got[1] == ("chair seat", "y", 40.0, -20.0, 10.0)
    assert got[2] == ("desk", "y", 70.0, -30.0, 30.0)
    cushion = surfaces(
        "side", Props(cushion=0.0), PropSizes(cushion_width=10.0, cushion_height=3.0)
    )
    assert cushion[1] == ("cushion", "y", 3.0, -5.0, 5.0)
    wall = surfaces("side", Props(wall=5.0), PropSizes(wall_height=150.0))
    assert wall[1] == ("wall", "x", 5.0, 0.0, 150.0)


# ---------------------------------------------------------------- touching


SEAT = ("chair seat", "y", 46.0, -10.0, 30.0)
WALL = ("wall", "x", 80.0, 0.0, 200.0)


def test_a_point_rests_on_a_level_surface_when_its_underside_is_on_it() -> None:
    assert touches((0.0, 46.0 + 2.5), SEAT, 2.5)
    assert touches((0.0, 46.0 + 2.5 + CONTACT_TOLERANCE), SEAT, 2.5)
    assert touches((0.0, 46.0 + 2.5 - CONTACT_TOLERANCE), SEAT, 2.5)
    assert not touches((0.0, 46.0 + 2.5 + CONTACT_TOLERANCE + 0.01), SEAT, 2.5)
    assert not touches((0.0, 46.0 + 2.5 - CONTACT_TOLERANCE - 0.01), SEAT, 2.5)
    assert not touches((0.0, 46.0), SEAT, 2.5)  # sunk into the seat by its thickness


def test_a_point_beside_a_level_surface_does_not_rest_on_it() -> None:
    assert touches((-10.0, 48.5), SEAT, 2.5)
    assert touches((30.0, 48.5), SEAT, 2.5)
    assert not touches((-10.01, 48.5), SEAT, 2.5)
    assert not touches((30.01, 48.5), SEAT, 2.5)


def test_a_point_rests_on_a_wall_when_its_side_is_against_it() -> None:
    assert touches((80.0 - 2.5, 100.0), WALL, 2.5)
    assert touches((80.0 - 2.5 - CONTACT_TOLERANCE, 100.0), WALL, 2.5)
    assert touches((80.0 - 2.5 + CONTACT_TOLERANCE, 100.0), WALL, 2.5)
    assert not touches((80.0 - 2.5 - CONTACT_TOLERANCE - 0.01, 100.0), WALL, 2.5)
    assert not touches((80.0 - 2.5 + CONTACT_TOLERANCE + 0.01, 100.0), WALL, 2.5)
    assert not touches((80.0 + 2.5, 100.0), WALL, 2.5)  # behind the wall


def test_a_wall_reaches_from_the_floor_to_its_height() -> None:
    assert touches((77.5, 0.0), WALL, 2.5)
    assert touches((77.5, 200.0), WALL, 2.5)
    assert not touches((77.5, -0.01), WALL, 2.5)
    assert not touches((77.5, 200.01), WALL, 2.5)
    # a wall is not a floor: its level is an x position
    assert not touches((0.0, 80.0 + 2.5), WALL, 2.5)


# ---------------------------------------------------------------- joint limits


def test_a_pose_inside_every_range_has_no_limit_problem() -> None:
    assert limit_problems(_pose()) == []
    assert limit_problems(_pose("front")) == []


def test_the_ends_of_a_range_are_inside_it() -> None:
    assert limit_problems(_pose(near_leg__knee=0, far_leg__knee=150, spine=-30, neck=50)) == []
    assert limit_problems(_pose("front", left_leg__hip=-20, right_leg__hip=45)) == []


def test_a_joint_just_outside_its_range_is_named_with_its_value_and_range() -> None:
    assert limit_problems(_pose(near_leg__knee=150.5)) == [
        "near_leg.knee is 150.5 degrees; a human range is 0 to 150"
    ]
    assert limit_problems(_pose(near_leg__knee=-0.5)) == [
        "near_leg.knee is -0.5 degrees; a human range is 0 to 150"
    ]


def test_limit_problems_come_in_joint_order() -> None:
    got = limit_problems(_pose("front", left_arm__elbow=-5, pelvis=16, right_leg__flexion=-30))
    assert got == [
        "pelvis is 16 degrees; a human range is -15 to 15",
        "right_leg.flexion is -30 degrees; a human range is -25 to 125",
        "left_arm.elbow is -5 degrees; a human range is 0 to 150",
    ]


# ---------------------------------------------------------------- placement


def test_a_figure_standing_on_the_floor_has_no_placement_problem() -> None:
    pose = _pose(contacts=("near_heel", "far_heel", "near_toe"))
    assert skeleton(pose).lowest() == pytest.approx(0.0)
    assert placement_problems(pose, Props()) == []


def test_a_figure_sunk_by_the_tolerance_is_still_on_the_floor() -> None:
    sunk = _pose(y=STAND - CONTACT_TOLERANCE)
    assert skeleton(sunk).lowest() == -CONTACT_TOLERANCE
    assert placement_problems(sunk, Props()) == []
    assert placement_problems(_pose(y=STAND - CONTACT_TOLERANCE - 0.2), Props()) == [
        "a part is 1.7 cm below the floor"
    ]


def test_a_contact_in_the_air_is_named_with_where_it_is() -> None:
    pose = _pose(y=STAND + 10.0, contacts=("near_heel", "hip"))
    assert placement_problems(pose, Props()) == [
        "contact near_heel at (0.0, 12.5) touches no surface",
        f"contact hip at (0.0, {STAND + 10.0:.1f}) touches no surface",
    ]


def test_a_head_contact_is_measured_with_the_heads_thickness() -> None:
    # lying face up, trunk level: the head is as high as the low back, below the hip
    head_below_hip = -BODY.pelvis * math.sin(math.radians(180 + BODY.pelvis_offset))
    y = BODY.head + head_below_hip
    lying = _pose(trunk=180.0, y=y, contacts=("head",))
    assert skeleton(lying).point("head")[1] == pytest.approx(BODY.head)
    assert placement_problems(lying, Props()) == []
    raised = _pose(trunk=180.0, y=y + 2 * CONTACT_TOLERANCE, contacts=("head",))
    assert len(placement_problems(raised, Props())) == 1


def test_contacts_may_rest_on_a_prop_instead_of_the_floor() -> None:
    legs = {
        f"{side}_leg__{joint}": 90.0 if joint == "hip" else 60.0
        for side in ("near", "far")
        for joint in ("hip", "knee")
    }
    seated = _pose("side", 0.0, P.seat_height + BODY.radius, ("hip",), **legs)
    assert placement_problems(seated, Props(chair=10.0)) == []
    assert placement_problems(seated, Props(chair=-10.0)) == [
        f"contact hip at (0.0, {P.seat_height + BODY.radius:.1f}) touches no surface"
    ]


def test_placement_is_checked_with_the_body_given() -> None:
    pose = _pose(contacts=("near_heel",))
    assert placement_problems(pose, Props()) == []
    long_legs = Body(thigh=BODY.thigh + 10.0)
    assert placement_problems(pose, Props(), long_legs) == [
        "a part is 10.0 cm below the floor",
        "contact near_heel at (0.0, -7.5) touches no surface",
    ]
    higher = _pose(y=STAND + 10.0, contacts=("near_heel",))
    assert placement_problems(higher, Props(), long_legs) == []
