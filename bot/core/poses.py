"""Exercise pictures as data: a 2-D skeleton placed by joint angles, and the pose-file parser.

A pose file, `knowledge/routines/poses/<routine-id>.yaml`, gives each step of that routine
(and each easier or harder variant) a picture: a start pose, an end pose, the furniture, the
moving part and an arrow. Parsing is pure: it takes the already-loaded YAML data.

    poses:                      # named base poses, one namespace shared by all pose files
      crook-lying:
        view: side              # side (sagittal plane) or front (frontal plane)
        at: {x: 0, y: floor}    # the root: side view the hip joint, front view the middle of
                                # the hips; y is cm, floor (lowest part on the floor) or seat
        trunk: 180              # side only: direction of the low back -> shoulder line,
                                # degrees anticlockwise from pointing right
        spine: 0                # bend of the trunk line between its ends (side: flexion +,
                                # front: towards the person's left +)
        pelvis: 0               # side: posterior tilt +; front: slope of the hip line
        neck: 23                # side: flexion +; front: towards the person's left +
        near_leg: {hip: 53.6, knee: 105, ankle: -38.6}   # front view: right_leg, left_leg
        near_arm: {shoulder: 0, elbow: 0, wrist: 0}      # front view: right_arm, left_arm
        contacts: [shoulder, near_heel]   # points that must rest on the floor or furniture
        label: Knees bent       # the text under the panel, at most 40 characters
    steps:
      lying-march:              # a step id of the routine
        props: {chair: 18}      # chair, wall, desk, cushion at x cm (see Props)
        start: {like: crook-lying, label: Knees bent}
        end: {like: start, near_leg: {hip: 90, knee: 90}, label: Knee over the hip}
        moves: [near_leg]       # segments or limbs drawn in the accent colour
        arrow: near_heel        # a point whose path is drawn; or {path: P, bend: 0.3},
                                # {push: P, direction: 90, offset: [dx, dy]} (a straight
                                # arrow), {turn: P, clockwise: true}, or a list of these;
                                # default: the moving point that travels furthest
        easier: {start: ..., end: ..., moves: ...}   # a picture of its own
        harder: {same: Only a hold is added.}        # drawn with the step's picture, and why
      dead-bug: {same_as: beginner/dead-bug}         # a copy of another routine's picture

`like` starts from a base pose (or, in `end`, from this picture's start); the keys beside it
override, a limb joint by joint. Joint angles are relative to the parent part and default
to 0: hip and shoulder flexion +, knee and elbow flexion 0 to 150, ankle dorsiflexion +,
wrist bent towards the palm side -. The side view is drawn facing right; a figure lying on
its back has its head to the left, so its knees bend upwards. Arms, legs and pelvis keep
their angles to the straight trunk line; the head follows the bent upper end. Lengths are
centimetres of an adult about 180 cm tall, the floor is y = 0, and every limb line is
`Body.radius` thick on each side, so a part lying on the floor has its centre that high.

Picture files are `<routine-id>--<step-id>.png` and `<routine-id>--<step-id>--<variant>.png`;
a variant with `same` has no file and uses the step's (`picture_candidates`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

View = Literal["side", "front"]
Side = Literal["near", "far", "mid"]
ArrowKind = Literal["path", "push", "turn"]
Point = tuple[float, float]

VIEWS: tuple[View, ...] = ("side", "front")
VARIANTS = ("easier", "harder")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_MAX = 40
REASON_MIN = 10
CONTACT_TOLERANCE = 1.5
MIN_PATH_ARROW = 8.0


@dataclass(frozen=True)
class Body:
    """Segment lengths (cm) of the drawn adult, and the half-thickness of every limb line."""

    radius: float = 2.5
    head: float = 11.0
    neck: float = 11.0
    trunk: float = 42.0
    pelvis: float = 11.0
    pelvis_offset: float = 15.0
    upper_arm: float = 33.0
    lower_arm: float = 28.0
    hand: float = 17.0
    thigh: float = 44.0
    shin: float = 43.0
    heel: float = 6.0
    foot: float = 19.0
    front_trunk: float = 57.0
    hip_width: float = 18.0
    shoulder_width: float = 36.0
    front_foot: float = 11.0


BODY = Body()


@dataclass(frozen=True)
class PropSizes:
    """Sizes (cm) of the furniture drawn with the figure."""

    seat_height: float = 46.0
    seat_depth: float = 44.0
    front_seat_width: float = 60.0
    chair_back: float = 44.0
    desk_height: float = 72.0
    desk_width: float = 80.0
    wall_height: float = 200.0
    cushion_width: float = 30.0
    cushion_height: float = 7.0


PROPS = PropSizes()


@dataclass(frozen=True)
class Joint:
    """One angle of a view: its name in pose data, the human range and the default."""

    name: str
    low: float
    high: float
    default: float = 0.0


# Ranges are active ranges of a healthy adult (AAOS-style norms), not the extremes: a pose
# outside them is a typing error or an exercise nobody should be shown.
_SIDE_LIMB_JOINTS = (
    ("leg", "hip", -25.0, 125.0),
    ("leg", "knee", 0.0, 150.0),
    ("leg", "ankle", -50.0, 25.0),
    ("arm", "shoulder", -50.0, 180.0),
    ("arm", "elbow", 0.0, 150.0),
    ("arm", "wrist", -80.0, 90.0),
)
_FRONT_LIMB_JOINTS = (
    ("leg", "hip", -20.0, 45.0),
    ("leg", "flexion", -25.0, 125.0),
    ("leg", "knee", 0.0, 150.0),
    ("arm", "shoulder", -10.0, 180.0),
    ("arm", "elbow", 0.0, 150.0),
)

SIDE_JOINTS: tuple[Joint, ...] = (
    Joint("trunk", -360.0, 360.0, 90.0),
    Joint("spine", -30.0, 50.0),
    Joint("pelvis", -15.0, 20.0),
    Joint("neck", -45.0, 50.0),
    *(
        Joint(f"{side}_{limb}.{name}", low, high)
        for side in ("near", "far")
        for limb, name, low, high in _SIDE_LIMB_JOINTS
    ),
)
FRONT_JOINTS: tuple[Joint, ...] = (
    Joint("pelvis", -15.0, 15.0),
    Joint("spine", -40.0, 40.0),
    Joint("neck", -45.0, 45.0),
    *(
        Joint(f"{side}_{limb}.{name}", low, high)
        for side in ("right", "left")
        for limb, name, low, high in _FRONT_LIMB_JOINTS
    ),
)
JOINTS: Mapping[View, tuple[Joint, ...]] = {"side": SIDE_JOINTS, "front": FRONT_JOINTS}

_LIMB_SEGMENTS = {"leg": ("thigh", "shin", "foot"), "arm": ("upper_arm", "lower_arm", "hand")}
_LIMB_POINTS = {
    "side": {"leg": ("knee", "ankle", "heel", "toe"), "arm": ("elbow", "wrist", "hand")},
    "front": {"leg": ("hip", "knee", "ankle", "foot"), "arm": ("shoulder", "elbow", "hand")},
}
_SIDES: Mapping[View, tuple[str, str]] = {"side": ("far", "near"), "front": ("right", "left")}
_TRUNK_SEGMENTS: Mapping[View, tuple[str, ...]] = {
    "side": ("pelvis", "trunk", "neck", "head"),
    "front": ("pelvis", "trunk", "shoulders", "neck", "head"),
}
_TRUNK_POINTS: Mapping[View, tuple[str, ...]] = {
    "side": ("hip", "low_back", "mid_back", "shoulder", "head"),
    "front": ("hip", "mid_back", "neck", "head"),
}


_DISTAL = {
    "side": {
        "pelvis": "low_back",
        "trunk": "shoulder",
        "neck": "head",
        "head": "head",
        "thigh": "knee",
        "shin": "heel",
        "foot": "toe",
        "upper_arm": "elbow",
        "lower_arm": "wrist",
        "hand": "hand",
    },
    "front": {
        "pelvis": "hip",
        "trunk": "neck",
        "shoulders": "neck",
        "neck": "head",
        "head": "head",
        "thigh": "knee",
        "shin": "foot",
        "foot": "foot",
        "upper_arm": "elbow",
        "lower_arm": "hand",
        "hand": "hand",
    },
}


def distal_point(view: View, segment: str) -> str:
    """The named point at the far end of a segment (where its movement shows most)."""
    side, _, rest = segment.partition("_")
    if rest and side in _SIDES[view]:
        return f"{side}_{_DISTAL[view][rest]}"
    return _DISTAL[view][segment]


def limb_groups(view: View) -> dict[str, tuple[str, ...]]:
    """Limb names of a view (near_leg, ...) and the segments each one is drawn with."""
    return {
        f"{side}_{limb}": tuple(f"{side}_{seg}" for seg in segs)
        for side in _SIDES[view]
        for limb, segs in _LIMB_SEGMENTS.items()
    }


def segment_names(view: View) -> tuple[str, ...]:
    """Every drawn segment of a view."""
    limbs = limb_groups(view)
    return _TRUNK_SEGMENTS[view] + tuple(s for segs in limbs.values() for s in segs)


def point_names(view: View) -> tuple[str, ...]:
    """Every named point of a view (for contacts and arrows)."""
    limb_points = tuple(
        f"{side}_{p}"
        for side in _SIDES[view]
        for limb in ("leg", "arm")
        for p in _LIMB_POINTS[view][limb]
    )
    return _TRUNK_POINTS[view] + limb_points


@dataclass(frozen=True)
class Props:
    """Furniture in a picture, by x position (cm); the floor is always there.

    Side view: `chair` is the front edge of the seat (the chair faces right), `wall` the wall
    surface in front of the figure, `desk` the middle of a desk beside the figure (drawn
    behind it). Front view: `chair` is the middle of the seat. `cushion` is its middle.
    """

    chair: float | None = None
    wall: float | None = None
    desk: float | None = None
    cushion: float | None = None


@dataclass(frozen=True)
class Pose:
    """One body position: view, root position, every joint angle of the view, and a label."""

    view: View
    x: float
    y: float
    angles: tuple[tuple[str, float], ...]
    label: str
    contacts: tuple[str, ...] = ()

    def angle(self, name: str) -> float:
        """The angle of one joint (degrees)."""
        for key, value in self.angles:
            if key == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True)
class Arrow:
    """The movement arrow of the end panel.

    path: a curve from where `point` was at the start to where it is at the end; `bend` is
    its curvature (0: chosen away from the body). push: a straight arrow in `direction`
    (degrees) beside the point. turn: a circular arrow around the point.
    """

    kind: ArrowKind
    point: str
    bend: float = 0.0
    direction: float = 0.0
    offset: Point = (0.0, 0.0)
    clockwise: bool = False


@dataclass(frozen=True)
class Picture:
    """Two panels of one exercise or variant: start and end pose, props, moving part, arrows."""

    view: View
    start: Pose
    end: Pose
    moves: tuple[str, ...]
    arrows: tuple[Arrow, ...]
    props: Props = field(default_factory=Props)


@dataclass(frozen=True)
class Shared:
    """A variant drawn with its step's picture because its position does not change."""

    picture: str
    why: str


