"""Forward kinematics: where every named point and drawn part of a figure lands.

Expected positions are worked out here from the body's segment lengths with plain
trigonometry, so a wrong angle, sign or length in the code shows as a moved point.
"""

from __future__ import annotations

import math

import pytest

from bot.core.poses import BODY, JOINTS, Body, Point, Pose, View
from bot.core.skeleton import Segment, Skeleton, skeleton

B = BODY
Y = 100.0  # the hip height used for figures that need not stand on anything


def _pose(view: str = "side", x: float = 0.0, y: float = Y, **angles: float) -> Pose:
    v: View = "side" if view == "side" else "front"
    values = {j.name: j.default for j in JOINTS[v]}
    for key, value in angles.items():
        name = key.replace("__", ".")
        assert name in values, name
        values[name] = value
    return Pose(v, x, y, tuple(values.items()), "label")


def _at(p: Point, degrees: float, length: float) -> Point:
    r = math.radians(degrees)
    return p[0] + length * math.cos(r), p[1] + length * math.sin(r)


def _close(got: Point, want: Point) -> None:
    assert got[0] == pytest.approx(want[0], abs=1e-6)
    assert got[1] == pytest.approx(want[1], abs=1e-6)


def _close_all(got: tuple[Point, ...], want: tuple[Point, ...]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        _close(g, w)


# ---------------------------------------------------------------- side view


def test_a_side_figure_with_default_angles_stands_upright_facing_right() -> None:
    skel = skeleton(_pose(x=10.0))
    hip = (10.0, Y)
    low_back = _at(hip, 90 + B.pelvis_offset, B.pelvis)
    shoulder = (low_back[0], low_back[1] + B.trunk)
    _close(skel.point("hip"), hip)
    _close(skel.point("low_back"), low_back)
    _close(skel.point("mid_back"), (low_back[0], low_back[1] + B.trunk / 2))
    _close(skel.point("shoulder"), shoulder)
    _close(skel.point("head"), (shoulder[0], shoulder[1] + B.neck + B.head))
    for side in ("near", "far"):
        _close(skel.point(f"{side}_knee"), (10.0, Y - B.thigh))
        _close(skel.point(f"{side}_ankle"), (10.0, Y - B.thigh - B.shin))
        heel_y = Y - B.thigh - B.shin - B.heel
        _close(skel.point(f"{side}_heel"), (10.0, heel_y))
        _close(skel.point(f"{side}_toe"), (10.0 + B.foot, heel_y))
        _close(skel.point(f"{side}_elbow"), (shoulder[0], shoulder[1] - B.upper_arm))
        wrist_y = shoulder[1] - B.upper_arm - B.lower_arm
        _close(skel.point(f"{side}_wrist"), (shoulder[0], wrist_y))
        _close(skel.point(f"{side}_hand"), (shoulder[0], wrist_y - B.hand))


def test_side_hip_flexion_swings_the_thigh_forward_and_the_knee_folds_the_shin_back() -> None:
    skel = skeleton(_pose(near_leg__hip=90, near_leg__knee=90, near_leg__ankle=20))
    knee = (B.thigh, Y)
    ankle = (B.thigh, Y - B.shin)
    heel = (B.thigh, Y - B.shin - B.heel)
    _close(skel.point("near_knee"), knee)
    _close(skel.point("near_ankle"), ankle)
    _close(skel.point("near_heel"), heel)
    # the foot leaves the heel at right angles to the shin, turned by the ankle angle
    _close(skel.point("near_toe"), _at(heel, -90 + 90 + 20, B.foot))
    # the far leg keeps its own (default) angles
    _close(skel.point("far_knee"), (0.0, Y - B.thigh))


def test_side_leg_angles_compose_along_the_leg() -> None:
    skel = skeleton(_pose(far_leg__hip=30, far_leg__knee=50, far_leg__ankle=-10))
    thigh_dir = -90 + 30
    knee = _at((0.0, Y), thigh_dir, B.thigh)
    shin_dir = thigh_dir - 50
    ankle = _at(knee, shin_dir, B.shin)
    heel = _at(ankle, shin_dir, B.heel)
    _close(skel.point("far_knee"), knee)
    _close(skel.point("far_ankle"), ankle)
    _close(skel.point("far_heel"), heel)
    _close(skel.point("far_toe"), _at(heel, shin_dir + 90 - 10, B.foot))


def test_side_arm_angles_compose_from_the_shoulder_to_the_hand() -> None:
    skel = skeleton(_pose(near_arm__shoulder=60, near_arm__elbow=40, near_arm__wrist=-30))
    shoulder = skel.point("shoulder")
    upper = 90 - 180 + 60
    elbow = _at(shoulder, upper, B.upper_arm)
    wrist = _at(elbow, upper + 40, B.lower_arm)
    _close(skel.point("near_elbow"), elbow)
    _close(skel.point("near_wrist"), wrist)
    _close(skel.point("near_hand"), _at(wrist, upper + 40 - 30, B.hand))
    _close(skel.point("far_elbow"), (shoulder[0], shoulder[1] - B.upper_arm))


def test_a_tilted_pelvis_turns_the_low_back_and_both_thighs() -> None:
    skel = skeleton(_pose(pelvis=10))
    hip = (0.0, Y)
    low_back = _at(hip, 90 + B.pelvis_offset + 10, B.pelvis)
    _close(skel.point("low_back"), low_back)
    _close(skel.point("shoulder"), (low_back[0], low_back[1] + B.trunk))
    for side in ("near", "far"):
        _close(skel.point(f"{side}_knee"), _at(hip, 90 + 10 - 180, B.thigh))


def test_the_trunk_angle_turns_the_whole_figure_about_the_hip() -> None:
    skel = skeleton(_pose(trunk=180.0))  # lying on the back, head to the left
    hip = (0.0, Y)
    low_back = _at(hip, 180 + B.pelvis_offset, B.pelvis)
    shoulder = _at(low_back, 180, B.trunk)
    _close(skel.point("low_back"), low_back)
    _close(skel.point("shoulder"), shoulder)
    _close(skel.point("head"), _at(shoulder, 180, B.neck + B.head))
    _close(skel.point("near_knee"), _at(hip, 0, B.thigh))
    _close(skel.point("near_elbow"), _at(shoulder, 0, B.upper_arm))


def test_a_spine_bend_bows_the_mid_back_and_tips_the_head() -> None:
    bend, neck = 30.0, 20.0
    skel = skeleton(_pose(spine=bend, neck=neck))
    low_back = skel.point("low_back")
    shoulder = (low_back[0], low_back[1] + B.trunk)  # the chord keeps the trunk direction
    _close(skel.point("shoulder"), shoulder)
    # A quadratic curve through its control point: the middle is half way to the control.
    bulge = B.trunk / 2 * math.tan(math.radians(bend / 2))
    _close(skel.point("mid_back"), (low_back[0] - bulge / 2, low_back[1] + B.trunk / 2))
    head_dir = 90 - bend / 2 - neck
    _close(skel.point("head"), _at(shoulder, head_dir, B.neck + B.head))
    neck_seg = skel.segment("neck")
    assert len(neck_seg.points) == 2
    _close(neck_seg.points[0], shoulder)
    _close(neck_seg.points[1], _at(shoulder, head_dir, B.neck))


def test_a_spine_bend_on_a_lying_figure_bows_to_the_left_of_its_chord() -> None:
    bend = 40.0
    skel = skeleton(_pose(trunk=0.0, spine=bend))  # trunk pointing right: left is up
    low_back = skel.point("low_back")
    bulge = B.trunk / 2 * math.tan(math.radians(bend / 2))
    _close(skel.point("mid_back"), (low_back[0] + B.trunk / 2, low_back[1] + bulge / 2))
    trunk = skel.segment("trunk").points
    _close(trunk[0], low_back)
    _close(trunk[-1], (low_back[0] + B.trunk, low_back[1]))
    # every point of the bow lies on the upper side of the chord
    assert all(p[1] >= low_back[1] - 1e-9 for p in trunk)
    assert max(p[1] for p in trunk) == pytest.approx(low_back[1] + bulge / 2)


def test_a_side_skeleton_draws_far_limbs_then_near_limbs_then_the_trunk() -> None:
    skel = skeleton(_pose())
    limbs = ["thigh", "shin", "foot", "upper_arm", "lower_arm", "hand"]
    assert [s.name for s in skel.segments] == [
        *(f"far_{p}" for p in limbs),
        *(f"near_{p}" for p in limbs),
        "pelvis",
        "trunk",
        "neck",
        "head",
    ]
    sides = {s.name: s.side for s in skel.segments}
    assert {sides[f"far_{p}"] for p in limbs} == {"far"}
    assert {sides[f"near_{p}"] for p in limbs} == {"near"}
    assert {sides[n] for n in ("pelvis", "trunk", "neck", "head")} == {"mid"}


def test_side_segments_join_the_named_points() -> None:
    skel = skeleton(_pose(near_leg__hip=40, near_leg__knee=30, far_arm__elbow=50))
    pt = skel.point
    for side in ("near", "far"):
        assert skel.segment(f"{side}_thigh").points == (pt("hip"), pt(f"{side}_knee"))
        assert skel.segment(f"{side}_shin").points == (
            pt(f"{side}_knee"),
            pt(f"{side}_ankle"),
            pt(f"{side}_heel"),
        )
        assert skel.segment(f"{side}_foot").points == (pt(f"{side}_heel"), pt(f"{side}_toe"))
        assert skel.segment(f"{side}_upper_arm").points == (pt("shoulder"), pt(f"{side}_elbow"))
        assert skel.segment(f"{side}_lower_arm").points == (
            pt(f"{side}_elbow"),
            pt(f"{side}_wrist"),
        )
        assert skel.segment(f"{side}_hand").points == (pt(f"{side}_wrist"), pt(f"{side}_hand"))
    assert skel.segment("pelvis").points == (pt("hip"), pt("low_back"))
    assert skel.segment("head").points == (pt("head"),)
    trunk = skel.segment("trunk").points
    assert len(trunk) == 13
    assert trunk[0] == pt("low_back") and trunk[-1] == pt("shoulder")
    assert trunk[6] == pt("mid_back")


def test_the_side_skeleton_names_its_trunk_points_first() -> None:
    names = [name for name, _ in skeleton(_pose()).points]
    assert names[:5] == ["hip", "low_back", "mid_back", "shoulder", "head"]
    assert names[5:12] == [
        "far_knee",
        "far_ankle",
        "far_heel",
        "far_toe",
        "far_elbow",
        "far_wrist",
        "far_hand",
    ]
    assert len(names) == 19 and names[12] == "near_knee"


def test_the_body_passed_in_sets_the_segment_lengths() -> None:
    long_legs = Body(thigh=60.0, shin=50.0)
    skel = skeleton(_pose(), long_legs)
    _close(skel.point("near_knee"), (0.0, Y - 60.0))
    _close(skel.point("near_ankle"), (0.0, Y - 110.0))
    front = skeleton(_pose("front"), Body(hip_width=30.0, front_trunk=50.0))
    _close(front.point("left_hip"), (15.0, Y))
    _close(front.point("neck"), (0.0, Y + 50.0))


# ---------------------------------------------------------------- front view


def test_a_front_figure_with_default_angles_stands_square() -> None:
    skel = skeleton(_pose("front", x=5.0))
    neck = (5.0, Y + B.front_trunk)
    _close(skel.point("hip"), (5.0, Y))
    _close(skel.point("mid_back"), (5.0, Y + B.front_trunk / 2))
    _close(skel.point("neck"), neck)
    _close(skel.point("head"), (5.0, neck[1] + B.neck + B.head))
    for side, sign in (("right", -1), ("left", 1)):
        hx = 5.0 + sign * B.hip_width / 2
        sx = 5.0 + sign * B.shoulder_width / 2
        _close(skel.point(f"{side}_hip"), (hx, Y))
        _close(skel.point(f"{side}_knee"), (hx, Y - B.thigh))
        _close(skel.point(f"{side}_ankle"), (hx, Y - B.thigh - B.shin))
        sole = (hx, Y - B.thigh - B.shin - B.heel)
        _close(skel.point(f"{side}_foot"), sole)
        _close(skel.segment(f"{side}_foot").points[1], (hx + sign * B.front_foot, sole[1]))
        _close(skel.point(f"{side}_shoulder"), (sx, neck[1]))
        _close(skel.point(f"{side}_elbow"), (sx, neck[1] - B.upper_arm))
        _close(skel.point(f"{side}_hand"), (sx, neck[1] - B.upper_arm - B.lower_arm - B.hand))


def test_front_abduction_moves_each_knee_out_to_its_own_side() -> None:
    skel = skeleton(_pose("front", right_leg__hip=30, left_leg__hip=20))
    for side, sign, deg in (("right", -1, 30.0), ("left", 1, 20.0)):
        a = math.radians(deg)
        hx = sign * B.hip_width / 2
        knee = (hx + sign * B.thigh * math.sin(a), Y - B.thigh * math.cos(a))
        _close(skel.point(f"{side}_knee"), knee)
        # a straight leg carries on in the thigh's line
        ankle = (knee[0] + sign * B.shin * math.sin(a), knee[1] - B.shin * math.cos(a))
        _close(skel.point(f"{side}_ankle"), ankle)
        sole = (ankle[0] + sign * B.heel * math.sin(a), ankle[1] - B.heel * math.cos(a))
        _close(skel.point(f"{side}_foot"), sole)


def test_a_thigh_flexed_towards_the_viewer_shortens_and_the_bent_knee_drops_the_shin() -> None:
    skel = skeleton(_pose("front", left_leg__flexion=90, left_leg__knee=90))
    hx = B.hip_width / 2
    _close(skel.point("left_knee"), (hx, Y))  # the thigh points straight at the viewer
    _close(skel.point("left_ankle"), (hx, Y - B.shin))
    _close(skel.point("left_foot"), (hx, Y - B.shin - B.heel))
    _close(skel.point("right_knee"), (-hx, Y - B.thigh))


def test_front_abduction_and_flexion_together_give_the_projected_leg() -> None:
    abd, flex, knee_bend = 30.0, 60.0, 20.0
    skel = skeleton(
        _pose("front", right_leg__hip=abd, right_leg__flexion=flex, right_leg__knee=knee_bend)
    )
    a, f = math.radians(abd), math.radians(flex)
    bend = f - math.radians(knee_bend)
    hip = (-B.hip_width / 2, Y)
    knee = (hip[0] - B.thigh * math.sin(a), Y - B.thigh * math.cos(a) * math.cos(f))
    side = math.sin(a) * math.cos(f)
    drop = math.cos(bend) * math.sqrt(1 - side * side)
    ankle = (knee[0] - B.shin * side, knee[1] - B.shin * drop)
    length = math.hypot(side, drop)
    sole = (ankle[0] - B.heel * side / length, ankle[1] - B.heel * drop / length)
    _close(skel.point("right_knee"), knee)
    _close(skel.point("right_ankle"), ankle)
    _close(skel.point("right_foot"), sole)
    _close_all(skel.segment("right_foot").points, (sole, (sole[0] - B.front_foot, sole[1])))


def test_a_knee_bent_past_the_thigh_still_puts_the_heel_below_the_ankle() -> None:
    # flexion 20, knee 130: the shin points up-and-back, seen from the front it drops less
    skel = skeleton(_pose("front", left_leg__flexion=20, left_leg__knee=130, left_leg__hip=10))
    a, f = math.radians(10), math.radians(20)
    bend = f - math.radians(130)
    side = math.sin(a) * math.cos(f)
    drop = math.cos(bend) * math.sqrt(1 - side * side)
    assert drop < 0
    ankle = skel.point("left_ankle")
    norm = math.hypot(side, drop)
    sole = (ankle[0] + B.heel * side / norm, ankle[1] - B.heel * abs(drop) / norm)
    _close(skel.point("left_foot"), sole)


def test_a_pelvis_slope_tilts_the_hips_and_the_legs_hang_square_to_it() -> None:
    slope = 10.0
    skel = skeleton(_pose("front", pelvis=slope))
    hip = (0.0, Y)
    for side, sign in (("right", -1), ("left", 1)):
        hip_joint = _at(hip, slope, sign * B.hip_width / 2)
        _close(skel.point(f"{side}_hip"), hip_joint)
        _close(skel.point(f"{side}_knee"), _at(hip_joint, slope - 90, B.thigh))
    neck = _at(hip, 90 + slope, B.front_trunk)
    _close(skel.point("neck"), neck)
    _close(skel.point("left_shoulder"), _at(neck, slope, B.shoulder_width / 2))
    _close(skel.point("head"), _at(neck, 90 + slope, B.neck + B.head))


def test_on_a_sloped_pelvis_abduction_is_measured_from_the_pelvis_line() -> None:
    slope, abd = 10.0, 30.0
    skel = skeleton(_pose("front", pelvis=slope, left_leg__hip=abd, right_leg__hip=abd))
    a = math.radians(abd)
    for side, sign in (("right", -1), ("left", 1)):
        hip_joint = _at((0.0, Y), slope, sign * B.hip_width / 2)
        out = _at(hip_joint, slope, sign * B.thigh * math.sin(a))
        _close(skel.point(f"{side}_knee"), _at(out, slope - 90, B.thigh * math.cos(a)))


def test_a_front_side_bend_curves_the_trunk_and_tips_the_shoulders() -> None:
    bend = -20.0
    skel = skeleton(_pose("front", spine=bend, neck=10))
    chord = 90 - bend / 2
    neck = _at((0.0, Y), chord, B.front_trunk)
    _close(skel.point("neck"), neck)
    upper = chord - bend / 2
    _close(skel.point("right_shoulder"), _at(neck, upper - 90, -B.shoulder_width / 2))
    _close(skel.point("left_shoulder"), _at(neck, upper - 90, B.shoulder_width / 2))
    _close(skel.point("head"), _at(neck, upper - 10, B.neck + B.head))
    mid = _at((0.0, Y), chord, B.front_trunk / 2)
    bulge = B.front_trunk / 2 * math.tan(math.radians(bend / 2))
    _close(skel.point("mid_back"), _at(mid, chord + 90, bulge / 2))
    neck_seg = skel.segment("neck").points
    _close(neck_seg[1], _at(neck, upper - 10, B.neck))


def test_front_arms_raise_out_to_their_own_side_and_elbows_bend_inwards() -> None:
    skel = skeleton(
        _pose(
            "front",
            right_arm__shoulder=90,
            left_arm__shoulder=45,
            right_arm__elbow=30,
            left_arm__elbow=60,
        )
    )
    for side, sign, shoulder_deg, elbow_deg in (("right", -1, 90, 30), ("left", 1, 45, 60)):
        shoulder = skel.point(f"{side}_shoulder")
        arm = 90 - 180 + sign * shoulder_deg
        elbow = _at(shoulder, arm, B.upper_arm)
        lower = arm - sign * elbow_deg
        _close(skel.point(f"{side}_elbow"), elbow)
        wrist = _at(elbow, lower, B.lower_arm)
        _close_all(skel.segment(f"{side}_lower_arm").points, (elbow, wrist))
        _close(skel.point(f"{side}_hand"), _at(wrist, lower, B.hand))
    assert skel.point("right_elbow")[0] < skel.point("right_shoulder")[0] - 30


def test_a_front_skeleton_draws_the_trunk_then_right_then_left_limbs() -> None:
    skel = skeleton(_pose("front"))
    limbs = ["thigh", "shin", "foot", "upper_arm", "lower_arm", "hand"]
    assert [s.name for s in skel.segments] == [
        "pelvis",
        "trunk",
        "shoulders",
        "neck",
        "head",
        *(f"right_{p}" for p in limbs),
        *(f"left_{p}" for p in limbs),
    ]
    assert {s.side for s in skel.segments} == {"mid"}


def test_front_segments_join_the_named_points() -> None:
    skel = skeleton(_pose("front", left_leg__hip=15, right_arm__shoulder=70))
    pt = skel.point
    assert skel.segment("pelvis").points == (pt("right_hip"), pt("left_hip"))
    assert skel.segment("shoulders").points == (pt("right_shoulder"), pt("left_shoulder"))
    assert skel.segment("head").points == (pt("head"),)
    trunk = skel.segment("trunk").points
    assert len(trunk) == 13
    assert trunk[0] == pt("hip") and trunk[-1] == pt("neck") and trunk[6] == pt("mid_back")
    assert skel.segment("neck").points[0] == pt("neck")
    for side in ("right", "left"):
        assert skel.segment(f"{side}_thigh").points == (pt(f"{side}_hip"), pt(f"{side}_knee"))
        assert skel.segment(f"{side}_shin").points == (
            pt(f"{side}_knee"),
            pt(f"{side}_ankle"),
            pt(f"{side}_foot"),
        )
        assert skel.segment(f"{side}_foot").points[0] == pt(f"{side}_foot")
        assert skel.segment(f"{side}_upper_arm").points == (
            pt(f"{side}_shoulder"),
            pt(f"{side}_elbow"),
        )
        assert skel.segment(f"{side}_lower_arm").points[0] == pt(f"{side}_elbow")
        assert skel.segment(f"{side}_hand").points[1] == pt(f"{side}_hand")
        assert skel.segment(f"{side}_hand").points[0] == skel.segment(f"{side}_lower_arm").points[1]


def test_the_front_skeleton_names_its_points_in_order() -> None:
    names = [name for name, _ in skeleton(_pose("front")).points]
    per_side = ["hip", "knee", "ankle", "foot", "shoulder", "elbow", "hand"]
    assert names == [
        "hip",
        "mid_back",
        "neck",
        "head",
        *(f"right_{p}" for p in per_side),
        *(f"left_{p}" for p in per_side),
    ]


# ---------------------------------------------------------------- lookups and extents


def test_asking_for_a_point_or_part_a_skeleton_lacks_raises_key_error() -> None:
    skel = skeleton(_pose())
    with pytest.raises(KeyError, match="neck"):
        skel.point("neck")  # the side view has no neck point, only a neck segment
    with pytest.raises(KeyError, match="shoulders"):
        skel.segment("shoulders")
    assert skel.segment("neck").name == "neck"


def _two_part_skeleton() -> Skeleton:
    return Skeleton(
        (
            Segment("near_thigh", "near", ((0.0, 10.0), (30.0, 4.0))),
            Segment("head", "mid", ((12.0, 50.0),)),
        ),
        (),
    )


def test_lowest_counts_the_thickness_of_the_part_that_reaches_lowest() -> None:
    skel = _two_part_skeleton()
    assert skel.lowest() == pytest.approx(4.0 - B.radius)
    assert skel.lowest(Body(radius=1.0)) == pytest.approx(3.0)
    head_low = Skeleton((Segment("head", "mid", ((0.0, 12.0),)),), ())
    assert head_low.lowest() == pytest.approx(12.0 - B.head)


def test_extent_is_the_box_around_every_part_with_its_thickness() -> None:
    skel = _two_part_skeleton()
    r, h = B.radius, B.head
    assert skel.extent() == pytest.approx((0.0 - r, 4.0 - r, 30.0 + r, 50.0 + h))
    thin = Body(radius=1.0, head=2.0)
    assert skel.extent(thin) == pytest.approx((-1.0, 3.0, 31.0, 52.0))


def test_extent_of_a_whole_figure_spans_head_to_heel() -> None:
    skel = skeleton(_pose())
    min_x, min_y, max_x, max_y = skel.extent()
    assert min_y == pytest.approx(skel.lowest())
    assert max_y == pytest.approx(skel.point("head")[1] + B.head)
    assert max_x == pytest.approx(skel.point("near_toe")[0] + B.radius)
    assert min_x == pytest.approx(skel.point("head")[0] - B.head)
