"""Guided routines: frozen data classes and the validator of `knowledge/routines/<id>.yaml`.

RoutineFile format: one routine per YAML file, named after its id.

    id: beginner                  # lowercase letters, digits, '-'; at most 20 characters
    title: Beginner hip and back routine
    kind: exercise                # exercise (default) or walk
    minutes: [12, 18]             # shortest and longest estimate, 1..120
    level: beginner               # beginner, intermediate or advanced
    for_whom: One short sentence.
    description: A short paragraph.
    stop_rules: [Stop if ..., ...]            # at least one
    sources: [E11, E13, E14]                  # codes of knowledge/sources.yaml (caller checks)
    levels:                       # at least one; the first from week 1, then strictly later
      - {id: weeks-1-2, label: Weeks 1-2, from_week: 1, harder: false}
      - {id: from-week-3, label: From week 3, from_week: 3, harder: true, min_sessions: 4}
    steps:                        # at least one; ids unique within the routine
      - id: glute-bridge          # like a routine id, at most 40 characters
        name: Glute bridge
        how: Two to four short sentences.
        dose: {sets: 2, reps: 10, hold_seconds: 3}   # also: seconds, per_side (true/false)
        mistake: Arching your back at the top.
        easier: {name: Small bridge, how: One to four sentences., dose: {...}}  # dose optional
        harder: {name: Single-leg bridge, how: ..., dose: {...}}
        from_week: 1              # optional: the step joins levels from this week on
    walk:                         # kind walk only (then exactly one step, timed in seconds)
      start_minutes: 10           # week 1
      week2_minutes: 15           # week 2
      add_minutes: 5              # added every `every_weeks` weeks after week 2 ...
      every_weeks: 2
      max_minutes: 30             # ... up to this
      days_per_week: [3, 5]       # at the start
      target_days: 5              # in the end
      restart_after_days: 14      # a longer break starts the plan again at week 1

A level shows the steps whose from_week <= its from_week. At a `harder` level, steps that
already belonged to an earlier level use their harder variant as the main instruction.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

RoutineKind = Literal["exercise", "walk"]
ROUTINE_KINDS: tuple[RoutineKind, ...] = ("exercise", "walk")
ROUTINE_LEVELS = ("beginner", "intermediate", "advanced")

ROUTINE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROUTINE_ID_MAX = 20
STEP_ID_MAX = 40
NAME_MAX = 60
HOW_MAX = 400
TEXT_MAX = 600
MAX_MINUTES = 120

Problem = tuple[str, str]


def _format_seconds(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} min"
    if seconds > 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"


@dataclass(frozen=True)
class Dose:
    """How much of an exercise: repetitions, sets, holds, timed parts, per side or not."""

    reps: int | None = None
    sets: int | None = None
    hold_seconds: int | None = None
    seconds: int | None = None
    per_side: bool = False

    def describe(self) -> str:
        """Short text such as "2 x 8 per side", "2 x 10, hold 3 s", "hold 5 s" or "1 min"."""
        parts: list[str] = []
        count = ""
        if self.reps is not None:
            count = f"{self.sets} x {self.reps}" if self.sets else str(self.reps)
            if not self.per_side and not self.sets:
                count += " reps"
        elif self.seconds is not None:
            timed = _format_seconds(self.seconds)
            count = f"{self.sets} x {timed}" if self.sets else timed
        if count:
            parts.append(count + (" per side" if self.per_side else ""))
        if self.hold_seconds is not None:
            hold = f"hold {self.hold_seconds} s"
            if not count and self.per_side:
                hold += " per side"
            parts.append(hold)
        return ", ".join(parts)

    @property
    def timer_seconds(self) -> int | None:
        """Seconds of the hold or timed part (None when the step is not timed)."""
        if self.hold_seconds is not None:
            return self.hold_seconds
        return self.seconds


@dataclass(frozen=True)
class Variant:
    """An easier or harder version of a step; dose None means the step's own dose."""

    name: str
    how: str
    dose: Dose | None = None


