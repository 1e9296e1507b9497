"""Reading the pose files of every routine into a PoseBook, and the fingerprint that ties a
committed picture to the poses it was drawn from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict

from bot.core.pose_parse import PoseParser
from bot.core.poses import (
    BODY,
    ID_RE,
    PROPS,
    REASON_MIN,
    VARIANTS,
    Body,
    Picture,
    PoseBook,
    PropSizes,
    Shared,
    Slot,
    StepPictures,
    picture_name,
)


def parse_pose_files(files: Mapping[str, object], body: Body = BODY) -> tuple[PoseBook, list[str]]:
    """Validate loaded pose files (file name -> YAML data) into a PoseBook and its problems.

    Problems read "file: entry: problem". A routine's id is its file name without '.yaml'.
    """
    p = PoseParser(body)
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
    slots: dict[str, tuple[str, str, Slot]] = {}
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


def _slot(p: PoseParser, raw: object, file: str, entry: str, main: str | None) -> Slot | None:
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
