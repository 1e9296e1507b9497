"""The routine data model: Dose texts, the parser/validator, and the bundled routine files."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.routine_fields import count_sentences
from bot.core.routine_model import Dose, Routine, WalkPlan
from bot.core.routine_parse import parse_routine
from tests.unit.routine_data import raw_step

ROOT = Path(__file__).resolve().parents[2]
ROUTINES_DIR = ROOT / "knowledge" / "routines"
BUNDLED = sorted(ROUTINES_DIR.glob("*.yaml"))


def valid_raw() -> dict[str, Any]:
    return {
        "id": "test-routine",
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
            {
                "id": "more",
                "label": "From week 3",
                "from_week": 3,
                "harder": True,
                "min_sessions": 4,
            },
        ],
        "steps": [
            raw_step("one"),
            raw_step("two", dose={"hold_seconds": 5}),
            raw_step("three", from_week=3, dose={"sets": 2, "seconds": 20, "per_side": True}),
        ],
    }


def valid_walk() -> dict[str, Any]:
    raw = valid_raw()
    raw.update(
        id="walk-test",
        kind="walk",
        levels=[{"id": "plan", "label": "Plan", "from_week": 1, "harder": False}],
        steps=[raw_step("walk", dose={"seconds": 600})],
        walk={"start_minutes": 10, "week2_minutes": 15, "max_minutes": 30},
    )
    return raw


# --------------------------------------------------------------------------- Dose


@pytest.mark.parametrize(
    ("dose", "text", "timer"),
    [
        (Dose(reps=8, sets=2, per_side=True), "2 x 8 per side", None),
        (Dose(reps=8), "8 reps", None),
        (Dose(reps=10, per_side=True), "10 per side", None),
        (Dose(reps=10, sets=2, hold_seconds=3), "2 x 10, hold 3 s", 3),
        (Dose(hold_seconds=5), "hold 5 s", 5),
        (Dose(hold_seconds=10, per_side=True), "hold 10 s per side", 10),
        (Dose(seconds=60), "1 min", 60),
        (Dose(seconds=600), "10 min", 600),
        (Dose(seconds=90), "1 min 30 s", 90),
        (Dose(seconds=30), "30 s", 30),
        (Dose(sets=2, seconds=20, per_side=True), "2 x 20 s per side", 20),
        (Dose(reps=5, hold_seconds=5, per_side=True), "5 per side, hold 5 s", 5),
        (Dose(sets=2, reps=6, hold_seconds=5, per_side=True), "2 x 6 per side, hold 5 s", 5),
    ],
)
def test_dose_describe_and_timer(dose: Dose, text: str, timer: int | None) -> None:
    assert dose.describe() == text
    assert dose.timer_seconds == timer


def test_count_sentences() -> None:
    assert count_sentences("One.") == 1
    assert count_sentences("One. Two! Three? Four.") == 4
    assert count_sentences("Hold 5 s. Then relax.") == 2
    assert count_sentences("  ") == 0


# --------------------------------------------------------------------------- parse


def test_valid_routine_parses() -> None:
    routine, problems = parse_routine(valid_raw())
    assert problems == []
    assert isinstance(routine, Routine)
    assert routine.id == "test-routine"
    assert routine.minutes == (5, 10)
    assert routine.kind == "exercise"
    assert routine.walk is None
    assert routine.sources == ("E11", "G6")
    assert [s.id for s in routine.steps] == ["one", "two", "three"]
    assert routine.steps[0].dose == Dose(reps=8, sets=2, per_side=True)
    assert routine.steps[0].easier.dose is None
    assert routine.steps[0].harder.dose == Dose(reps=8, sets=2, hold_seconds=5, per_side=True)
    assert routine.steps[2].from_week == 3
    assert [s.id for s in routine.steps_for("start")] == ["one", "two"]
    assert [s.id for s in routine.steps_for("more")] == ["one", "two", "three"]
    assert routine.steps_for("nope") == ()
    assert routine.first_level.id == "start"
    assert routine.level_by_id("more") is not None
    assert routine.level_by_id("more").min_sessions == 4  # type: ignore[union-attr]
    assert routine.level_by_id("x") is None


def test_valid_walk_parses() -> None:
    routine, problems = parse_routine(valid_walk())
    assert problems == []
    assert routine is not None
    assert routine.kind == "walk"
    assert routine.walk == WalkPlan(start_minutes=10, week2_minutes=15, max_minutes=30)


def test_texts_are_normalised() -> None:
    raw = valid_raw()
    raw["steps"][0]["how"] = "Lie on your back.\n  Lift one   leg slowly."
    routine, problems = parse_routine(raw)
    assert problems == []
    assert routine is not None
    assert routine.steps[0].how == "Lie on your back. Lift one leg slowly."


def _set(path: str, value: Any) -> Any:
    """A mutation: set (or with value ... delete) the item at a dotted path."""

    def mutate(raw: dict[str, Any]) -> dict[str, Any]:
        target: Any = raw
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        if value is ...:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
        return raw

    return mutate


R = "test-routine"
MUTATIONS: list[tuple[str, Any, str, str]] = [
    # (name, mutation, entry id, part of the message)
    ("missing id", _set("id", ...), "?", "missing field 'id'"),
    ("bad id", _set("id", "Bad_Id"), "Bad_Id", "lowercase"),
    ("long id", _set("id", "a" * 21), "a" * 21, "at most 20"),
    ("id not text", _set("id", 5), "?", "lowercase"),
    ("unknown field", _set("colour", "red"), R, "unknown field 'colour'"),
    ("missing title", _set("title", ...), R, "missing field 'title'"),
    ("title not text", _set("title", 3), R, "'title' must be text"),
    ("empty description", _set("description", "  "), R, "'description' is empty"),
    ("missing for_whom", _set("for_whom", ...), R, "missing field 'for_whom'"),
    ("bad kind", _set("kind", "run"), R, "'kind' must be one of"),
    ("bad level", _set("level", "expert"), R, "'level' must be one of"),
    ("missing level", _set("level", ...), R, "missing field 'level'"),
    ("minutes reversed", _set("minutes", [10, 5]), R, "'minutes'"),
    ("minutes zero", _set("minutes", [0, 5]), R, "'minutes'"),
    ("minutes huge", _set("minutes", [5, 500]), R, "'minutes'"),
    ("minutes text", _set("minutes", "ten"), R, "'minutes'"),
    ("minutes one number", _set("minutes", [5]), R, "'minutes'"),
    ("minutes bools", _set("minutes", [True, True]), R, "'minutes'"),
    ("missing minutes", _set("minutes", ...), R, "missing field 'minutes'"),
    ("stop rules missing", _set("stop_rules", ...), R, "missing field 'stop_rules'"),
    ("stop rules empty", _set("stop_rules", []), R, "'stop_rules' is empty"),
    ("stop rules text", _set("stop_rules", "stop"), R, "'stop_rules' must be a list"),
    ("stop rule number", _set("stop_rules.1", 7), R, "'stop_rules' item 2"),
    ("stop rule twice", _set("stop_rules.1", "Stop if you feel sharp pain."), R, "twice"),
    ("source number", _set("sources.0", 11), R, "'sources' item 1"),
    ("sources missing", _set("sources", ...), R, "missing field 'sources'"),
    ("steps missing", _set("steps", ...), R, "missing field 'steps'"),
    ("steps empty", _set("steps", []), R, "'steps' must be a non-empty list"),
    ("steps mapping", _set("steps", {"a": 1}), R, "'steps' must be a non-empty list"),
    ("step not mapping", _set("steps.1", "glute bridge"), f"{R}/step 2", "must be a mapping"),
    ("step without id", _set("steps.1.id", ...), f"{R}/step 2", "missing field 'id'"),
    ("step bad id", _set("steps.1.id", "Two Words"), f"{R}/Two Words", "lowercase"),
    ("duplicate step", _set("steps.1.id", "one"), f"{R}/one", "duplicate step id"),
    ("step unknown field", _set("steps.0.reps", 3), f"{R}/one", "unknown field 'reps'"),
    ("how one sentence", _set("steps.0.how", "Just lift."), f"{R}/one", "1 sentences"),
    ("how five sentences", _set("steps.0.how", "A. B. C. D. E."), f"{R}/one", "5 sentences"),
    ("how too long", _set("steps.0.how", "Lift. " + "x" * 500 + "."), f"{R}/one", "characters"),
    ("how missing", _set("steps.0.how", ...), f"{R}/one", "missing field 'how'"),
    ("name missing", _set("steps.0.name", ...), f"{R}/one", "missing field 'name'"),
    ("dose missing", _set("steps.0.dose", ...), f"{R}/one", "missing field 'dose'"),
    ("dose not mapping", _set("steps.0.dose", "2 x 8"), f"{R}/one", "'dose' must be a mapping"),
    ("dose empty", _set("steps.0.dose", {}), f"{R}/one", "needs reps, hold_seconds or seconds"),
    ("reps text", _set("steps.0.dose.reps", "8"), f"{R}/one", "'dose.reps'"),
    ("reps bool", _set("steps.0.dose.reps", True), f"{R}/one", "'dose.reps'"),
    ("reps zero", _set("steps.0.dose.reps", 0), f"{R}/one", "'dose.reps'"),
    ("reps float", _set("steps.0.dose.reps", 8.5), f"{R}/one", "'dose.reps'"),
    ("reps and seconds", _set("steps.0.dose.seconds", 30), f"{R}/one", "both reps and seconds"),
    ("hold and seconds", _set("steps.1.dose.seconds", 30), f"{R}/two", "both hold_seconds"),
    (
        "sets alone",
        _set("steps.1.dose", {"sets": 2, "hold_seconds": 3}),
        f"{R}/two",
        "sets without reps or seconds",
    ),
    ("per_side text", _set("steps.0.dose.per_side", "yes"), f"{R}/one", "per_side"),
    ("dose unknown field", _set("steps.0.dose.rest", 30), f"{R}/one", "unknown field 'rest'"),
    ("mistake missing", _set("steps.0.mistake", ...), f"{R}/one", "missing field 'mistake'"),
    ("easier missing", _set("steps.0.easier", ...), f"{R}/one", "missing field 'easier'"),
    ("harder missing", _set("steps.0.harder", ...), f"{R}/one", "missing field 'harder'"),
    ("easier text", _set("steps.0.easier", "smaller"), f"{R}/one", "'easier' must be a mapping"),
    ("easier no how", _set("steps.0.easier.how", ...), f"{R}/one", "easier: missing field 'how'"),
    ("harder bad dose", _set("steps.0.harder.dose.reps", -1), f"{R}/one", "'harder.dose.reps'"),
    (
        "variant 5 sentences",
        _set("steps.0.harder.how", "A. B. C. D. E."),
        f"{R}/one",
        "harder: 'how' has 5 sentences",
    ),
    ("from_week text", _set("steps.2.from_week", "three"), f"{R}/three", "'from_week'"),
    ("from_week never", _set("steps.2.from_week", 5), f"{R}/three", "never shown"),
    ("levels missing", _set("levels", ...), R, "missing field 'levels'"),
    ("levels empty", _set("levels", []), R, "'levels' must be a non-empty list"),
    ("level not mapping", _set("levels.0", "start"), f"{R}/levels/1", "must be a mapping"),
    (
        "level no harder",
        _set("levels.0.harder", ...),
        f"{R}/levels/start",
        "missing field 'harder'",
    ),
    ("level harder text", _set("levels.0.harder", "no"), f"{R}/levels/start", "true or false"),
    ("level no label", _set("levels.1.label", ...), f"{R}/levels/more", "missing field 'label'"),
    ("level bad id", _set("levels.1.id", "More!"), f"{R}/levels/More!", "lowercase"),
    ("first level late", _set("levels.0.from_week", 2), f"{R}/levels/start", "week 1"),
    ("levels out of order", _set("levels.1.from_week", 1), f"{R}/levels/more", "in order"),
    ("duplicate level", _set("levels.1.id", "start"), f"{R}/levels/start", "duplicate level id"),
    ("level unknown field", _set("levels.0.steps", 3), f"{R}/levels/start", "unknown field"),
    ("walk on exercise", _set("walk", {"start_minutes": 10}), R, "walk routines only"),
]


@pytest.mark.parametrize(
    ("mutation", "where", "message"),
    [m[1:] for m in MUTATIONS],
    ids=[m[0] for m in MUTATIONS],
)
def test_each_problem_is_reported_with_its_entry(mutation: Any, where: str, message: str) -> None:
    routine, problems = parse_routine(mutation(valid_raw()))
    assert routine is None
    assert any(w == where and message in m for w, m in problems), problems


def test_level_without_steps_is_reported() -> None:
    raw = valid_raw()
    for step in raw["steps"]:
        step["from_week"] = 3
    routine, problems = parse_routine(raw)
    assert routine is None
    assert (f"{R}/levels/start", "the level has no steps") in problems


WALK_MUTATIONS: list[tuple[str, Any, str, str]] = [
    ("no plan", _set("walk", ...), "walk-test", "needs its 'walk' plan"),
    ("plan text", _set("walk", "10 min"), "walk-test/walk", "must be a mapping"),
    (
        "plan missing start",
        _set("walk.start_minutes", ...),
        "walk-test/walk",
        "missing field 'start_minutes'",
    ),
    ("plan shrinking", _set("walk.max_minutes", 12), "walk-test/walk", "must grow"),
    ("plan days", _set("walk.days_per_week", [5, 3]), "walk-test/walk", "days_per_week"),
    ("plan unknown", _set("walk.pace", "brisk"), "walk-test/walk", "unknown field 'pace'"),
    (
        "two steps",
        lambda r: {**r, "steps": [*r["steps"], raw_step("more")]},
        "walk-test",
        "exactly one step",
    ),
    ("untimed walk", _set("steps.0.dose", {"reps": 1}), "walk-test/walk", "must be timed"),
]


@pytest.mark.parametrize(
    ("mutation", "where", "message"),
    [m[1:] for m in WALK_MUTATIONS],
    ids=[m[0] for m in WALK_MUTATIONS],
)
def test_walk_problems(mutation: Any, where: str, message: str) -> None:
    routine, problems = parse_routine(mutation(valid_walk()))
    assert routine is None
    assert any(w == where and message in m for w, m in problems), problems


@pytest.mark.parametrize(
    "raw", [None, [], [valid_raw()], "beginner", 42, 3.5, True, {1: 2}, {"id": None}]
)
def test_any_yaml_shape_gives_problems_not_exceptions(raw: object) -> None:
    routine, problems = parse_routine(raw)
    assert routine is None
    assert problems
    assert all(isinstance(w, str) and isinstance(m, str) for w, m in problems)


def test_all_problems_are_reported_at_once() -> None:
    raw = valid_raw()
    raw["title"] = 1
    raw["minutes"] = [9, 1]
    raw["steps"][0]["dose"] = {}
    raw["steps"][1]["mistake"] = None
    raw["steps"][2]["easier"] = []
    raw["levels"][1]["harder"] = "yes"
    _, problems = parse_routine(raw)
    wheres = {w for w, _ in problems}
    assert {R, f"{R}/one", f"{R}/two", f"{R}/three", f"{R}/levels/more"} <= wheres
    assert len(problems) >= 6


def test_parse_does_not_change_its_input() -> None:
    raw = valid_raw()
    before = copy.deepcopy(raw)
    parse_routine(raw)
    assert raw == before


# --------------------------------------------------------------------------- bundled files


def _load(path: Path) -> tuple[Routine | None, list[tuple[str, str]]]:
    return parse_routine(yaml.safe_load(path.read_text(encoding="utf-8")))


def _bundled() -> dict[str, Routine]:
    out: dict[str, Routine] = {}
    for path in BUNDLED:
        routine, problems = _load(path)
        assert problems == [], (path.name, problems)
        assert routine is not None
        out[routine.id] = routine
    return out


def test_bundled_files_exist() -> None:
    names = {p.stem for p in BUNDLED}
    assert {"beginner", "desk-break", "walk"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_file_parses_cleanly(path: Path) -> None:
    routine, problems = _load(path)
    assert problems == []
    assert routine is not None
    assert routine.id == path.stem
    known = set(yaml.safe_load((ROOT / "knowledge" / "sources.yaml").read_text())["sources"])
    assert set(routine.sources) <= known
    assert routine.stop_rules
    for step in routine.steps:
        assert step.how and 2 <= count_sentences(step.how) <= 4
        assert step.dose.describe()
        assert step.mistake
        for variant in (step.easier, step.harder):
            assert variant.name and variant.how
            assert variant.name != step.name
        assert step.easier.name != step.harder.name
    for level in routine.levels:
        assert routine.steps_for(level.id)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_stop_rules_follow_the_brief(path: Path) -> None:
    routine, _ = _load(path)
    assert routine is not None
    rules = " ".join(routine.stop_rules).lower()
    for phrase in (
        "sharp or stabbing",
        "pins and needles",
        "numbness",
        "more than 2 points",
        "next morning",
        "dizzy",
        "chest pain",
        "24 hours",
    ):
        assert phrase in rules, phrase


def test_beginner_routine_matches_the_brief() -> None:
    beginner = _bundled()["beginner"]
    assert beginner.minutes == (12, 18)
    assert [s.id for s in beginner.steps] == [
        "breathing-tilt",
        "lying-march",
        "dead-bug",
        "glute-bridge",
        "bird-dog",
        "seated-knee-lift",
        "standing-march",
        "cat-cow",
        "hip-flexor-stretch",
    ]
    assert [(lv.id, lv.from_week, lv.harder) for lv in beginner.levels] == [
        ("weeks-1-2", 1, False),
        ("from-week-3", 3, True),
    ]
    assert len(beginner.steps_for("weeks-1-2")) == 7
    assert len(beginner.steps_for("from-week-3")) == 9
    by_id = {s.id: s for s in beginner.steps}
    assert by_id["breathing-tilt"].dose.describe() == "8 reps"
    assert by_id["lying-march"].dose.describe() == "2 x 8 per side"
    assert by_id["lying-march"].harder.dose == Dose(sets=2, reps=8, hold_seconds=5, per_side=True)
    assert by_id["dead-bug"].dose.describe() == "2 x 6 per side"
    assert by_id["glute-bridge"].dose.describe() == "2 x 10, hold 3 s"
    assert by_id["glute-bridge"].harder.dose == Dose(sets=2, reps=6, hold_seconds=3, per_side=True)
    assert by_id["bird-dog"].dose.describe() == "2 x 6 per side, hold 5 s"
    assert by_id["bird-dog"].harder.dose is not None
    assert by_id["bird-dog"].harder.dose.hold_seconds == 10
    assert by_id["seated-knee-lift"].dose.describe() == "2 x 5 per side, hold 5 s"
    assert by_id["standing-march"].dose.describe() == "2 x 10 per side"
    assert by_id["cat-cow"].from_week == 3
    assert by_id["hip-flexor-stretch"].from_week == 3
    assert by_id["hip-flexor-stretch"].dose.describe() == "2 x 20 s per side"
    assert {"E11", "E13", "E14"} <= set(beginner.sources)


def test_desk_break_matches_the_brief() -> None:
    desk = _bundled()["desk-break"]
    assert desk.minutes == (3, 5)
    assert [s.dose.describe() for s in desk.steps] == [
        "1 min",
        "10 reps",
        "10 per side",
        "2 x 20 s per side",
        "5 per side, hold 5 s",
        "5 per side",
    ]


def test_walk_routine_has_its_plan() -> None:
    walk = _bundled()["walk"]
    assert walk.kind == "walk"
    assert walk.walk == WalkPlan()
    assert len(walk.steps) == 1
    assert walk.steps[0].dose.seconds == 600
    assert "E21" in walk.sources
    assert re.search(r"talk", walk.steps[0].how)