@dataclass(frozen=True)
class StepPictures:
    """The picture of one step and what each of its variants shows."""

    step: str
    main: Picture
    variants: tuple[tuple[str, Picture | Shared], ...] = ()


@dataclass(frozen=True)
class PoseBook:
    """Every routine's step pictures; copies name the picture another entry duplicates."""

    routines: tuple[tuple[str, tuple[StepPictures, ...]], ...]
    copies: tuple[tuple[str, str], ...] = ()

    def pictures(self) -> list[tuple[str, Picture]]:
        """Every picture file to draw, by file stem, in file order."""
        out: list[tuple[str, Picture]] = []
        for routine_id, steps in self.routines:
            for sp in steps:
                out.append((picture_name(routine_id, sp.step), sp.main))
                for variant, entry in sp.variants:
                    if isinstance(entry, Picture):
                        out.append((picture_name(routine_id, sp.step, variant), entry))
        return out

    def shared(self) -> list[tuple[str, Shared]]:
        """Variants without a file of their own, by the file stem they would have had."""
        return [
            (picture_name(routine_id, sp.step, variant), entry)
            for routine_id, steps in self.routines
            for sp in steps
            for variant, entry in sp.variants
            if isinstance(entry, Shared)
        ]

    def picture_for(self, routine_id: str, step_id: str, variant: str | None = None) -> str:
        """The file stem showing a step or variant ('' when the step has no picture)."""
        for rid, steps in self.routines:
            if rid != routine_id:
                continue
            for sp in steps:
                if sp.step != step_id:
                    continue
                entry = dict(sp.variants).get(variant or "")
                if isinstance(entry, Picture):
                    return picture_name(routine_id, step_id, variant)
                return picture_name(routine_id, step_id)
        return ""