@dataclass(frozen=True)
class Step:
    """One exercise of a routine."""

    id: str
    name: str
    how: str
    dose: Dose
    mistake: str
    easier: Variant
    harder: Variant
    from_week: int = 1


@dataclass(frozen=True)
class Level:
    """A progression level: the steps from week 1 up to `from_week`, harder variants or not."""

    id: str
    label: str
    from_week: int
    harder: bool
    min_sessions: int = 0


@dataclass(frozen=True)
class WalkPlan:
    """The walking plan's numbers (after WalkBack): minutes per walk by week of the plan."""

    start_minutes: int = 10
    week2_minutes: int = 15
    add_minutes: int = 5
    every_weeks: int = 2
    max_minutes: int = 30
    days_per_week: tuple[int, int] = (3, 5)
    target_days: int = 5
    restart_after_days: int = 14


@dataclass(frozen=True)
class Routine:
    """A guided routine: its steps, progression levels, stop rules and sources."""

    id: str
    title: str
    minutes: tuple[int, int]
    level: str
    for_whom: str
    description: str
    stop_rules: tuple[str, ...]
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    levels: tuple[Level, ...]
    kind: RoutineKind = "exercise"
    walk: WalkPlan | None = None

    @property
    def first_level(self) -> Level:
        """The starting level (the one from week 1)."""
        return self.levels[0]

    def level_by_id(self, level_id: str) -> Level | None:
        """The level with this id, if any."""
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def steps_for(self, level_id: str) -> tuple[Step, ...]:
        """The steps of a level, in order (empty for an unknown level id)."""
        level = self.level_by_id(level_id)
        if level is None:
            return ()
        return tuple(s for s in self.steps if s.from_week <= level.from_week)


# --------------------------------------------------------------------------- validation

_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")

_ROUTINE_KEYS = frozenset(
    {
        "id", "title", "kind", "minutes", "level", "for_whom", "description",
        "stop_rules", "sources", "levels", "steps", "walk",
    }
)
_STEP_KEYS = frozenset(
    {"id", "name", "how", "dose", "mistake", "easier", "harder", "from_week"}
)
_VARIANT_KEYS = frozenset({"name", "how", "dose"})
_DOSE_KEYS = frozenset({"reps", "sets", "hold_seconds", "seconds", "per_side"})
_LEVEL_KEYS = frozenset({"id", "label", "from_week", "harder", "min_sessions"})
_WALK_KEYS = frozenset(
    {
        "start_minutes", "week2_minutes", "add_minutes", "every_weeks", "max_minutes",
        "days_per_week", "target_days", "restart_after_days",
    }
)
_DOSE_LIMITS = {"reps": 100, "sets": 10, "hold_seconds": 120, "seconds": 3600}


def count_sentences(text: str) -> int:
    """Number of sentences in a text (split after '.', '!' or '?' followed by a space)."""
    return len([s for s in _SENTENCE_END_RE.split(text.strip()) if s.strip()])


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str) -> None:
        self.problems.append((where, what))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_keys(
    data: Mapping[object, object], allowed: frozenset[str], where: str, rep: _Report
) -> None:
    for key in data:
        if key not in allowed:
            rep.add(where, f"unknown field {key!r}")


def _text(
    data: Mapping[object, object],
    key: str,
    where: str,
    rep: _Report,
    *,
    max_len: int = TEXT_MAX,
    sentences: tuple[int, int] | None = None,
) -> str | None:
    if key not in data or data[key] is None:
        rep.add(where, f"missing field '{key}'")
        return None
    value = data[key]
    if not isinstance(value, str):
        rep.add(where, f"'{key}' must be text, not {type(value).__name__}")
        return None
    text = " ".join(value.split())
    if not text:
        rep.add(where, f"'{key}' is empty")
        return None
    ok = True
    if len(text) > max_len:
        rep.add(where, f"'{key}' is {len(text)} characters; at most {max_len}")
        ok = False
    if sentences is not None:
        low, high = sentences
        n = count_sentences(text)
        if not low <= n <= high:
            rep.add(where, f"'{key}' has {n} sentences; it needs {low} to {high}")
            ok = False
    return text if ok else None


