"""Validating `knowledge/routines/<id>.yaml` into a Routine (format: `bot.core.routine_model`)."""

from __future__ import annotations

import itertools
from typing import cast

from bot.core.routine_fields import (
    Report,
    bool_field,
    id_ok,
    int_field,
    is_int,
    parse_dose,
    text_field,
    text_list,
    unknown_keys,
)
from bot.core.routine_model import (
    HOW_MAX,
    MAX_MINUTES,
    NAME_MAX,
    ROUTINE_ID_MAX,
    ROUTINE_KINDS,
    ROUTINE_LEVELS,
    STEP_ID_MAX,
    TEXT_MAX,
    Level,
    Problem,
    Routine,
    RoutineKind,
    Step,
    Variant,
    WalkPlan,
)

_ROUTINE_KEYS = frozenset(
    {
        "id",
        "title",
        "kind",
        "minutes",
        "level",
        "for_whom",
        "description",
        "stop_rules",
        "sources",
        "levels",
        "steps",
        "walk",
    }
)


_STEP_KEYS = frozenset({"id", "name", "how", "dose", "mistake", "easier", "harder", "from_week"})


_VARIANT_KEYS = frozenset({"name", "how", "dose"})


_LEVEL_KEYS = frozenset({"id", "label", "from_week", "harder", "min_sessions"})


_WALK_KEYS = frozenset(
    {
        "start_minutes",
        "week2_minutes",
        "add_minutes",
        "every_weeks",
        "max_minutes",
        "days_per_week",
        "target_days",
        "restart_after_days",
    }
)


def _parse_variant(raw: object, label: str, where: str, rep: Report) -> Variant | None:
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
    name = text_field(raw, "name", where, rep, max_len=NAME_MAX)
    how = text_field(raw, "how", where, rep, max_len=HOW_MAX, sentences=(1, 4))
    dose = None
    if raw.get("dose") is not None:
        dose = parse_dose(raw["dose"], where, rep, f"{label}.dose")
    if len(rep.problems) > before:
        # name the variant in messages that came from the shared helpers
        rep.problems[before:] = [
            (w, m if m.startswith(f"'{label}") else f"{label}: {m}")
            for w, m in rep.problems[before:]
        ]
        return None
    assert name is not None and how is not None
    return Variant(name=name, how=how, dose=dose)


def _parse_step(raw: object, n: int, rid: str, rep: Report) -> Step | None:
    if not isinstance(raw, dict):
        rep.add(f"{rid}/step {n}", f"a step must be a mapping, not {type(raw).__name__}")
        return None
    sid = raw.get("id")
    where = f"{rid}/{sid}" if isinstance(sid, str) and sid else f"{rid}/step {n}"
    before = len(rep.problems)
    unknown_keys(raw, _STEP_KEYS, where, rep)
    if sid is None:
        rep.add(where, "missing field 'id'")
    elif not id_ok(sid, STEP_ID_MAX):
        rep.add(
            where,
            f"step id {sid!r} must be lowercase letters, digits and '-', "
            f"at most {STEP_ID_MAX} characters",
        )
    name = text_field(raw, "name", where, rep, max_len=NAME_MAX)
    how = text_field(raw, "how", where, rep, max_len=HOW_MAX, sentences=(2, 4))
    dose = None
    if raw.get("dose") is None:
        rep.add(where, "missing field 'dose'")
    else:
        dose = parse_dose(raw["dose"], where, rep)
    mistake = text_field(raw, "mistake", where, rep, max_len=TEXT_MAX)
    easier = _parse_variant(raw.get("easier"), "easier", where, rep)
    harder = _parse_variant(raw.get("harder"), "harder", where, rep)
    from_week = int_field(raw, "from_week", where, rep, low=1, high=52, default=1)
    if len(rep.problems) > before:
        return None
    assert name and how and dose and mistake and easier and harder and from_week
    return Step(
        id=cast(str, sid),
        name=name,
        how=how,
        dose=dose,
        mistake=mistake,
        easier=easier,
        harder=harder,
        from_week=from_week,
    )