def picture_name(routine_id: str, step_id: str, variant: str | None = None) -> str:
    """The file stem of a picture: routine--step or routine--step--variant."""
    parts = [routine_id, step_id] + ([variant] if variant else [])
    return "--".join(parts)


def picture_candidates(routine_id: str, step_id: str, variant: str | None = None) -> list[str]:
    """File stems to try in order for a step or variant: the variant's own, then the step's."""
    names = [picture_name(routine_id, step_id)]
    if variant:
        names.insert(0, picture_name(routine_id, step_id, variant))
    return names


# ---------------------------------------------------------------- forward kinematics


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


# ---------------------------------------------------------------- surfaces and checks


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


# ---------------------------------------------------------------- parsing


class _Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, file: str, entry: str, problem: str) -> None:
        text = f"{file}: {entry}: {problem}"
        if text not in self.problems:  # a base pose is checked again by every pose like it
            self.problems.append(text)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _spec_keys(view: View) -> frozenset[str]:
    limbs = {f"{side}_{limb}" for side in _SIDES[view] for limb in ("leg", "arm")}
    tops = {j.name for j in JOINTS[view] if "." not in j.name}
    return frozenset({"like", "view", "at", "label", "contacts"} | limbs | tops)


@dataclass(frozen=True)
class _Flat:
    """A pose spec with its `like` chain merged in (not yet placed)."""

    view: View | None = None
    at: dict[str, object] = field(default_factory=dict)
    angles: dict[str, float] = field(default_factory=dict)
    label: str | None = None
    contacts: tuple[str, ...] | None = None