def _int_field(
    data: Mapping[object, object],
    key: str,
    where: str,
    rep: _Report,
    *,
    low: int,
    high: int,
    default: int | None = None,
) -> int | None:
    if key not in data or data[key] is None:
        if default is None:
            rep.add(where, f"missing field '{key}'")
        return default
    value = data[key]
    if not _is_int(value):
        rep.add(where, f"'{key}' must be a whole number, not {value!r}")
        return None
    number = cast(int, value)
    if not low <= number <= high:
        rep.add(where, f"'{key}' is {number}; it must be {low} to {high}")
        return None
    return number


def _bool_field(
    data: Mapping[object, object], key: str, where: str, rep: _Report, *, default: bool | None
) -> bool | None:
    if key not in data or data[key] is None:
        if default is None:
            rep.add(where, f"missing field '{key}'")
        return default
    value = data[key]
    if not isinstance(value, bool):
        rep.add(where, f"'{key}' must be true or false, not {value!r}")
        return None
    return value


def _id_ok(value: object, max_len: int) -> bool:
    return isinstance(value, str) and len(value) <= max_len and bool(ROUTINE_ID_RE.match(value))


def _text_list(
    data: Mapping[object, object], key: str, where: str, rep: _Report, *, max_len: int
) -> tuple[str, ...] | None:
    value = data.get(key)
    if value is None:
        rep.add(where, f"missing field '{key}'")
        return None
    if not isinstance(value, list):
        rep.add(where, f"'{key}' must be a list, not {type(value).__name__}")
        return None
    if not value:
        rep.add(where, f"'{key}' is empty")
        return None
    items: list[str] = []
    ok = True
    for n, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            rep.add(where, f"'{key}' item {n} must be non-empty text, not {item!r}")
            ok = False
            continue
        text = " ".join(item.split())
        if len(text) > max_len:
            rep.add(where, f"'{key}' item {n} is {len(text)} characters; at most {max_len}")
            ok = False
        if text in items:
            rep.add(where, f"'{key}' lists {text!r} twice")
            ok = False
        items.append(text)
    return tuple(items) if ok else None


def _parse_dose(raw: object, where: str, rep: _Report, label: str = "dose") -> Dose | None:
    if not isinstance(raw, dict):
        rep.add(where, f"'{label}' must be a mapping, not {type(raw).__name__}")
        return None
    before = len(rep.problems)
    for key in raw:
        if key not in _DOSE_KEYS:
            rep.add(where, f"'{label}' has unknown field {key!r}")
    values: dict[str, int | None] = {}
    for key, high in _DOSE_LIMITS.items():
        value = raw.get(key)
        if value is None:
            values[key] = None
        elif not _is_int(value) or not 1 <= cast(int, value) <= high:
            rep.add(where, f"'{label}.{key}' must be a whole number 1 to {high}, not {value!r}")
            values[key] = None
        else:
            values[key] = cast(int, value)
    per_side = raw.get("per_side", False)
    if not isinstance(per_side, bool):
        rep.add(where, f"'{label}.per_side' must be true or false, not {per_side!r}")
        per_side = False
    reps, sets, hold, seconds = (
        values["reps"], values["sets"], values["hold_seconds"], values["seconds"]
    )
    if reps is None and hold is None and seconds is None:
        rep.add(where, f"'{label}' needs reps, hold_seconds or seconds")
    if reps is not None and seconds is not None:
        rep.add(where, f"'{label}' has both reps and seconds; use one")
    if hold is not None and seconds is not None:
        rep.add(where, f"'{label}' has both hold_seconds and seconds; use one")
    if sets is not None and reps is None and seconds is None:
        rep.add(where, f"'{label}' has sets without reps or seconds")
    if len(rep.problems) > before:
        return None
    return Dose(reps=reps, sets=sets, hold_seconds=hold, seconds=seconds, per_side=per_side)


