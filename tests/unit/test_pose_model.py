"""The pose model's vocabulary: the parts and points of each view, the point an arrow follows
for a moving part, joint lookup and picture file names."""

from __future__ import annotations

import pytest

from bot.core.poses import (
    ID_RE,
    JOINTS,
    Pose,
    View,
    distal_point,
    limb_groups,
    picture_candidates,
    picture_name,
    point_names,
    segment_names,
)
from bot.core.skeleton import skeleton


def test_the_side_view_has_near_and_far_limbs() -> None:
    assert limb_groups("side") == {
        "far_leg": ("far_thigh", "far_shin", "far_foot"),
        "far_arm": ("far_upper_arm", "far_lower_arm", "far_hand"),
        "near_leg": ("near_thigh", "near_shin", "near_foot"),
        "near_arm": ("near_upper_arm", "near_lower_arm", "near_hand"),
    }
    assert list(limb_groups("side")) == ["far_leg", "far_arm", "near_leg", "near_arm"]


def test_the_front_view_has_right_and_left_limbs() -> None:
    assert list(limb_groups("front")) == ["right_leg", "right_arm", "left_leg", "left_arm"]
    assert limb_groups("front")["left_arm"] == ("left_upper_arm", "left_lower_arm", "left_hand")


def test_segment_names_are_the_trunk_parts_then_every_limb_part() -> None:
    assert segment_names("side")[:4] == ("pelvis", "trunk", "neck", "head")
    assert segment_names("front")[:5] == ("pelvis", "trunk", "shoulders", "neck", "head")
    assert segment_names("side")[4:7] == ("far_thigh", "far_shin", "far_foot")
    assert len(segment_names("side")) == 4 + 12
    assert len(segment_names("front")) == 5 + 12


@pytest.mark.parametrize("view", ["side", "front"])
def test_segment_and_point_names_are_those_the_skeleton_draws(view: str) -> None:
    v: View = "side" if view == "side" else "front"
    pose = Pose(v, 0.0, 100.0, tuple((j.name, j.default) for j in JOINTS[v]), "x")
    skel = skeleton(pose)
    assert sorted(segment_names(v)) == sorted(s.name for s in skel.segments)
    assert sorted(point_names(v)) == sorted(name for name, _ in skel.points)


def test_point_names_list_trunk_points_then_each_sides_leg_and_arm_points() -> None:
    assert point_names("side") == (
        "hip",
        "low_back",
        "mid_back",
        "shoulder",
        "head",
        "far_knee",
        "far_ankle",
        "far_heel",
        "far_toe",
        "far_elbow",
        "far_wrist",
        "far_hand",
        "near_knee",
        "near_ankle",
        "near_heel",
        "near_toe",
        "near_elbow",
        "near_wrist",
        "near_hand",
    )
    assert point_names("front")[:4] == ("hip", "mid_back", "neck", "head")
    assert point_names("front")[4:11] == (
        "right_hip",
        "right_knee",
        "right_ankle",
        "right_foot",
        "right_shoulder",
        "right_elbow",
        "right_hand",
    )
    assert point_names("front")[11] == "left_hip"


@pytest.mark.parametrize(
    ("view", "segment", "point"),
    [
        ("side", "pelvis", "low_back"),
        ("side", "trunk", "shoulder"),
        ("side", "neck", "head"),
        ("side", "head", "head"),
        ("side", "near_thigh", "near_knee"),
        ("side", "far_shin", "far_heel"),
        ("side", "near_foot", "near_toe"),
        ("side", "far_upper_arm", "far_elbow"),
        ("side", "near_lower_arm", "near_wrist"),
        ("side", "far_hand", "far_hand"),
        ("front", "pelvis", "hip"),
        ("front", "trunk", "neck"),
        ("front", "shoulders", "neck"),
        ("front", "neck", "head"),
        ("front", "head", "head"),
        ("front", "left_thigh", "left_knee"),
        ("front", "right_shin", "right_foot"),
        ("front", "left_foot", "left_foot"),
        ("front", "right_upper_arm", "right_elbow"),
        ("front", "left_lower_arm", "left_hand"),
        ("front", "right_hand", "right_hand"),
    ],
)
def test_a_moving_part_is_followed_at_its_far_end(view: str, segment: str, point: str) -> None:
    v: View = "side" if view == "side" else "front"
    assert distal_point(v, segment) == point
    assert point in point_names(v)


def test_a_part_of_the_other_view_has_no_far_end() -> None:
    with pytest.raises(KeyError):
        distal_point("front", "near_thigh")
    with pytest.raises(KeyError):
        distal_point("side", "right_lower_arm")
    with pytest.raises(KeyError):
        distal_point("side", "shoulders")


def test_a_limb_part_named_without_a_side_still_has_its_far_end() -> None:
    assert distal_point("side", "upper_arm") == "elbow"
    assert distal_point("front", "lower_arm") == "hand"


def test_a_pose_looks_up_its_joint_angles_by_name() -> None:
    pose = Pose("side", 0.0, 0.0, (("trunk", 90.0), ("spine", -5.0)), "x")
    assert pose.angle("spine") == -5.0
    assert pose.angle("trunk") == 90.0
    with pytest.raises(KeyError, match="neck"):
        pose.angle("neck")


def test_picture_names_join_routine_step_and_variant_with_double_dashes() -> None:
    assert picture_name("desk-break", "neck-turn") == "desk-break--neck-turn"
    assert picture_name("desk-break", "neck-turn", "easier") == "desk-break--neck-turn--easier"
    assert picture_name("r", "s", "") == "r--s"
    assert picture_candidates("r", "s", "") == ["r--s"]
    assert picture_candidates("r", "s", "harder") == ["r--s--harder", "r--s"]


def test_ids_are_lowercase_words_joined_by_single_dashes() -> None:
    for good in ("a", "dead-bug", "step-2", "90-90"):
        assert ID_RE.match(good), good
    for bad in ("", "Dead-bug", "dead--bug", "-bug", "bug-", "dead bug", "dead_bug", "bug\n"):
        assert not ID_RE.match(bad), bad