class _Parser:
    def __init__(self, body: Body) -> None:
        self.body = body
        self.rep = _Report()
        self.bases: dict[str, tuple[str, Mapping[str, object]]] = {}
        self.used: set[str] = set()

    def flat(
        self,
        raw: object,
        file: str,
        entry: str,
        start: _Flat | None = None,
        seen: tuple[str, ...] = (),
    ) -> _Flat | None:
        if not isinstance(raw, Mapping):
            self.rep.add(file, entry, "a pose must be a mapping")
            return None
        like = raw.get("like")
        if like is None:
            base = _Flat()
        elif like == "start" and start is not None:
            base = _Flat(
                start.view, dict(start.at), dict(start.angles), start.label, start.contacts
            )
        elif isinstance(like, str) and like in self.bases:
            if like in seen:
                self.rep.add(file, entry, f"'like' loops: {' -> '.join((*seen, like))}")
                return None
            self.used.add(like)
            base_file, base_raw = self.bases[like]
            got = self.flat(base_raw, base_file, f"poses.{like}", None, (*seen, like))
            if got is None:
                return None
            base = got
        else:
            self.rep.add(file, entry, f"'like' names no pose: {like!r}")
            return None
        view = raw.get("view", base.view)
        if view not in VIEWS:
            self.rep.add(file, entry, f"view must be side or front, not {view!r}")
            return None
        assert isinstance(view, str)
        v: View = "side" if view == "side" else "front"
        if base.view is not None and base.view != v:
            self.rep.add(file, entry, f"view {v} differs from the {base.view} view it is like")
            return None
        ok = True
        for key in raw:
            if key not in _spec_keys(v):
                self.rep.add(file, entry, f"unknown field {key!r} for a {v} view")
                ok = False
        angles = dict(base.angles)
        limbs = {f"{side}_{limb}" for side in _SIDES[v] for limb in ("leg", "arm")}
        for key, value in raw.items():
            if key in limbs:
                if not isinstance(value, Mapping):
                    self.rep.add(file, entry, f"{key} must be a mapping of joint angles")
                    ok = False
                    continue
                known = {j.name.split(".")[1] for j in JOINTS[v] if j.name.startswith(f"{key}.")}
                for joint, angle in value.items():
                    number = _number(angle)
                    if joint not in known:
                        self.rep.add(file, entry, f"{key} has no joint {joint!r}")
                        ok = False
                    elif number is None:
                        self.rep.add(file, entry, f"{key}.{joint} must be a number of degrees")
                        ok = False
                    else:
                        angles[f"{key}.{joint}"] = number
            elif key in {j.name for j in JOINTS[v]}:
                number = _number(value)
                if number is None:
                    self.rep.add(file, entry, f"{key} must be a number of degrees")
                    ok = False
                else:
                    angles[str(key)] = number
        at = dict(base.at)
        if "at" in raw:
            got_at = raw["at"]
            if not isinstance(got_at, Mapping) or set(got_at) - {"x", "y"}:
                self.rep.add(file, entry, "at must be {x: cm, y: cm | floor | seat}")
                ok = False
            else:
                at.update({str(k): val for k, val in got_at.items()})
        label = base.label
        if "label" in raw:
            text = raw["label"]
            if not isinstance(text, str) or not text.strip():
                self.rep.add(file, entry, "label must be text")
                ok = False
            elif len(" ".join(text.split())) > LABEL_MAX:
                self.rep.add(file, entry, f"label is longer than {LABEL_MAX} characters")
                ok = False
            else:
                label = " ".join(text.split())
        contacts = base.contacts
        if "contacts" in raw:
            got_c = raw["contacts"]
            names = point_names(v)
            if not isinstance(got_c, list) or not all(isinstance(c, str) for c in got_c):
                self.rep.add(file, entry, "contacts must be a list of point names")
                ok = False
            else:
                bad = [c for c in got_c if c not in names]
                if bad:
                    self.rep.add(file, entry, f"contacts name no point: {', '.join(bad)}")
                    ok = False
                contacts = tuple(str(c) for c in got_c)
        return _Flat(v, at, angles, label, contacts) if ok else None

    def place(self, flat: _Flat, props: Props, file: str, entry: str) -> Pose | None:
        assert flat.view is not None
        view = flat.view
        angles = tuple((j.name, flat.angles.get(j.name, j.default)) for j in JOINTS[view])
        if flat.label is None:
            self.rep.add(file, entry, "missing field 'label'")
            return None
        x, y = _number(flat.at.get("x")), flat.at.get("y")
        if x is None:
            self.rep.add(file, entry, "at.x must be a number of cm")
            return None
        pose = Pose(view, x, 0.0, angles, flat.label, flat.contacts or ())
        if y == "floor":
            pose = Pose(
                view,
                x,
                -skeleton(pose, self.body).lowest(self.body),
                angles,
                pose.label,
                pose.contacts,
            )
        elif y == "seat":
            if props.chair is None:
                self.rep.add(file, entry, "at.y is seat but the picture has no chair")
                return None
            pose = Pose(
                view, x, PROPS.seat_height + self.body.radius, angles, pose.label, pose.contacts
            )
        elif (y_cm := _number(y)) is not None:
            pose = Pose(view, x, y_cm, angles, pose.label, pose.contacts)
        else:
            self.rep.add(file, entry, f"at.y must be a number, floor or seat, not {y!r}")
            return None
        problems = limit_problems(pose) + placement_problems(pose, props, self.body)
        for problem in problems:
            self.rep.add(file, entry, problem)
        return None if problems else pose

    def props(self, raw: object, file: str, entry: str) -> Props | None:
        if raw is None:
            return Props()
        if not isinstance(raw, Mapping):
            self.rep.add(file, entry, "props must be a mapping like {chair: 0}")
            return None
        values: dict[str, float] = {}
        for key, value in raw.items():
            number = _number(value)
            if key not in ("chair", "wall", "desk", "cushion"):
                self.rep.add(file, entry, f"unknown prop {key!r}")
                return None
            if number is None:
                self.rep.add(file, entry, f"prop {key} needs an x position in cm")
                return None
            values[str(key)] = number
        return Props(**values)

    def arrow(
        self, raw: object, view: View, start: Pose, end: Pose, file: str, entry: str
    ) -> Arrow | None:
        names = point_names(view)
        if isinstance(raw, str):
            raw = {"path": raw}
        if not isinstance(raw, Mapping):
            self.rep.add(file, entry, "arrow must be a point name or a mapping")
            return None
        kinds = [k for k in ("path", "push", "turn") if k in raw]
        if len(kinds) != 1:
            self.rep.add(file, entry, "arrow needs exactly one of path, push or turn")
            return None
        kind: ArrowKind = "path" if kinds[0] == "path" else "push" if kinds[0] == "push" else "turn"
        allowed = {
            "path": {"bend"},
            "push": {"direction", "offset"},
            "turn": {"clockwise", "offset"},
        }[kind] | {kind}
        unknown = set(raw) - allowed
        if unknown:
            self.rep.add(
                file, entry, f"unknown arrow field(s) for {kind}: {sorted(map(str, unknown))}"
            )
            return None
        point = raw[kind]
        if point not in names:
            self.rep.add(file, entry, f"arrow point {point!r} is no point of a {view} view")
            return None
        assert isinstance(point, str)
        offset_raw = raw.get("offset", [0, 0])
        if (
            not isinstance(offset_raw, list)
            or len(offset_raw) != 2
            or any(_number(v) is None for v in offset_raw)
        ):
            self.rep.add(file, entry, "arrow offset must be [dx, dy] in cm")
            return None
        offset = (float(offset_raw[0]), float(offset_raw[1]))
        bend = _number(raw.get("bend", 0.0))
        direction = _number(raw.get("direction", 0.0))
        clockwise = raw.get("clockwise", False)
        if bend is None or direction is None or not isinstance(clockwise, bool):
            self.rep.add(file, entry, "arrow bend and direction are numbers, clockwise true/false")
            return None
        if kind == "path":
            moved = _distance(
                skeleton(start, self.body).point(point), skeleton(end, self.body).point(point)
            )
            if moved < MIN_PATH_ARROW:
                self.rep.add(
                    file, entry, f"arrow point {point} moves only {moved:.1f} cm; use push or turn"
                )
                return None
        return Arrow(kind, point, bend, direction, offset, clockwise)

    def default_arrow(
        self, view: View, start: Pose, end: Pose, moves: tuple[str, ...], file: str, entry: str
    ) -> Arrow | None:
        a, b = skeleton(start, self.body), skeleton(end, self.body)
        candidates = sorted({distal_point(view, seg) for seg in moves})
        best = max(candidates, key=lambda n: _distance(a.point(n), b.point(n)))
        if _distance(a.point(best), b.point(best)) < MIN_PATH_ARROW:
            self.rep.add(file, entry, "the moving part travels too little for a path arrow")
            return None
        return Arrow("path", best)

    def picture(self, raw: Mapping[object, object], file: str, entry: str) -> Picture | None:
        allowed = {"props", "start", "end", "moves", "arrow"}
        bad = [str(k) for k in raw if k not in allowed]
        if bad:
            self.rep.add(file, entry, f"unknown field(s) {', '.join(bad)}")
            return None
        for key in ("start", "end", "moves"):
            if key not in raw:
                self.rep.add(file, entry, f"missing field '{key}'")
                return None
        props = self.props(raw.get("props"), file, entry)
        start_flat = self.flat(raw["start"], file, f"{entry}.start")
        if props is None or start_flat is None:
            return None
        end_flat = self.flat(raw["end"], file, f"{entry}.end", start_flat)
        if end_flat is None:
            return None
        start = self.place(start_flat, props, file, f"{entry}.start")
        end = self.place(end_flat, props, file, f"{entry}.end")
        if start is None or end is None:
            return None
        if start.view != end.view:
            self.rep.add(file, entry, "start and end are drawn in different views")
            return None
        view = start.view
        moves_raw = raw["moves"]
        groups = limb_groups(view)
        known = set(segment_names(view)) | set(groups)
        if not isinstance(moves_raw, list) or not moves_raw:
            self.rep.add(file, entry, "moves must be a non-empty list of segments or limbs")
            return None
        bad_moves = [str(m) for m in moves_raw if m not in known]
        if bad_moves:
            self.rep.add(file, entry, f"moves names no segment or limb: {', '.join(bad_moves)}")
            return None
        moves: list[str] = []
        for m in moves_raw:
            for seg in groups.get(str(m), (str(m),)):
                if seg not in moves:
                    moves.append(seg)
        arrow_raw = raw.get("arrow")
        if arrow_raw is None:
            arrows = [self.default_arrow(view, start, end, tuple(moves), file, entry)]
        else:
            specs = arrow_raw if isinstance(arrow_raw, list) and arrow_raw else [arrow_raw]
            arrows = [self.arrow(spec, view, start, end, file, entry) for spec in specs]
        drawn = tuple(a for a in arrows if a is not None)
        if len(drawn) < len(arrows):
            return None
        return Picture(view, start, end, tuple(moves), drawn, props)


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