def _parse_variant(raw: object, label: str, where: str, rep: _Report) -> Variant | None:
    if raw is None:
        rep.add(where, f"missing field '{label}'")
        return None
    if not isinstance(raw, dict):
        rep.add(where, f"'{label}' must be a mapping with name, how and dose")
        return None
    before = len(rep.problems)
    for key in raw:
        if key not in _VARIANT_KEYS:
            rep.add(where, f"'{label}' has unknown field {key!r}")
    name = _text(raw, "name", where, rep, max_len=NAME_MAX)
    how = _text(raw, "how", where, rep, max_len=HOW_MAX, sentences=(1, 4))
    dose = None
    if raw.get("dose") is not None:
        dose = _parse_dose(raw["dose"], where, rep, f"{label}.dose")
    if len(rep.problems) > before:
        # name the variant in messages that came from the shared helpers
        rep.problems[before:] = [
            (w, m if m.startswith(f"'{label}") else f"{label}: {m}")
            for w, m in rep.problems[before:]
        ]
        return None
    assert name is not None and how is not None
    return Variant(name=name, how=how, dose=dose)


def _parse_step(raw: object, n: int, rid: str, rep: _Report) -> Step | None:
    if not isinstance(raw, dict):
        rep.add(f"{rid}/step {n}", f"a step must be a mapping, not {type(raw).__name__}")
        return None
    sid = raw.get("id")
    where = f"{rid}/{sid}" if isinstance(sid, str) and sid else f"{rid}/step {n}"
    before = len(rep.problems)
    _unknown_keys(raw, _STEP_KEYS, where, rep)
    if sid is None:
        rep.add(where, "missing field 'id'")
    elif not _id_ok(sid, STEP_ID_MAX):
        rep.add(
            where,
            f"step id {sid!r} must be lowercase letters, digits and '-', "
            f"at most {STEP_ID_MAX} characters",
        )
    name = _text(raw, "name", where, rep, max_len=NAME_MAX)
    how = _text(raw, "how", where, rep, max_len=HOW_MAX, sentences=(2, 4))
    dose = None
    if raw.get("dose") is None:
        rep.add(where, "missing field 'dose'")
    else:
        dose = _parse_dose(raw["dose"], where, rep)
    mistake = _text(raw, "mistake", where, rep, max_len=TEXT_MAX)
    easier = _parse_variant(raw.get("easier"), "easier", where, rep)
    harder = _parse_variant(raw.get("harder"), "harder", where, rep)
    from_week = _int_field(raw, "from_week", where, rep, low=1, high=52, default=1)
    if len(rep.problems) > before:
        return None
    assert name and how and dose and mistake and easier and harder and from_week
    return Step(
        id=cast(str, sid), name=name, how=how, dose=dose, mistake=mistake,
        easier=easier, harder=harder, from_week=from_week,
    )


def _parse_level(raw: object, n: int, rid: str, rep: _Report) -> Level | None:
    if not isinstance(raw, dict):
        rep.add(f"{rid}/levels/{n}", f"a level must be a mapping, not {type(raw).__name__}")
        return None
    lid = raw.get("id")
    where = f"{rid}/levels/{lid}" if isinstance(lid, str) and lid else f"{rid}/levels/{n}"
    before = len(rep.problems)
    _unknown_keys(raw, _LEVEL_KEYS, where, rep)
    if lid is None:
        rep.add(where, "missing field 'id'")
    elif not _id_ok(lid, ROUTINE_ID_MAX):
        rep.add(
            where,
            f"level id {lid!r} must be lowercase letters, digits and '-', "
            f"at most {ROUTINE_ID_MAX} characters",
        )
    label = _text(raw, "label", where, rep, max_len=NAME_MAX)
    from_week = _int_field(raw, "from_week", where, rep, low=1, high=52)
    harder = _bool_field(raw, "harder", where, rep, default=None)
    min_sessions = _int_field(raw, "min_sessions", where, rep, low=0, high=100, default=0)
    if len(rep.problems) > before:
        return None
    assert label and from_week is not None and harder is not None and min_sessions is not None
    return Level(
        id=cast(str, lid), label=label, from_week=from_week, harder=harder,
        min_sessions=min_sessions,
    )


