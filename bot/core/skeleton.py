"""Forward kinematics: a pose's joint angles to a 2-D side or front skeleton, the surfaces it
rests on, and the checks that it stays in a human range and on its props."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.core.poses import (
    BODY,
    CONTACT_TOLERANCE,
    JOINTS,
    PROPS,
    Body,
    Point,
    Pose,
    Props,
    PropSizes,
    Side,
    View,
)


@dataclass(frozen=True)
class Segment:
    """A drawn part: a polyline (a one-point line is the head's centre)."""

    name: str
    side: Side
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Skeleton:
    """The segments and named points of one pose, in cm with the floor at y = 0."""

    segments: tuple[Segment, ...]
    points: tuple[tuple[str, Point], ...]

    def point(self, name: str) -> Point:
        """One named point."""
        for key, value in self.points:
            if key == name:
                return value
        raise KeyError(name)

    def segment(self, name: str) -> Segment:
        """One segment by name."""
        for seg in self.segments:
            if seg.name == name:
                return seg
        raise KeyError(name)

    def lowest(self, body: Body = BODY) -> float:
        """The lowest y any part reaches, its thickness included."""
        return min(y - _thickness(seg, body) for seg in self.segments for _, y in seg.points)

    def extent(self, body: Body = BODY) -> tuple[float, float, float, float]:
        """Bounding box (min x, min y, max x, max y) with the thickness of the parts."""
        xs: list[float] = []
        ys: list[float] = []
        for seg in self.segments:
            t = _thickness(seg, body)
            for x, y in seg.points:
                xs += [x - t, x + t]
                ys += [y - t, y + t]
        return min(xs), min(ys), max(xs), max(ys)


def _thickness(seg: Segment, body: Body) -> float:
    return body.head if seg.name == "head" else body.radius


def _dir(degrees: float) -> Point:
    r = math.radians(degrees)
    return math.cos(r), math.sin(r)


def _step(p: Point, degrees: float, length: float) -> Point:
    d = _dir(degrees)
    return p[0] + d[0] * length, p[1] + d[1] * length


def _bezier(a: Point, c: Point, b: Point, n: int = 12) -> tuple[Point, ...]:
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append(
            (
                u * u * a[0] + 2 * u * t * c[0] + t * t * b[0],
                u * u * a[1] + 2 * u * t * c[1] + t * t * b[1],
            )
        )
    return tuple(out)


def _curved_trunk(
    start: Point, chord: float, bend: float, length: float
) -> tuple[tuple[Point, ...], Point]:
    """A trunk line bent by `bend` degrees between its ends, bulging to the left of the chord."""
    end = _step(start, chord, length)
    mid = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    control = _step(mid, chord + 90, length / 2 * math.tan(math.radians(bend / 2)))
    line = _bezier(start, control, end)
    return line, line[len(line) // 2]


def skeleton(pose: Pose, body: Body = BODY) -> Skeleton:
    """Forward kinematics: the segments and named points of a pose."""
    if pose.view == "side":
        return _side_skeleton(pose, body)
    return _front_skeleton(pose, body)


def _side_skeleton(pose: Pose, b: Body) -> Skeleton:
    a = pose.angle
    trunk_dir, half = a("trunk"), a("spine") / 2
    hip = (pose.x, pose.y)
    pelvis_dir = trunk_dir + b.pelvis_offset + a("pelvis")
    low_back = _step(hip, pelvis_dir, b.pelvis)
    trunk_line, mid_back = _curved_trunk(low_back, trunk_dir, a("spine"), b.trunk)
    shoulder = trunk_line[-1]
    head_dir = trunk_dir - half - a("neck")
    head = _step(shoulder, head_dir, b.neck + b.head)
    segs: list[Segment] = []
    points: list[tuple[str, Point]] = []
    for side in ("far", "near"):
        s: Side = "far" if side == "far" else "near"
        thigh_dir = pelvis_dir - b.pelvis_offset - 180 + a(f"{side}_leg.hip")
        knee = _step(hip, thigh_dir, b.thigh)
        shin_dir = thigh_dir - a(f"{side}_leg.knee")
        ankle = _step(knee, shin_dir, b.shin)
        heel = _step(ankle, shin_dir, b.heel)
        toe = _step(heel, shin_dir + 90 + a(f"{side}_leg.ankle"), b.foot)
        upper_dir = trunk_dir - 180 + a(f"{side}_arm.shoulder")
        elbow = _step(shoulder, upper_dir, b.upper_arm)
        lower_dir = upper_dir + a(f"{side}_arm.elbow")
        wrist = _step(elbow, lower_dir, b.lower_arm)
        hand = _step(wrist, lower_dir + a(f"{side}_arm.wrist"), b.hand)
        segs += [
            Segment(f"{side}_thigh", s, (hip, knee)),
            Segment(f"{side}_shin", s, (knee, ankle, heel)),
            Segment(f"{side}_foot", s, (heel, toe)),
            Segment(f"{side}_upper_arm", s, (shoulder, elbow)),
            Segment(f"{side}_lower_arm", s, (elbow, wrist)),
            Segment(f"{side}_hand", s, (wrist, hand)),
        ]
        points += [
            (f"{side}_knee", knee),
            (f"{side}_ankle", ankle),
            (f"{side}_heel", heel),
            (f"{side}_toe", toe),
            (f"{side}_elbow", elbow),
            (f"{side}_wrist", wrist),
            (f"{side}_hand", hand),
        ]
    segs += [
        Segment("pelvis", "mid", (hip, low_back)),
        Segment("trunk", "mid", trunk_line),
        Segment("neck", "mid", (shoulder, _step(shoulder, head_dir, b.neck))),
        Segment("head", "mid", (head,)),
    ]
    points = [
        ("hip", hip),
        ("low_back", low_back),
        ("mid_back", mid_back),
        ("shoulder", shoulder),
        ("head", head),
        *points,
    ]
    return Skeleton(tuple(segs), tuple(points))


def _frontal(p: Point, lateral: float, drop: float, out: Point, down: Point) -> Point:
    return p[0] + lateral * out[0] + drop * down[0], p[1] + lateral * out[1] + drop * down[1]


def _front_skeleton(pose: Pose, b: Body) -> Skeleton:
    # Seen from the front the person's right is on the viewer's left (smaller x).
    a = pose.angle
    hip = (pose.x, pose.y)
    slope, half = a("pelvis"), a("spine") / 2
    chord = 90 + slope - half
    trunk_line, mid_back = _curved_trunk(hip, chord, a("spine"), b.front_trunk)
    neck_base = trunk_line[-1]
    upper = chord - half
    head_dir = upper - a("neck")
    head = _step(neck_base, head_dir, b.neck + b.head)
    segs: list[Segment] = []
    points: list[tuple[str, Point]] = []
    for side, sign in (("right", -1.0), ("left", 1.0)):
        hip_joint = _step(hip, slope, sign * b.hip_width / 2)
        shoulder = _step(neck_base, upper - 90, sign * b.shoulder_width / 2)
        # A flexed thigh points at the viewer: draw the frontal projection of the 3-D leg.
        abduction = math.radians(a(f"{side}_leg.hip"))
        flexion = math.radians(a(f"{side}_leg.flexion"))
        bend = flexion - math.radians(a(f"{side}_leg.knee"))
        out, down = _dir(slope), _dir(slope - 90)
        knee = _frontal(
            hip_joint,
            sign * b.thigh * math.sin(abduction),
            b.thigh * math.cos(abduction) * math.cos(flexion),
            out,
            down,
        )
        shin_side = math.sin(abduction) * math.cos(flexion)
        shin_drop = math.cos(bend) * math.sqrt(max(0.0, 1 - shin_side**2))
        norm = math.hypot(shin_side, shin_drop) or 1.0
        ankle = _frontal(knee, sign * b.shin * shin_side, b.shin * shin_drop, out, down)
        sole = _frontal(
            ankle, sign * b.heel * shin_side / norm, b.heel * abs(shin_drop) / norm, out, down
        )
        foot = (sole[0] + sign * b.front_foot, sole[1])
        arm_dir = upper - 180 + sign * a(f"{side}_arm.shoulder")
        elbow = _step(shoulder, arm_dir, b.upper_arm)
        lower_dir = arm_dir - sign * a(f"{side}_arm.elbow")
        wrist = _step(elbow, lower_dir, b.lower_arm)
        hand = _step(wrist, lower_dir, b.hand)
        segs += [
            Segment(f"{side}_thigh", "mid", (hip_joint, knee)),
            Segment(f"{side}_shin", "mid", (knee, ankle, sole)),
            Segment(f"{side}_foot", "mid", (sole, foot)),
            Segment(f"{side}_upper_arm", "mid", (shoulder, elbow)),
            Segment(f"{side}_lower_arm", "mid", (elbow, wrist)),
            Segment(f"{side}_hand", "mid", (wrist, hand)),
        ]
        points += [
            (f"{side}_hip", hip_joint),
            (f"{side}_knee", knee),
            (f"{side}_ankle", ankle),
            (f"{side}_foot", sole),
            (f"{side}_shoulder", shoulder),
            (f"{side}_elbow", elbow),
            (f"{side}_hand", hand),
        ]
    at = dict(points)
    segs = [
        Segment("pelvis", "mid", (at["right_hip"], at["left_hip"])),
        Segment("trunk", "mid", trunk_line),
        Segment("shoulders", "mid", (at["right_shoulder"], at["left_shoulder"])),
        Segment("neck", "mid", (neck_base, _step(neck_base, head_dir, b.neck))),
        Segment("head", "mid", (head,)),
        *segs,
    ]
    named = [("hip", hip), ("mid_back", mid_back), ("neck", neck_base), ("head", head)]
    return Skeleton(tuple(segs), tuple(named + points))


def surfaces(
    view: View, props: Props, sizes: PropSizes = PROPS
) -> list[tuple[str, str, float, float, float]]:
    """Surfaces a body can rest on: (name, axis, level, low, high) with axis 'y' or 'x'."""
    out: list[tuple[str, str, float, float, float]] = [("floor", "y", 0.0, -1e9, 1e9)]
    if props.chair is not None:
        if view == "side":
            low, high = props.chair - sizes.seat_depth, props.chair
        else:
            low = props.chair - sizes.front_seat_width / 2
            high = props.chair + sizes.front_seat_width / 2
        out.append(("chair seat", "y", sizes.seat_height, low, high))
    if props.desk is not None:
        half = sizes.desk_width / 2
        out.append(("desk", "y", sizes.desk_height, props.desk - half, props.desk + half))
    if props.cushion is not None:
        half = sizes.cushion_width / 2
        out.append(
            ("cushion", "y", sizes.cushion_height, props.cushion - half, props.cushion + half)
        )
    if props.wall is not None:
        out.append(("wall", "x", props.wall, 0.0, sizes.wall_height))
    return out


def touches(point: Point, surface: tuple[str, str, float, float, float], thickness: float) -> bool:
    """True when a point of a part `thickness` thick rests on the surface (within tolerance)."""
    _, axis, level, low, high = surface
    x, y = point
    if axis == "y":
        return low <= x <= high and abs(y - thickness - level) <= CONTACT_TOLERANCE
    return low <= y <= high and abs(level - thickness - x) <= CONTACT_TOLERANCE


def limit_problems(pose: Pose) -> list[str]:
    """Joints of a pose outside the human range."""
    out = []
    for joint in JOINTS[pose.view]:
        value = pose.angle(joint.name)
        if not joint.low <= value <= joint.high:
            out.append(
                f"{joint.name} is {value:g} degrees; a human range is {joint.low:g} to "
                f"{joint.high:g}"
            )
    return out


def placement_problems(pose: Pose, props: Props, body: Body = BODY) -> list[str]:
    """A pose below the floor, or contacts that touch nothing."""
    skel = skeleton(pose, body)
    out = []
    low = skel.lowest(body)
    if low < -CONTACT_TOLERANCE:
        out.append(f"a part is {-low:.1f} cm below the floor")
    surf = surfaces(pose.view, props)
    for name in pose.contacts:
        p = skel.point(name)
        thickness = body.head if name == "head" else body.radius
        if not any(touches(p, s, thickness) for s in surf):
            out.append(f"contact {name} at ({p[0]:.1f}, {p[1]:.1f}) touches no surface")
    return out