_Slot = Picture | Shared | str  # a str is a same_as reference still to resolve


def parse_pose_files(files: Mapping[str, object], body: Body = BODY) -> tuple[PoseBook, list[str]]:
    """Validate loaded pose files (file name -> YAML data) into a PoseBook and its problems.

    Problems read "file: entry: problem". A routine's id is its file name without '.yaml'.
    """
    p = _Parser(body)
    rep = p.rep
    for file in sorted(files):
        data = files[file]
        if not isinstance(data, Mapping):
            rep.add(file, "(file)", "a pose file must be a mapping with 'steps'")
            continue
        bad = [str(k) for k in data if k not in ("poses", "steps")]
        if bad:
            rep.add(file, "(file)", f"unknown field(s) {', '.join(bad)}")
        bases = data.get("poses") or {}
        if not isinstance(bases, Mapping):
            rep.add(file, "poses", "poses must be a mapping of named poses")
            continue
        for name, raw in bases.items():
            if not isinstance(name, str) or not ID_RE.match(name) or name == "start":
                rep.add(file, f"poses.{name}", "a pose name is lowercase words joined by '-'")
            elif name in p.bases:
                rep.add(file, f"poses.{name}", f"defined twice (also in {p.bases[name][0]})")
            elif not isinstance(raw, Mapping):
                rep.add(file, f"poses.{name}", "a pose must be a mapping")
            else:
                p.bases[name] = (file, raw)
    slots: dict[str, tuple[str, str, _Slot]] = {}
    layout: list[tuple[str, list[tuple[str, list[str]]]]] = []
    for file in sorted(files):
        data = files[file]
        if not isinstance(data, Mapping):
            continue
        routine_id = file.rsplit("/", 1)[-1].removesuffix(".yaml")
        steps = data.get("steps")
        if not isinstance(steps, Mapping) or not steps:
            rep.add(file, "steps", "steps must be a mapping of step ids to pictures")
            continue
        routine_layout: list[tuple[str, list[str]]] = []
        for step_id, raw in steps.items():
            entry = f"steps.{step_id}"
            if not isinstance(step_id, str) or not ID_RE.match(step_id):
                rep.add(file, entry, "a step id is lowercase words joined by '-'")
                continue
            if not isinstance(raw, Mapping):
                rep.add(file, entry, "a step needs start, end and moves, or same_as")
                continue
            main_raw = {k: v for k, v in raw.items() if k not in VARIANTS}
            slot = _slot(p, main_raw, file, entry, None)
            if slot is None:
                continue
            slots[picture_name(routine_id, step_id)] = (file, entry, slot)
            present: list[str] = []
            for variant in VARIANTS:
                if variant not in raw:
                    continue
                v_entry = f"{entry}.{variant}"
                v_slot = _slot(p, raw[variant], file, v_entry, picture_name(routine_id, step_id))
                if v_slot is not None:
                    slots[picture_name(routine_id, step_id, variant)] = (file, v_entry, v_slot)
                    present.append(variant)
            routine_layout.append((step_id, present))
        layout.append((routine_id, routine_layout))
    resolved: dict[str, Picture | Shared] = {}
    copies: list[tuple[str, str]] = []
    for name, (file, entry, slot) in slots.items():
        if not isinstance(slot, str):
            resolved[name] = slot
            continue
        parts = slot.split("/")
        source = picture_name(*parts) if len(parts) in (2, 3) else ""
        target = slots.get(source)
        if target is None or not isinstance(target[2], Picture):
            rep.add(file, entry, f"same_as must name a picture drawn of its own, not {slot!r}")
            continue
        resolved[name] = target[2]
        copies.append((name, source))
    routines: list[tuple[str, tuple[StepPictures, ...]]] = []
    for routine_id, routine_layout in layout:
        built: list[StepPictures] = []
        for step_id, present in routine_layout:
            main = resolved.get(picture_name(routine_id, step_id))
            if not isinstance(main, Picture):
                continue
            variants = tuple(
                (v, got)
                for v in present
                if (got := resolved.get(picture_name(routine_id, step_id, v))) is not None
            )
            built.append(StepPictures(step_id, main, variants))
        routines.append((routine_id, tuple(built)))
    for name, (file, _) in sorted(p.bases.items()):
        if name not in p.used:
            rep.add(file, f"poses.{name}", "never used")
    return PoseBook(tuple(routines), tuple(copies)), rep.problems


