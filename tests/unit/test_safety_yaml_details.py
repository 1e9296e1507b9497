"""safety.yaml read on its own: what each part loads into (tiers, context phrases, concepts
expanded into rule groups, defaults, checklist) and the exact problem each malformed part gives,
named by where it is."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.context import ContextLexicon
from bot.core.knowledge import SafetyRule, SafetyTier, Source
from bot.core.safety_data import SafetyData, load_safety
from bot.core.yaml_reading import Collector

TIERS = ("crisis", "emergency", "maternity", "same-day", "gp-note")
SOURCES = {"A1": Source("A1", "Author A."), "B2": Source("B2", "Author B.")}
VALID: dict[str, Any] = {
    "tiers": [
        {"id": tier, "title": f" {tier} title ", "message": f"{tier} message", "sources": ["A1"]}
        for tier in TIERS
    ],
    "context": {
        "before": {"negated": ["no", "not"], "other": ["my dad"]},
        "after": {"historical": ["years ago"]},
        "pseudo": ["no doubt"],
        "terminate": ["but"],
        "self": ["i", "my"],
    },
    "concepts": {"numb": ["numb", "numbness"], "bum": ["bum", "saddle"]},
    "rules": [
        {
            "id": "saddle",
            "tier": "emergency",
            "label": "Saddle",
            "all": ["@numb", ["@bum", "anus"]],
        },
    ],
    "checklist": {"emergency": ["a"], "same-day": ["b"]},
}


def _load(tmp_path: Path, data: object) -> tuple[SafetyData, list[str]]:
    (tmp_path / "safety.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = Collector()
    loaded = load_safety(tmp_path, SOURCES, out)
    return loaded, [str(p) for p in out.problems]


def _with(change: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data.update(change)
    return data


def _rule(tmp_path: Path, **fields: object) -> tuple[tuple[SafetyRule, ...], list[str]]:
    rule: dict[str, object] = {"id": "r", "tier": "same-day", "label": "L", "all": [["x"]]}
    rule.update(fields)
    loaded, problems = _load(tmp_path, _with({"rules": [rule]}))
    return loaded.rules, problems


def test_a_valid_file_loads_every_part(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, VALID)
    assert problems == []
    assert list(loaded.tiers) == list(TIERS)
    assert loaded.tiers["crisis"] == SafetyTier(
        "crisis", "crisis title", "crisis message", (SOURCES["A1"],)
    )
    assert loaded.context == ContextLexicon(
        before={"negated": ("no", "not"), "other": ("my dad",)},
        after={"historical": ("years ago",)},
        pseudo=("no doubt",),
        terminate=("but",),
        self_words=("i", "my"),
    )
    assert loaded.rules == (
        SafetyRule(
            "saddle",
            "saddle",
            "emergency",
            "Saddle",
            (("numb", "numbness"), ("bum", "saddle", "anus")),
        ),
    )
    assert loaded.checklist == {"emergency": ("a",), "same-day": ("b",)}


def test_a_rule_keeps_its_flag_scope_kinds_and_unless(tmp_path: Path) -> None:
    rules, problems = _rule(
        tmp_path,
        flag="cauda",
        within="clause",
        keeps=["historical", "other"],
        unless=["@numb", "tired"],
        all=["@bum"],
    )
    assert problems == []
    assert rules == (
        SafetyRule(
            "r",
            "cauda",
            "same-day",
            "L",
            (("bum", "saddle"),),
            "clause",
            frozenset({"historical", "other"}),
            ("numb", "numbness", "tired"),
        ),
    )


def test_a_plain_string_group_is_one_phrase(tmp_path: Path) -> None:
    rules, problems = _rule(tmp_path, all=["chest pain", ["a", "b"]], within="message")
    assert problems == []
    assert rules[0].groups == (("chest pain",), ("a", "b"))
    assert rules[0].within == "message"


@pytest.mark.parametrize("within", ["clause", "sentence", "message"])
def test_each_rule_scope_is_accepted(tmp_path: Path, within: str) -> None:
    rules, problems = _rule(tmp_path, within=within)
    assert problems == [] and rules[0].within == within


@pytest.mark.parametrize("tier", TIERS)
def test_each_tier_is_accepted_for_a_rule(tmp_path: Path, tier: str) -> None:
    rules, problems = _rule(tmp_path, tier=tier)
    assert problems == [] and rules[0].tier == tier


# --- the file as a whole --------------------------------------------------------------------


def test_a_missing_or_non_mapping_file_is_one_problem(tmp_path: Path) -> None:
    out = Collector()
    loaded = load_safety(tmp_path, SOURCES, out)
    assert [str(p) for p in out.problems] == ["safety.yaml: -: is missing"]
    assert (loaded.tiers, loaded.rules, loaded.checklist) == ({}, (), {})
    loaded, problems = _load(tmp_path, ["tiers"])
    assert problems == [
        "safety.yaml: -: must be a mapping with tiers, context, concepts, rules, checklist"
    ]
    assert loaded.context == ContextLexicon({}, {}, (), (), ())


# --- tiers ----------------------------------------------------------------------------------


def test_tiers_that_are_not_a_list_leave_every_tier_missing(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, _with({"tiers": {"id": "crisis"}}))
    assert problems == [
        "safety.yaml: tiers: must be a list",
        *(f"safety.yaml: {tier}: tier is missing" for tier in TIERS),
    ]
    assert loaded.tiers == {}


def test_a_bad_tier_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    tiers = copy.deepcopy(VALID["tiers"])
    tiers[1]["id"] = "someday"
    tiers[2]["message"] = "  "
    tiers[3]["sources"] = ["Z9"]
    tiers.append("not a mapping")
    loaded, problems = _load(tmp_path, _with({"tiers": tiers}))
    assert problems == [
        "safety.yaml: someday: tier id must be one of crisis, emergency, maternity, same-day, "
        "gp-note",
        "safety.yaml: maternity: a tier needs a title and a message",
        "safety.yaml: same-day: unknown source code 'Z9' (not in sources.yaml)",
        "safety.yaml: None: tier id must be one of crisis, emergency, maternity, same-day, gp-note",
        "safety.yaml: emergency: tier is missing",
        "safety.yaml: maternity: tier is missing",
    ]
    assert list(loaded.tiers) == ["crisis", "same-day", "gp-note"]
    assert loaded.tiers["same-day"].sources == ()


# --- context --------------------------------------------------------------------------------


def test_a_context_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, _with({"context": ["no"]}))
    assert problems == [
        "safety.yaml: context: must be a mapping: before, after, pseudo, terminate, self"
    ]
    assert loaded.context == ContextLexicon({}, {}, (), (), ())


def test_each_side_of_the_context_is_checked(tmp_path: Path) -> None:
    context = {
        "before": ["no"],
        "after": {"sometimes": ["x"], "negated": [], "asking": ["?", "mean"], "other": ["x"]},
        "terminate": "but",
        "self": ["i", "..."],
    }
    loaded, problems = _load(tmp_path, _with({"context": context}))
    assert problems == [
        "safety.yaml: context.before: must map context kinds to phrase lists",
        "safety.yaml: context.after: unknown kind 'sometimes'",
        "safety.yaml: context.after.negated: must be a non-empty list of phrases",
        "safety.yaml: context.after.asking: phrase '?' is empty after normalising",
        "safety.yaml: context.terminate: must be a non-empty list of phrases",
        "safety.yaml: context.self: phrase '...' is empty after normalising",
    ]
    assert loaded.context == ContextLexicon({}, {"other": ("x",)}, (), (), ())


# --- concepts and groups --------------------------------------------------------------------


def test_concept_problems_are_named_by_concept(tmp_path: Path) -> None:
    concepts = {"numb": ["numb"], "bum": [], 7: ["seven"]}
    _, problems = _load(tmp_path, _with({"concepts": concepts}))
    assert problems[:1] == ["safety.yaml: concept bum: must be a non-empty list of phrases"]
    assert "safety.yaml: saddle: unknown concept '@bum'" in problems
    _, problems = _load(tmp_path, _with({"concepts": ["numb"]}))
    assert problems[0] == "safety.yaml: concepts: must map concept names to phrase lists"


def test_a_concept_named_by_a_number_is_found_by_that_number(tmp_path: Path) -> None:
    data = _with({"concepts": {7: ["seven"]}})
    data["rules"] = [{"id": "r", "tier": "same-day", "label": "L", "all": ["@7"]}]
    loaded, problems = _load(tmp_path, data)
    assert problems == []
    assert loaded.rules[0].groups == (("seven",),)


@pytest.mark.parametrize(
    ("group", "problem"),
    [
        ([], "safety.yaml: r: each group must be an @concept or a non-empty list of phrases"),
        ("", "safety.yaml: r: phrase '' is empty after normalising"),
        ([1], "safety.yaml: r: each group must be an @concept or a non-empty list of phrases"),
        (["x", "@nothing"], "safety.yaml: r: unknown concept '@nothing'"),
        (["x", "!!"], "safety.yaml: r: phrase '!!' is empty after normalising"),
    ],
)
def test_a_bad_group_drops_its_rule(tmp_path: Path, group: object, problem: str) -> None:
    rules, problems = _rule(tmp_path, all=[["fine"], group])
    assert problems == [problem]
    assert rules == ()


def test_a_bad_unless_drops_its_rule(tmp_path: Path) -> None:
    rules, problems = _rule(tmp_path, unless=["@nothing"])
    assert problems == ["safety.yaml: r: unknown concept '@nothing'"]
    assert rules == ()


# --- rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [[], {"id": "r"}, None])
def test_rules_must_be_a_non_empty_list(tmp_path: Path, raw: object) -> None:
    loaded, problems = _load(tmp_path, _with({"rules": raw}))
    assert problems == ["safety.yaml: rules: must be a non-empty list"]
    assert loaded.rules == ()


def test_every_problem_of_a_rule_is_reported_and_the_rule_dropped(tmp_path: Path) -> None:
    rules, problems = _rule(
        tmp_path, id="Bad Id", tier="soon", label=" ", within="page", keeps=["later"]
    )
    assert problems == [
        "safety.yaml: rule #1: id 'Bad Id' must be lowercase letters, digits and '-'",
        "safety.yaml: rule #1: tier 'soon' must be one of crisis, emergency, maternity, "
        "same-day, gp-note",
        "safety.yaml: rule #1: label is missing",
        "safety.yaml: rule #1: within must be one of clause, sentence, message",
        "safety.yaml: rule #1: keeps must name context kinds: negated, historical, "
        "hypothetical, other, asking",
    ]
    assert rules == ()


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"id": None}, "safety.yaml: rule #1: id None must be lowercase letters, digits and '-'"),
        ({"label": None}, "safety.yaml: r: label is missing"),
        ({"all": []}, "safety.yaml: r: all must be a non-empty list of groups"),
        ({"flag": 5}, "safety.yaml: r: flag must be text"),
        ({"all": "@numb"}, "safety.yaml: r: all must be a non-empty list of groups"),
    ],
)
def test_a_rule_missing_a_part_is_dropped(
    tmp_path: Path, fields: dict[str, object], problem: str
) -> None:
    rules, problems = _rule(tmp_path, **fields)
    assert len(problems) == 1 and problems[0].startswith(problem), problems
    assert rules == ()


def test_a_rule_that_is_not_a_mapping_is_named_by_position(tmp_path: Path) -> None:
    good = {"id": "r", "tier": "same-day", "label": "L", "all": [["x"]]}
    loaded, problems = _load(tmp_path, _with({"rules": ["x", good]}))
    assert problems == [
        "safety.yaml: rule #1: must be a mapping with id, flag, tier, label and all"
    ]
    assert [r.id for r in loaded.rules] == ["r"]


def test_rule_ids_must_be_unique(tmp_path: Path) -> None:
    rule = {"id": "r", "tier": "same-day", "label": "L", "all": [["x"]]}
    loaded, problems = _load(tmp_path, _with({"rules": [rule, dict(rule, tier="emergency")]}))
    assert problems == ["safety.yaml: rules: rule ids must be unique"]
    assert [r.tier for r in loaded.rules] == ["same-day", "emergency"]


# --- checklist ------------------------------------------------------------------------------


def test_the_checklist_allows_six_emergency_and_nine_same_day_bullets(tmp_path: Path) -> None:
    checklist = {"emergency": [f"e{n}" for n in range(6)], "same-day": [f"s{n}" for n in range(9)]}
    loaded, problems = _load(tmp_path, _with({"checklist": checklist}))
    assert problems == []
    assert loaded.checklist == {
        "emergency": tuple(checklist["emergency"]),
        "same-day": tuple(checklist["same-day"]),
    }


def test_a_checklist_too_long_or_empty_is_reported_per_tier(tmp_path: Path) -> None:
    checklist = {"emergency": [], "same-day": [f"s{n}" for n in range(10)]}
    loaded, problems = _load(tmp_path, _with({"checklist": checklist}))
    assert problems == [
        "safety.yaml: checklist.emergency: must list 1 to 6 bullets",
        "safety.yaml: checklist.same-day: must list 1 to 9 bullets",
    ]
    assert loaded.checklist == {}
    loaded, problems = _load(tmp_path, _with({"checklist": {"emergency": ["a"]}}))
    assert problems == ["safety.yaml: checklist.same-day: must list 1 to 9 bullets"]
    assert loaded.checklist == {"emergency": ("a",)}


def test_a_checklist_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, _with({"checklist": ["a"]}))
    assert problems == [
        "safety.yaml: checklist: must map emergency and same-day to lists of bullets"
    ]
    assert loaded.checklist == {}


def test_a_blank_flag_is_reported(tmp_path: Path) -> None:
    assert _rule(tmp_path, flag=" ")[1] == ["safety.yaml: r: flag must be text"]


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "safety.yaml").write_text("tiers: []\nrules: [\n", encoding="utf-8")
    out = Collector()
    load_safety(tmp_path, SOURCES, out)
    problems = [str(p) for p in out.problems]
    assert len(problems) == 2
    assert problems[0].startswith("safety.yaml: -: is not valid YAML at line 3: ")
    assert problems[1] == (
        "safety.yaml: -: must be a mapping with tiers, context, concepts, rules, checklist"
    )


@pytest.mark.parametrize("pseudo", [None, "no doubt", []])
def test_pseudo_triggers_are_optional(tmp_path: Path, pseudo: object) -> None:
    context = copy.deepcopy(VALID["context"])
    if pseudo is None:
        del context["pseudo"]
    else:
        context["pseudo"] = pseudo
    loaded, problems = _load(tmp_path, _with({"context": context}))
    assert problems == []
    assert loaded.context.pseudo == ()
    assert loaded.context.self_words == ("i", "my")