def _parse_walk(raw: object, rid: str, rep: _Report) -> WalkPlan | None:
    where = f"{rid}/walk"
    if not isinstance(raw, dict):
        rep.add(where, f"'walk' must be a mapping, not {type(raw).__name__}")
        return None
    before = len(rep.problems)
    _unknown_keys(raw, _WALK_KEYS, where, rep)
    d = WalkPlan()
    start = _int_field(raw, "start_minutes", where, rep, low=1, high=MAX_MINUTES)
    week2 = _int_field(raw, "week2_minutes", where, rep, low=1, high=MAX_MINUTES)
    add = _int_field(raw, "add_minutes", where, rep, low=0, high=60, default=d.add_minutes)
    every = _int_field(raw, "every_weeks", where, rep, low=1, high=12, default=d.every_weeks)
    top = _int_field(raw, "max_minutes", where, rep, low=1, high=MAX_MINUTES)
    target = _int_field(raw, "target_days", where, rep, low=1, high=7, default=d.target_days)
    restart = _int_field(
        raw, "restart_after_days", where, rep, low=1, high=365, default=d.restart_after_days
    )
    days = raw.get("days_per_week", list(d.days_per_week))
    days_ok = (
        isinstance(days, list)
        and len(days) == 2
        and all(_is_int(x) and 1 <= x <= 7 for x in days)
        and days[0] <= days[1]
    )
    if not days_ok:
        rep.add(where, f"'days_per_week' must be [low, high], whole numbers 1 to 7; not {days!r}")
    if start is not None and week2 is not None and top is not None and not start <= week2 <= top:
        rep.add(where, "the minutes must grow: start_minutes <= week2_minutes <= max_minutes")
    if len(rep.problems) > before:
        return None
    assert start and week2 and add is not None and every and top and target and restart
    low_days, high_days = cast(list[int], days)
    return WalkPlan(
        start_minutes=start, week2_minutes=week2, add_minutes=add, every_weeks=every,
        max_minutes=top, days_per_week=(low_days, high_days), target_days=target,
        restart_after_days=restart,
    )