def _slot(p: _Parser, raw: object, file: str, entry: str, main: str | None) -> _Slot | None:
    """One step or variant entry: its own picture, a same_as reference, or (variants) same."""
    if not isinstance(raw, Mapping):
        rep_text = "a variant is {same: why}, {same_as: ...} or a picture"
        p.rep.add(file, entry, rep_text if main else "a step needs start, end and moves")
        return None
    if "same" in raw and main is not None:
        why = raw["same"]
        if set(raw) != {"same"} or not isinstance(why, str) or len(why.strip()) < REASON_MIN:
            p.rep.add(file, entry, f"same needs a reason ({REASON_MIN}+ characters), alone")
            return None
        return Shared(main, " ".join(why.split()))
    if "same_as" in raw:
        target = raw["same_as"]
        if set(raw) != {"same_as"} or not isinstance(target, str):
            p.rep.add(file, entry, "same_as is a routine/step[/variant] text and stands alone")
            return None
        return target
    return p.picture(raw, file, entry)


def missing_pictures(
    routine_steps: Mapping[str, Mapping[str, Iterable[str]]], book: PoseBook
) -> list[str]:
    """Steps and variants without an entry, and entries for no step.

    `routine_steps` maps routine id -> step id -> the variant keys the step has.
    """
    out: list[str] = []
    have = {rid: {sp.step: sp for sp in steps} for rid, steps in book.routines}
    for rid, steps in routine_steps.items():
        pictured = have.get(rid, {})
        for step_id, variants in steps.items():
            sp = pictured.get(step_id)
            if sp is None:
                out.append(f"{rid}.yaml: steps.{step_id}: no picture")
                continue
            got = dict(sp.variants)
            for variant in variants:
                if variant not in got:
                    out.append(f"{rid}.yaml: steps.{step_id}.{variant}: no picture and no 'same'")
            for variant in got:
                if variant not in variants:
                    out.append(
                        f"{rid}.yaml: steps.{step_id}.{variant}: the step has no {variant} variant"
                    )
        for step_id in pictured:
            if step_id not in steps:
                out.append(f"{rid}.yaml: steps.{step_id}: no such step in the routine")
    for rid in have:
        if rid not in routine_steps:
            out.append(f"{rid}.yaml: (file): no routine {rid!r}")
    return out


def canonical(picture: Picture, body: Body = BODY, sizes: PropSizes = PROPS) -> str:
    """A stable text of everything a picture is drawn from (for its fingerprint)."""
    data = {"picture": asdict(picture), "body": asdict(body), "props": asdict(sizes)}
    return json.dumps(_rounded(data), sort_keys=True, separators=(",", ":"))


def fingerprint(picture: Picture, renderer_version: str) -> str:
    """SHA-256 of a picture's data and the renderer version, to tell a stale file."""
    text = f"{renderer_version}\n{canonical(picture)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3) + 0.0
    if isinstance(value, Mapping):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_rounded(v) for v in value]
    return value
