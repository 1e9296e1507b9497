"""Exercise pictures as data: a 2-D skeleton placed by joint angles, its parts and limits.

The pose file format (`knowledge/routines/poses/<routine-id>.yaml`) is described in
docs/knowledge-format.md; parsing is in pose_parse, forward kinematics in skeleton.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

View = Literal["side", "front"]


Side = Literal["near", "far", "mid"]


ArrowKind = Literal["path", "push", "turn"]


Point = tuple[float, float]


VIEWS: tuple[View, ...] = ("side", "front")


VARIANTS = ("easier", "harder")


ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


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


SIDES: Mapping[View, tuple[str, str]] = {"side": ("far", "near"), "front": ("right", "left")}


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
    if rest and side in SIDES[view]:
        return f"{side}_{_DISTAL[view][rest]}"
    return _DISTAL[view][segment]


def limb_groups(view: View) -> dict[str, tuple[str, ...]]:
    """Limb names of a view (near_leg, ...) and the segments each one is drawn with."""
    return {
        f"{side}_{limb}": tuple(f"{side}_{seg}" for seg in segs)
        for side in SIDES[view]
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
        for side in SIDES[view]
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


Slot = Picture | Shared | str  # a str is a same_as reference still to resolve
