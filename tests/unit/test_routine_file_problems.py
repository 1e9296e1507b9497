"""Routine files: each problem is reported exactly once, with its exact entry and message, and
a valid file becomes exactly the routine it describes (limits checked on both sides)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core.routine_model import Dose, Level, Routine, Step, Variant, WalkPlan
from bot.core.routine_parse import parse_routine
from tests.unit.routine_data import raw_step

R = "test-routine"
W = "walk-test"
Raw = dict[str, Any]


def valid_raw() -> Raw:
    return {
        "id": R,
        "title": "Test routine",
        "kind": "exercise",
        "minutes": [5, 10],
        "level": "beginner",
        "for_whom": "Testers.",
        "description": "A routine for the tests.",
        "stop_rules": ["Stop if you feel sharp pain.", "Mild discomfort is fine."],
        "sources": ["E11", "G6"],
        "levels": [
            {"id": "start", "label": "Weeks 1-2", "from_week": 1, "harder": False},
            {"id": "more", "label": "From week 3", "from_week": 3, "harder": True},
        ],
        "steps": [
            raw_step("one"),
            raw_step("two", dose={"hold_seconds": 5}),
            raw_step("three", from_week=3, dose={"sets": 2, "seconds": 20, "per_side": True}),
        ],
    }


def valid_walk() -> Raw:
    raw = valid_raw()
    raw.update(
        id=W,
        kind="walk",
        levels=[{"id": "plan", "label": "Plan", "from_week": 1, "harder": False}],
        steps=[raw_step("walk", dose={"seconds": 600})],
        walk={"start_minutes": 10, "week2_minutes": 15, "max_minutes": 30},
    )
    return raw


def put(path: str, value: Any) -> Callable[[Raw], Raw]:
    """Set (or with value ... delete) the item at a dotted path."""

    def change(raw: Raw) -> Raw:
        target: Any = raw
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
        return raw

    return change


def problems_of(raw: Raw) -> list[tuple[str, str]]:
    routine, problems = parse_routine(raw)
    assert (routine is None) == bool(problems)
    return problems


ID_RULE = "must be lowercase letters, digits and '-', at most"
A61 = "A" * 61

# (name, change, the exact list of problems)
TOP_LEVEL: list[tuple[str, Callable[[Raw], Raw], list[tuple[str, str]]]] = [
    ("id missing", put("id", ...), [("?", "missing field 'id'")]),
    ("id null", put("id", None), [("?", "missing field 'id'")]),
    ("id empty", put("id", ""), [("?", f"routine id '' {ID_RULE} 20 characters")]),
    ("id number", put("id", 7), [("?", f"routine id 7 {ID_RULE} 20 characters")]),
    (
        "id capitals",
        put("id", "Bad_Id"),
        [("Bad_Id", f"routine id 'Bad_Id' {ID_RULE} 20 characters")],
    ),
    (
        "id 21 long",
        put("id", "a" * 21),
        [("a" * 21, f"routine id '{'a' * 21}' {ID_RULE} 20 characters")],
    ),
    ("unknown field", put("colour", "red"), [(R, "unknown field 'colour'")]),
    ("title missing", put("title", ...), [(R, "missing field 'title'")]),
    ("title null", put("title", None), [(R, "missing field 'title'")]),
    ("title number", put("title", 3), [(R, "'title' must be text, not int")]),
    ("title list", put("title", ["a"]), [(R, "'title' must be text, not list")]),
    ("title blank", put("title", " \n "), [(R, "'title' is empty")]),
    ("title 61", put("title", A61), [(R, "'title' is 61 characters; at most 60")]),
    ("for_whom missing", put("for_whom", ...), [(R, "missing field 'for_whom'")]),
    (
        "for_whom 601",
        put("for_whom", "b" * 601),
        [(R, "'for_whom' is 601 characters; at most 600")],
    ),
    ("description missing", put("description", ...), [(R, "missing field 'description'")]),
    (
        "description 601",
        put("description", "c" * 601),
        [(R, "'description' is 601 characters; at most 600")],
    ),
    ("kind run", put("kind", "run"), [(R, "'kind' must be one of exercise, walk, not 'run'")]),
    ("kind null", put("kind", None), [(R, "'kind' must be one of exercise, walk, not None")]),
    ("level missing", put("level", ...), [(R, "missing field 'level'")]),
    (
        "level expert",
        put("level", "expert"),
        [(R, "'level' must be one of beginner, intermediate, advanced, not 'expert'")],
    ),
    ("minutes missing", put("minutes", ...), [(R, "missing field 'minutes'")]),
    (
        "minutes reversed",
        put("minutes", [10, 5]),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    (
        "minutes zero",
        put("minutes", [0, 5]),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    (
        "minutes 121",
        put("minutes", [5, 121]),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    (
        "minutes three",
        put("minutes", [1, 2, 3]),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    (
        "minutes floats",
        put("minutes", [1.0, 2]),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    (
        "minutes tuple",
        put("minutes", (1, 2)),
        [(R, "'minutes' must be [low, high] with 1 <= low <= high <= 120")],
    ),
    ("stop_rules missing", put("stop_rules", ...), [(R, "missing field 'stop_rules'")]),
    ("stop_rules text", put("stop_rules", "stop"), [(R, "'stop_rules' must be a list, not str")]),
    ("stop_rules empty", put("stop_rules", []), [(R, "'stop_rules' is empty")]),
    (
        "stop rule number",
        put("stop_rules.1", 7),
        [(R, "'stop_rules' item 2 must be non-empty text, not 7")],
    ),
    (
        "stop rule blank",
        put("stop_rules.0", "  "),
        [(R, "'stop_rules' item 1 must be non-empty text, not '  '")],
    ),
    (
        "stop rule 201",
        put("stop_rules.1", "d" * 201),
        [(R, "'stop_rules' item 2 is 201 characters; at most 200")],
    ),
    (
        "stop rule twice",
        put("stop_rules.1", " Stop if you  feel sharp pain."),
        [(R, "'stop_rules' lists 'Stop if you feel sharp pain.' twice")],
    ),
    (
        "source 21",
        put("sources.0", "S" * 21),
        [(R, "'sources' item 1 is 21 characters; at most 20")],
    ),
    ("sources missing", put("sources", ...), [(R, "missing field 'sources'")]),
    ("steps missing", put("steps", ...), [(R, "missing field 'steps'")]),
    ("steps empty", put("steps", []), [(R, "'steps' must be a non-empty list")]),
    ("steps mapping", put("steps", {"a": 1}), [(R, "'steps' must be a non-empty list")]),
    ("levels missing", put("levels", ...), [(R, "missing field 'levels' (at least one level)")]),
    ("levels empty", put("levels", []), [(R, "'levels' must be a non-empty list")]),
    ("levels text", put("levels", "start"), [(R, "'levels' must be a non-empty list")]),
    (
        "walk on exercise",
        put("walk", {"start_minutes": 10}),
        [(R, "'walk' belongs to walk routines only (kind: walk)")],
    ),
]

STEPS: list[tuple[str, Callable[[Raw], Raw], list[tuple[str, str]]]] = [
    ("step text", put("steps.1", "bridge"), [(f"{R}/step 2", "a step must be a mapping, not str")]),
    ("step without id", put("steps.1.id", ...), [(f"{R}/step 2", "missing field 'id'")]),
    (
        "step id number",
        put("steps.1.id", 5),
        [(f"{R}/step 2", f"step id 5 {ID_RULE} 40 characters")],
    ),
    (
        "step id empty",
        put("steps.1.id", ""),
        [(f"{R}/step 2", f"step id '' {ID_RULE} 40 characters")],
    ),
    (
        "step id words",
        put("steps.1.id", "Two Words"),
        [(f"{R}/Two Words", f"step id 'Two Words' {ID_RULE} 40 characters")],
    ),
    (
        "step id 41",
        put("steps.1.id", "s" * 41),
        [(f"{R}/{'s' * 41}", f"step id '{'s' * 41}' {ID_RULE} 40 characters")],
    ),
    ("duplicate step", put("steps.1.id", "one"), [(f"{R}/one", "duplicate step id")]),
    ("step unknown field", put("steps.0.reps", 3), [(f"{R}/one", "unknown field 'reps'")]),
    ("name missing", put("steps.0.name", ...), [(f"{R}/one", "missing field 'name'")]),
    ("name 61", put("steps.0.name", A61), [(f"{R}/one", "'name' is 61 characters; at most 60")]),
    (
        "how one sentence",
        put("steps.0.how", "Just lift."),
        [(f"{R}/one", "'how' has 1 sentences; it needs 2 to 4")],
    ),
    (
        "how five sentences",
        put("steps.0.how", "A. B. C. D. E."),
        [(f"{R}/one", "'how' has 5 sentences; it needs 2 to 4")],
    ),
    (
        "how 401",
        put("steps.0.how", "Lift. " + "x" * 394 + "."),
        [(f"{R}/one", "'how' is 401 characters; at most 400")],
    ),
    ("how missing", put("steps.0.how", ...), [(f"{R}/one", "missing field 'how'")]),
    ("dose missing", put("steps.0.dose", ...), [(f"{R}/one", "missing field 'dose'")]),
    ("dose null", put("steps.0.dose", None), [(f"{R}/one", "missing field 'dose'")]),
    (
        "dose text",
        put("steps.0.dose", "2 x 8"),
        [(f"{R}/one", "'dose' must be a mapping, not str")],
    ),
    (
        "dose empty",
        put("steps.0.dose", {}),
        [(f"{R}/one", "'dose' needs reps, hold_seconds or seconds")],
    ),
    (
        "dose only per side",
        put("steps.0.dose", {"per_side": True}),
        [(f"{R}/one", "'dose' needs reps, hold_seconds or seconds")],
    ),
    (
        "reps text",
        put("steps.0.dose.reps", "8"),
        [
            (f"{R}/one", "'dose.reps' must be a whole number 1 to 100, not '8'"),
            (f"{R}/one", "'dose' needs reps, hold_seconds or seconds"),
            (f"{R}/one", "'dose' has sets without reps or seconds"),
        ],
    ),
    (
        "reps bool",
        put("steps.1.dose.reps", True),
        [(f"{R}/two", "'dose.reps' must be a whole number 1 to 100, not True")],
    ),
    (
        "reps zero",
        put("steps.1.dose.reps", 0),
        [(f"{R}/two", "'dose.reps' must be a whole number 1 to 100, not 0")],
    ),
    (
        "reps 101",
        put("steps.1.dose.reps", 101),
        [(f"{R}/two", "'dose.reps' must be a whole number 1 to 100, not 101")],
    ),
    (
        "sets 11",
        put("steps.0.dose.sets", 11),
        [(f"{R}/one", "'dose.sets' must be a whole number 1 to 10, not 11")],
    ),
    (
        "sets zero",
        put("steps.0.dose.sets", 0),
        [(f"{R}/one", "'dose.sets' must be a whole number 1 to 10, not 0")],
    ),
    (
        "hold 121",
        put("steps.0.dose.hold_seconds", 121),
        [(f"{R}/one", "'dose.hold_seconds' must be a whole number 1 to 120, not 121")],
    ),
    (
        "hold float",
        put("steps.0.dose.hold_seconds", 5.0),
        [(f"{R}/one", "'dose.hold_seconds' must be a whole number 1 to 120, not 5.0")],
    ),
    (
        "seconds 3601",
        put("steps.2.dose", {"hold_seconds": 5, "seconds": 3601}),
        [(f"{R}/three", "'dose.seconds' must be a whole number 1 to 3600, not 3601")],
    ),
    (
        "reps and seconds",
        put("steps.0.dose.seconds", 30),
        [(f"{R}/one", "'dose' has both reps and seconds; use one")],
    ),
    (
        "hold and seconds",
        put("steps.1.dose.seconds", 30),
        [(f"{R}/two", "'dose' has both hold_seconds and seconds; use one")],
    ),
    (
        "sets alone",
        put("steps.1.dose", {"sets": 2, "hold_seconds": 3}),
        [(f"{R}/two", "'dose' has sets without reps or seconds")],
    ),
    (
        "per_side text",
        put("steps.0.dose.per_side", "yes"),
        [(f"{R}/one", "'dose.per_side' must be true or false, not 'yes'")],
    ),
    (
        "per_side number",
        put("steps.0.dose.per_side", 1),
        [(f"{R}/one", "'dose.per_side' must be true or false, not 1")],
    ),
    (
        "dose unknown field",
        put("steps.0.dose.rest", 30),
        [(f"{R}/one", "'dose' has unknown field 'rest'")],
    ),
    ("mistake missing", put("steps.0.mistake", ...), [(f"{R}/one", "missing field 'mistake'")]),
    (
        "mistake 601",
        put("steps.0.mistake", "m" * 601),
        [(f"{R}/one", "'mistake' is 601 characters; at most 600")],
    ),
    ("easier missing", put("steps.0.easier", ...), [(f"{R}/one", "missing field 'easier'")]),
    ("harder missing", put("steps.0.harder", ...), [(f"{R}/one", "missing field 'harder'")]),
    (
        "easier text",
        put("steps.0.easier", "smaller"),
        [(f"{R}/one", "'easier' must be a mapping with name, how and dose")],
    ),
    (
        "easier unknown",
        put("steps.0.easier.reps", 3),
        [(f"{R}/one", "'easier' has unknown field 'reps'")],
    ),
    (
        "easier no how",
        put("steps.0.easier.how", ...),
        [(f"{R}/one", "easier: missing field 'how'")],
    ),
    (
        "easier no name",
        put("steps.0.easier.name", ...),
        [(f"{R}/one", "easier: missing field 'name'")],
    ),
    (
        "easier name 61",
        put("steps.0.easier.name", A61),
        [(f"{R}/one", "easier: 'name' is 61 characters; at most 60")],
    ),
    (
        "easier how 401",
        put("steps.0.easier.how", "y" * 400 + "."),
        [(f"{R}/one", "easier: 'how' is 401 characters; at most 400")],
    ),
    (
        "harder 5 sentences",
        put("steps.0.harder.how", "A. B. C. D. E."),
        [(f"{R}/one", "harder: 'how' has 5 sentences; it needs 1 to 4")],
    ),
    (
        "harder bad dose",
        put("steps.0.harder.dose.reps", -1),
        [
            (f"{R}/one", "'harder.dose.reps' must be a whole number 1 to 100, not -1"),
            (f"{R}/one", "'harder.dose' has sets without reps or seconds"),
        ],
    ),
    (
        "harder dose text",
        put("steps.0.harder.dose", "more"),
        [(f"{R}/one", "'harder.dose' must be a mapping, not str")],
    ),
    (
        "easier empty dose",
        put("steps.0.easier.dose", {}),
        [(f"{R}/one", "'easier.dose' needs reps, hold_seconds or seconds")],
    ),
    (
        "from_week text",
        put("steps.2.from_week", "three"),
        [(f"{R}/three", "'from_week' must be a whole number, not 'three'")],
    ),
    (
        "from_week zero",
        put("steps.2.from_week", 0),
        [(f"{R}/three", "'from_week' is 0; it must be 1 to 52")],
    ),
    (
        "from_week 53",
        put("steps.2.from_week", 53),
        [(f"{R}/three", "'from_week' is 53; it must be 1 to 52")],
    ),
    (
        "from_week never",
        put("steps.2.from_week", 5),
        [(f"{R}/three", "from_week is after every level: never shown")],
    ),
]

LEVELS: list[tuple[str, Callable[[Raw], Raw], list[tuple[str, str]]]] = [
    (
        "level text",
        put("levels.0", "start"),
        [(f"{R}/levels/1", "a level must be a mapping, not str")],
    ),
    ("level without id", put("levels.1.id", ...), [(f"{R}/levels/2", "missing field 'id'")]),
    (
        "level id number",
        put("levels.1.id", 3),
        [(f"{R}/levels/2", f"level id 3 {ID_RULE} 20 characters")],
    ),
    (
        "level id bang",
        put("levels.1.id", "More!"),
        [(f"{R}/levels/More!", f"level id 'More!' {ID_RULE} 20 characters")],
    ),
    (
        "level id 21",
        put("levels.1.id", "l" * 21),
        [(f"{R}/levels/{'l' * 21}", f"level id '{'l' * 21}' {ID_RULE} 20 characters")],
    ),
    ("level no label", put("levels.1.label", ...), [(f"{R}/levels/more", "missing field 'label'")]),
    (
        "level label 61",
        put("levels.1.label", A61),
        [(f"{R}/levels/more", "'label' is 61 characters; at most 60")],
    ),
    (
        "level no from_week",
        put("levels.1.from_week", ...),
        [(f"{R}/levels/more", "missing field 'from_week'")],
    ),
    (
        "level from_week 53",
        put("levels.1.from_week", 53),
        [(f"{R}/levels/more", "'from_week' is 53; it must be 1 to 52")],
    ),
    (
        "level from_week 0",
        put("levels.0.from_week", 0),
        [(f"{R}/levels/start", "'from_week' is 0; it must be 1 to 52")],
    ),
    (
        "level no harder",
        put("levels.0.harder", ...),
        [(f"{R}/levels/start", "missing field 'harder'")],
    ),
    (
        "level harder null",
        put("levels.0.harder", None),
        [(f"{R}/levels/start", "missing field 'harder'")],
    ),
    (
        "level harder text",
        put("levels.0.harder", "no"),
        [(f"{R}/levels/start", "'harder' must be true or false, not 'no'")],
    ),
    (
        "level harder 0",
        put("levels.0.harder", 0),
        [(f"{R}/levels/start", "'harder' must be true or false, not 0")],
    ),
    (
        "min_sessions 101",
        put("levels.1.min_sessions", 101),
        [(f"{R}/levels/more", "'min_sessions' is 101; it must be 0 to 100")],
    ),
    (
        "min_sessions -1",
        put("levels.1.min_sessions", -1),
        [(f"{R}/levels/more", "'min_sessions' is -1; it must be 0 to 100")],
    ),
    (
        "min_sessions bool",
        put("levels.1.min_sessions", True),
        [(f"{R}/levels/more", "'min_sessions' must be a whole number, not True")],
    ),
    ("level unknown", put("levels.0.steps", 3), [(f"{R}/levels/start", "unknown field 'steps'")]),
    (
        "first level late",
        put("levels.0.from_week", 2),
        [(f"{R}/levels/start", "the first level must start at week 1")],
    ),
    (
        "levels same week",
        put("levels.1.from_week", 1),
        [
            (
                f"{R}/levels/more",
                "levels must be in order of from_week, each later than the one before",
            ),
            (f"{R}/three", "from_week is after every level: never shown"),
        ],
    ),
    ("duplicate level", put("levels.1.id", "start"), [(f"{R}/levels/start", "duplicate level id")]),
]

WALK: list[tuple[str, Callable[[Raw], Raw], list[tuple[str, str]]]] = [
    ("no plan", put("walk", ...), [(W, "a walk routine needs its 'walk' plan")]),
    ("plan null", put("walk", None), [(W, "a walk routine needs its 'walk' plan")]),
    ("plan text", put("walk", "10 min"), [(f"{W}/walk", "'walk' must be a mapping, not str")]),
    ("plan list", put("walk", [10]), [(f"{W}/walk", "'walk' must be a mapping, not list")]),
    ("no start", put("walk.start_minutes", ...), [(f"{W}/walk", "missing field 'start_minutes'")]),
    ("no week2", put("walk.week2_minutes", ...), [(f"{W}/walk", "missing field 'week2_minutes'")]),
    ("no max", put("walk.max_minutes", ...), [(f"{W}/walk", "missing field 'max_minutes'")]),
    (
        "start 0",
        put("walk.start_minutes", 0),
        [(f"{W}/walk", "'start_minutes' is 0; it must be 1 to 120")],
    ),
    (
        "max 121",
        put("walk.max_minutes", 121),
        [(f"{W}/walk", "'max_minutes' is 121; it must be 1 to 120")],
    ),
    (
        "week2 121",
        put("walk.week2_minutes", 121),
        [(f"{W}/walk", "'week2_minutes' is 121; it must be 1 to 120")],
    ),
    (
        "add 61",
        put("walk.add_minutes", 61),
        [(f"{W}/walk", "'add_minutes' is 61; it must be 0 to 60")],
    ),
    (
        "add -1",
        put("walk.add_minutes", -1),
        [(f"{W}/walk", "'add_minutes' is -1; it must be 0 to 60")],
    ),
    (
        "every 0",
        put("walk.every_weeks", 0),
        [(f"{W}/walk", "'every_weeks' is 0; it must be 1 to 12")],
    ),
    (
        "every 13",
        put("walk.every_weeks", 13),
        [(f"{W}/walk", "'every_weeks' is 13; it must be 1 to 12")],
    ),
    (
        "target 8",
        put("walk.target_days", 8),
        [(f"{W}/walk", "'target_days' is 8; it must be 1 to 7")],
    ),
    (
        "target 0",
        put("walk.target_days", 0),
        [(f"{W}/walk", "'target_days' is 0; it must be 1 to 7")],
    ),
    (
        "restart 0",
        put("walk.restart_after_days", 0),
        [(f"{W}/walk", "'restart_after_days' is 0; it must be 1 to 365")],
    ),
    (
        "restart 366",
        put("walk.restart_after_days", 366),
        [(f"{W}/walk", "'restart_after_days' is 366; it must be 1 to 365")],
    ),
    (
        "shrinking max",
        put("walk.max_minutes", 12),
        [(f"{W}/walk", "the minutes must grow: start_minutes <= week2_minutes <= max_minutes")],
    ),
    (
        "shrinking week2",
        put("walk.week2_minutes", 9),
        [(f"{W}/walk", "the minutes must grow: start_minutes <= week2_minutes <= max_minutes")],
    ),
    (
        "days reversed",
        put("walk.days_per_week", [5, 3]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [5, 3]")],
    ),
    (
        "days 8",
        put("walk.days_per_week", [3, 8]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [3, 8]")],
    ),
    (
        "days 0",
        put("walk.days_per_week", [0, 3]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [0, 3]")],
    ),
    (
        "days three",
        put("walk.days_per_week", [1, 2, 3]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [1, 2, 3]")],
    ),
    (
        "days one",
        put("walk.days_per_week", [3]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [3]")],
    ),
    (
        "days text",
        put("walk.days_per_week", "3-5"),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not '3-5'")],
    ),
    (
        "days bools",
        put("walk.days_per_week", [True, 3]),
        [(f"{W}/walk", "'days_per_week' must be [low, high], whole numbers 1 to 7; not [True, 3]")],
    ),
    ("plan unknown", put("walk.pace", "brisk"), [(f"{W}/walk", "unknown field 'pace'")]),
    (
        "two steps",
        lambda r: {**r, "steps": [*r["steps"], raw_step("more", dose={"seconds": 60})]},
        [(W, "a walk routine has exactly one step, the walk")],
    ),
    (
        "untimed walk",
        put("steps.0.dose", {"reps": 1}),
        [(f"{W}/walk", "the walk step must be timed: dose.seconds")],
    ),
]


def _cases(
    table: list[tuple[str, Callable[[Raw], Raw], list[tuple[str, str]]]],
) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("change", "expected"), [c[1:] for c in table], ids=[c[0] for c in table]
    )


@_cases(TOP_LEVEL)
def test_a_routine_field_problem_is_reported_exactly(
    change: Callable[[Raw], Raw], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(change(valid_raw())) == expected


@_cases(STEPS)
def test_a_step_problem_is_reported_exactly(
    change: Callable[[Raw], Raw], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(change(valid_raw())) == expected


@_cases(LEVELS)
def test_a_level_problem_is_reported_exactly(
    change: Callable[[Raw], Raw], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(change(valid_raw())) == expected


@_cases(WALK)
def test_a_walk_plan_problem_is_reported_exactly(
    change: Callable[[Raw], Raw], expected: list[tuple[str, str]]
) -> None:
    assert problems_of(change(valid_walk())) == expected


def test_not_a_mapping_is_one_problem_naming_its_type() -> None:
    assert parse_routine([1]) == (None, [("?", "a routine file must be a mapping, not list")])
    assert parse_routine(None) == (None, [("?", "a routine file must be a mapping, not NoneType")])


def test_several_problems_come_in_file_order() -> None:
    raw = valid_raw()
    raw["title"] = 1
    raw["kind"] = "swim"
    raw["steps"][0]["name"] = None
    raw["steps"][1]["dose"] = {"reps": 0, "seconds": 0}
    raw["levels"][1]["harder"] = "yes"
    assert problems_of(raw) == [
        (R, "'title' must be text, not int"),
        (R, "'kind' must be one of exercise, walk, not 'swim'"),
        (f"{R}/one", "missing field 'name'"),
        (f"{R}/two", "'dose.reps' must be a whole number 1 to 100, not 0"),
        (f"{R}/two", "'dose.seconds' must be a whole number 1 to 3600, not 0"),
        (f"{R}/two", "'dose' needs reps, hold_seconds or seconds"),
        (f"{R}/levels/more", "'harder' must be true or false, not 'yes'"),
    ]


def test_every_unknown_field_and_every_bad_list_item_is_reported() -> None:
    raw = valid_raw()
    raw.update(colour="red", size=2)
    raw["stop_rules"] = [3, "Fine.", "", "Fine."]
    raw["steps"][0]["dose"].update(rest=1, pace=2)
    assert problems_of(raw) == [
        (R, "unknown field 'colour'"),
        (R, "unknown field 'size'"),
        (R, "'stop_rules' item 1 must be non-empty text, not 3"),
        (R, "'stop_rules' item 3 must be non-empty text, not ''"),
        (R, "'stop_rules' lists 'Fine.' twice"),
        (f"{R}/one", "'dose' has unknown field 'rest'"),
        (f"{R}/one", "'dose' has unknown field 'pace'"),
    ]


def test_a_variant_names_itself_in_each_of_its_problems() -> None:
    raw = valid_raw()
    raw["steps"][0]["easier"] = {"name": "", "how": 5, "dose": {"reps": 500}, "x": 1}
    assert problems_of(raw) == [
        (f"{R}/one", "'easier' has unknown field 'x'"),
        (f"{R}/one", "easier: 'name' is empty"),
        (f"{R}/one", "easier: 'how' must be text, not int"),
        (f"{R}/one", "'easier.dose.reps' must be a whole number 1 to 100, not 500"),
        (f"{R}/one", "'easier.dose' needs reps, hold_seconds or seconds"),
    ]


def test_a_broken_step_does_not_hide_its_duplicate_id() -> None:
    raw = valid_raw()
    raw["steps"][1] = {"id": "one"}
    problems = problems_of(raw)
    assert problems[-1] == (f"{R}/one", "duplicate step id")
    assert (f"{R}/one", "missing field 'name'") in problems


def test_a_level_id_used_three_times_is_reported_once() -> None:
    raw = valid_raw()
    raw["levels"] = [
        {"id": "b", "label": "B", "from_week": 1, "harder": False},
        {"id": "a", "label": "A", "from_week": 2, "harder": False},
        {"id": "b", "label": "B", "from_week": 3, "harder": False},
        {"id": "a", "label": "A", "from_week": 4, "harder": False},
        {"id": "b", "label": "B", "from_week": 5, "harder": False},
    ]
    assert problems_of(raw) == [
        (f"{R}/levels/a", "duplicate level id"),
        (f"{R}/levels/b", "duplicate level id"),
    ]


def test_levels_out_of_order_are_each_reported() -> None:
    raw = valid_raw()
    raw["levels"] = [
        {"id": "a", "label": "A", "from_week": 1, "harder": False},
        {"id": "b", "label": "B", "from_week": 4, "harder": False},
        {"id": "c", "label": "C", "from_week": 3, "harder": False},
        {"id": "d", "label": "D", "from_week": 3, "harder": False},
    ]
    assert problems_of(raw) == [
        (f"{R}/levels/c", "levels must be in order of from_week, each later than the one before"),
        (f"{R}/levels/d", "levels must be in order of from_week, each later than the one before"),
    ]


def test_level_order_is_not_checked_while_a_level_is_broken() -> None:
    raw = valid_raw()
    raw["levels"][0]["from_week"] = 4
    raw["levels"][1]["label"] = ""
    assert problems_of(raw) == [(f"{R}/levels/more", "'label' is empty")]


def test_level_steps_are_not_checked_while_a_step_is_broken() -> None:
    raw = valid_raw()
    raw["steps"][2]["from_week"] = 9
    raw["steps"][0]["mistake"] = ""
    assert problems_of(raw) == [(f"{R}/one", "'mistake' is empty")]


def test_a_level_without_steps_is_named() -> None:
    raw = valid_raw()
    for step in raw["steps"]:
        step["from_week"] = 3
    raw["levels"].insert(1, {"id": "mid", "label": "Mid", "from_week": 2, "harder": False})
    assert problems_of(raw) == [
        (f"{R}/levels/start", "the level has no steps"),
        (f"{R}/levels/mid", "the level has no steps"),
    ]


def test_a_walk_with_broken_steps_reports_both() -> None:
    raw = valid_walk()
    raw["steps"] = [raw_step("walk", dose={"seconds": 600}), "second"]
    assert problems_of(raw) == [
        (f"{W}/step 2", "a step must be a mapping, not str"),
        (W, "a walk routine has exactly one step, the walk"),
    ]


def test_kind_walk_needs_no_walk_check_for_an_exercise_without_plan() -> None:
    raw = valid_raw()
    del raw["kind"]
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None and routine.kind == "exercise" and routine.walk is None


# --------------------------------------------------------------------------- the limits hold


def test_every_limit_itself_is_allowed() -> None:
    raw = valid_raw()
    raw.update(id="r" * 20, title="T" * 60, for_whom="f" * 600, description="d" * 600)
    raw["minutes"] = [120, 120]
    raw["stop_rules"] = ["s" * 200]
    raw["sources"] = ["S" * 20]
    step = raw["steps"][0]
    step.update(id="s" * 40, name="N" * 60, mistake="m" * 600, how="A. B. C. D.")
    step["dose"] = {"reps": 100, "sets": 10, "hold_seconds": 120, "per_side": False}
    step["easier"] = {"name": "E" * 60, "how": "x" * 399 + ".", "dose": {"seconds": 3600}}
    raw["steps"][1]["how"] = "Go. " + "y" * 395 + "."
    raw["levels"][1].update(id="l" * 20, label="L" * 60, from_week=52, min_sessions=100)
    raw["steps"][2]["from_week"] = 52
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None
    assert routine.minutes == (120, 120)
    assert routine.steps[0].dose == Dose(reps=100, sets=10, hold_seconds=120)
    assert routine.steps[0].easier.dose == Dose(seconds=3600)
    assert len(routine.steps[1].how) == 400
    assert routine.levels[1] == Level("l" * 20, "L" * 60, 52, True, 100)


def test_the_lowest_values_are_allowed() -> None:
    raw = valid_raw()
    raw["minutes"] = [1, 1]
    raw["steps"][0]["dose"] = {"reps": 1, "sets": 1}
    raw["steps"][1]["dose"] = {"hold_seconds": 1, "per_side": True}
    raw["steps"][2]["dose"] = {"seconds": 1}
    raw["steps"][2]["from_week"] = 1
    raw["steps"][0]["easier"]["how"] = "One."
    raw["levels"][1]["min_sessions"] = 0
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None
    assert routine.minutes == (1, 1)
    assert [s.dose for s in routine.steps] == [
        Dose(reps=1, sets=1),
        Dose(hold_seconds=1, per_side=True),
        Dose(seconds=1),
    ]
    assert [s.from_week for s in routine.steps] == [1, 1, 1]
    assert routine.levels[1].min_sessions == 0


def test_a_valid_file_becomes_exactly_its_routine() -> None:
    raw = valid_raw()
    raw["level"] = "intermediate"
    raw["levels"][1]["min_sessions"] = 4
    raw["steps"][1]["how"] = "  Hold   still.\nBreathe out. "
    raw["stop_rules"] = ["  Stop if   it hurts. "]
    easier_one = Variant("Smaller move", "Move only a little.")
    harder_one = Variant(
        "Bigger move",
        "Move further. Hold at the top.",
        Dose(sets=2, reps=8, hold_seconds=5, per_side=True),
    )

    def step(sid: str, how: str, dose: Dose, from_week: int = 1) -> Step:
        return Step(
            sid, f"Step {sid}", how, dose, "Arching your back.", easier_one, harder_one, from_week
        )

    how = "Lie on your back. Lift one leg slowly."
    assert parse_routine(raw) == (
        Routine(
            id=R,
            title="Test routine",
            minutes=(5, 10),
            level="intermediate",
            for_whom="Testers.",
            description="A routine for the tests.",
            stop_rules=("Stop if it hurts.",),
            sources=("E11", "G6"),
            steps=(
                step("one", how, Dose(reps=8, sets=2, per_side=True)),
                step("two", "Hold still. Breathe out.", Dose(hold_seconds=5)),
                step("three", how, Dose(sets=2, seconds=20, per_side=True), 3),
            ),
            levels=(
                Level("start", "Weeks 1-2", 1, False, 0),
                Level("more", "From week 3", 3, True, 4),
            ),
            kind="exercise",
            walk=None,
        ),
        [],
    )


def test_a_walk_plan_keeps_every_number_it_was_given() -> None:
    raw = valid_walk()
    raw["walk"] = {
        "start_minutes": 7,
        "week2_minutes": 9,
        "add_minutes": 0,
        "every_weeks": 12,
        "max_minutes": 120,
        "days_per_week": [1, 7],
        "target_days": 7,
        "restart_after_days": 365,
    }
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None
    assert routine.walk == WalkPlan(7, 9, 0, 12, 120, (1, 7), 7, 365)


def test_a_walk_plan_fills_in_its_defaults() -> None:
    raw = valid_walk()
    raw["walk"] = {"start_minutes": 20, "week2_minutes": 20, "max_minutes": 20}
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None and routine.kind == "walk"
    assert routine.walk == WalkPlan(20, 20, 5, 2, 20, (3, 5), 5, 14)
    raw["walk"].update(
        days_per_week=[1, 1],
        target_days=1,
        restart_after_days=1,
        every_weeks=1,
        add_minutes=60,
        start_minutes=1,
    )
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None
    assert routine.walk == WalkPlan(1, 20, 60, 1, 20, (1, 1), 1, 1)