def parse_routine(raw: object) -> tuple[Routine | None, list[Problem]]:
    """Validate one routine file's data: (routine, []) or (None, every problem found)."""
    rep = _Report()
    if not isinstance(raw, dict):
        rep.add("?", f"a routine file must be a mapping, not {type(raw).__name__}")
        return None, rep.problems
    rid_raw = raw.get("id")
    rid = rid_raw if isinstance(rid_raw, str) and rid_raw else "?"
    _unknown_keys(raw, _ROUTINE_KEYS, rid, rep)
    if rid_raw is None:
        rep.add(rid, "missing field 'id'")
    elif not _id_ok(rid_raw, ROUTINE_ID_MAX):
        rep.add(
            rid,
            f"routine id {rid_raw!r} must be lowercase letters, digits and '-', "
            f"at most {ROUTINE_ID_MAX} characters",
        )
    title = _text(raw, "title", rid, rep, max_len=NAME_MAX)
    for_whom = _text(raw, "for_whom", rid, rep, max_len=TEXT_MAX)
    description = _text(raw, "description", rid, rep, max_len=TEXT_MAX)

    kind_raw = raw.get("kind", "exercise")
    kind: RoutineKind | None = None
    if kind_raw in ROUTINE_KINDS:
        kind = cast(RoutineKind, kind_raw)
    else:
        rep.add(rid, f"'kind' must be one of {', '.join(ROUTINE_KINDS)}, not {kind_raw!r}")

    level = raw.get("level")
    if level is None:
        rep.add(rid, "missing field 'level'")
    elif level not in ROUTINE_LEVELS:
        rep.add(rid, f"'level' must be one of {', '.join(ROUTINE_LEVELS)}, not {level!r}")

    minutes: tuple[int, int] | None = None
    m = raw.get("minutes")
    if m is None:
        rep.add(rid, "missing field 'minutes'")
    elif (
        isinstance(m, list)
        and len(m) == 2
        and all(_is_int(x) for x in m)
        and 1 <= m[0] <= m[1] <= MAX_MINUTES
    ):
        minutes = (m[0], m[1])
    else:
        rep.add(rid, f"'minutes' must be [low, high] with 1 <= low <= high <= {MAX_MINUTES}")

    stop_rules = _text_list(raw, "stop_rules", rid, rep, max_len=200)
    sources = _text_list(raw, "sources", rid, rep, max_len=20)

    steps: list[Step] = []
    steps_raw = raw.get("steps")
    if steps_raw is None:
        rep.add(rid, "missing field 'steps'")
    elif not isinstance(steps_raw, list) or not steps_raw:
        rep.add(rid, "'steps' must be a non-empty list")
    else:
        seen: set[str] = set()
        for n, item in enumerate(steps_raw, start=1):
            step = _parse_step(item, n, rid, rep)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                sid = item["id"]
                if sid in seen:
                    rep.add(f"{rid}/{sid}", "duplicate step id")
                seen.add(sid)
            if step is not None:
                steps.append(step)

    levels: list[Level] = []
    levels_raw = raw.get("levels")
    if levels_raw is None:
        rep.add(rid, "missing field 'levels' (at least one level)")
    elif not isinstance(levels_raw, list) or not levels_raw:
        rep.add(rid, "'levels' must be a non-empty list")
    else:
        for n, item in enumerate(levels_raw, start=1):
            lv = _parse_level(item, n, rid, rep)
            if lv is not None:
                levels.append(lv)
        if len(levels) == len(levels_raw):
            ids = [lv.id for lv in levels]
            for lid in sorted({i for i in ids if ids.count(i) > 1}):
                rep.add(f"{rid}/levels/{lid}", "duplicate level id")
            if levels[0].from_week != 1:
                rep.add(f"{rid}/levels/{levels[0].id}", "the first level must start at week 1")
            for a, b in itertools.pairwise(levels):
                if b.from_week <= a.from_week:
                    rep.add(
                        f"{rid}/levels/{b.id}",
                        "levels must be in order of from_week, each later than the one before",
                    )
            if steps and len(steps) == len(steps_raw or []):
                last = max(lv.from_week for lv in levels)
                for step in steps:
                    if step.from_week > last:
                        rep.add(f"{rid}/{step.id}", "from_week is after every level: never shown")
                for lv in levels:
                    if not any(step.from_week <= lv.from_week for step in steps):
                        rep.add(f"{rid}/levels/{lv.id}", "the level has no steps")

    walk: WalkPlan | None = None
    if kind == "walk":
        if raw.get("walk") is None:
            rep.add(rid, "a walk routine needs its 'walk' plan")
        else:
            walk = _parse_walk(raw["walk"], rid, rep)
        if isinstance(steps_raw, list) and len(steps_raw) != 1:
            rep.add(rid, "a walk routine has exactly one step, the walk")
        if len(steps) == 1 and steps[0].dose.seconds is None:
            rep.add(f"{rid}/{steps[0].id}", "the walk step must be timed: dose.seconds")
    elif kind == "exercise" and raw.get("walk") is not None:
        rep.add(rid, "'walk' belongs to walk routines only (kind: walk)")

    if rep.problems:
        return None, rep.problems
    assert title and for_whom and description and kind and minutes
    assert stop_rules is not None and sources is not None
    return (
        Routine(
            id=cast(str, rid_raw), title=title, minutes=minutes, level=cast(str, level),
            for_whom=for_whom, description=description, stop_rules=stop_rules,
            sources=sources, steps=tuple(steps), levels=tuple(levels), kind=kind, walk=walk,
        ),
        [],
    )