def _parse_level(raw: object, n: int, rid: str, rep: Report) -> Level | None:
    if not isinstance(raw, dict):
        rep.add(f"{rid}/levels/{n}", f"a level must be a mapping, not {type(raw).__name__}")
        return None
    lid = raw.get("id")
    where = f"{rid}/levels/{lid}" if isinstance(lid, str) and lid else f"{rid}/levels/{n}"
    before = len(rep.problems)
    unknown_keys(raw, _LEVEL_KEYS, where, rep)
    if lid is None:
        rep.add(where, "missing field 'id'")
    elif not id_ok(lid, ROUTINE_ID_MAX):
        rep.add(
            where,
            f"level id {lid!r} must be lowercase letters, digits and '-', "
            f"at most {ROUTINE_ID_MAX} characters",
        )
    label = text_field(raw, "label", where, rep, max_len=NAME_MAX)
    from_week = int_field(raw, "from_week", where, rep, low=1, high=52)
    harder = bool_field(raw, "harder", where, rep, default=None)
    min_sessions = int_field(raw, "min_sessions", where, rep, low=0, high=100, default=0)
    if len(rep.problems) > before:
        return None
    assert label and from_week is not None and harder is not None and min_sessions is not None
    return Level(
        id=cast(str, lid),
        label=label,
        from_week=from_week,
        harder=harder,
        min_sessions=min_sessions,
    )


def _parse_walk(raw: object, rid: str, rep: Report) -> WalkPlan | None:
    where = f"{rid}/walk"
    if not isinstance(raw, dict):
        rep.add(where, f"'walk' must be a mapping, not {type(raw).__name__}")
        return None
    before = len(rep.problems)
    unknown_keys(raw, _WALK_KEYS, where, rep)
    d = WalkPlan()
    start = int_field(raw, "start_minutes", where, rep, low=1, high=MAX_MINUTES)
    week2 = int_field(raw, "week2_minutes", where, rep, low=1, high=MAX_MINUTES)
    add = int_field(raw, "add_minutes", where, rep, low=0, high=60, default=d.add_minutes)
    every = int_field(raw, "every_weeks", where, rep, low=1, high=12, default=d.every_weeks)
    top = int_field(raw, "max_minutes", where, rep, low=1, high=MAX_MINUTES)
    target = int_field(raw, "target_days", where, rep, low=1, high=7, default=d.target_days)
    restart = int_field(
        raw, "restart_after_days", where, rep, low=1, high=365, default=d.restart_after_days
    )
    days = raw.get("days_per_week", list(d.days_per_week))
    days_ok = (
        isinstance(days, list)
        and len(days) == 2
        and all(is_int(x) and 1 <= x <= 7 for x in days)
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
        start_minutes=start,
        week2_minutes=week2,
        add_minutes=add,
        every_weeks=every,
        max_minutes=top,
        days_per_week=(low_days, high_days),
        target_days=target,
        restart_after_days=restart,
    )


def parse_routine(raw: object) -> tuple[Routine | None, list[Problem]]:
    """Validate one routine file's data: (routine, []) or (None, every problem found)."""
    rep = Report()
    if not isinstance(raw, dict):
        rep.add("?", f"a routine file must be a mapping, not {type(raw).__name__}")
        return None, rep.problems
    rid_raw = raw.get("id")
    rid = rid_raw if isinstance(rid_raw, str) and rid_raw else "?"
    unknown_keys(raw, _ROUTINE_KEYS, rid, rep)
    if rid_raw is None:
        rep.add(rid, "missing field 'id'")
    elif not id_ok(rid_raw, ROUTINE_ID_MAX):
        rep.add(
            rid,
            f"routine id {rid_raw!r} must be lowercase letters, digits and '-', "
            f"at most {ROUTINE_ID_MAX} characters",
        )
    title = text_field(raw, "title", rid, rep, max_len=NAME_MAX)
    for_whom = text_field(raw, "for_whom", rid, rep, max_len=TEXT_MAX)
    description = text_field(raw, "description", rid, rep, max_len=TEXT_MAX)

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
        and all(is_int(x) for x in m)
        and 1 <= m[0] <= m[1] <= MAX_MINUTES
    ):
        minutes = (m[0], m[1])
    else:
        rep.add(rid, f"'minutes' must be [low, high] with 1 <= low <= high <= {MAX_MINUTES}")

    stop_rules = text_list(raw, "stop_rules", rid, rep, max_len=200)
    sources = text_list(raw, "sources", rid, rep, max_len=20)

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
            id=cast(str, rid_raw),
            title=title,
            minutes=minutes,
            level=cast(str, level),
            for_whom=for_whom,
            description=description,
            stop_rules=stop_rules,
            sources=sources,
            steps=tuple(steps),
            levels=tuple(levels),
            kind=kind,
            walk=walk,
        ),
        [],
    )
