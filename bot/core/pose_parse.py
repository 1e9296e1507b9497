"""Validating one pose file's data (already parsed YAML) into poses and pictures, naming every
problem as 'file: entry: problem'."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.poses import (
    JOINTS,
    LABEL_MAX,
    MIN_PATH_ARROW,
    PROPS,
    SIDES,
    VIEWS,
    Arrow,
    ArrowKind,
    Body,
    Picture,
    Point,
    Pose,
    Props,
    View,
    distal_point,
    limb_groups,
    point_names,
    segment_names,
)
from bot.core.skeleton import limit_problems, placement_problems, skeleton


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
    limbs = {f"{side}_{limb}" for side in SIDES[view] for limb in ("leg", "arm")}
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


class PoseParser:
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
        limbs = {f"{side}_{limb}" for side in SIDES[v] for limb in ("leg", "arm")}
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
