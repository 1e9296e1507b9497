"""The loader reports every kind of knowledge-base problem, with file and entry, all at once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.knowledge import KnowledgeError, default_knowledge_dir
from bot.core.loader import load_knowledge

ANSWER = " ".join(["word"] * 50)


def _entry(entry_id: str, **overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": entry_id,
        "title": f"About {entry_id}",
        "questions": [f"{entry_id} question {n}" for n in range(5)],
        "answer": ANSWER,
        "sources": ["A1"],
        "related": [],
    }
    entry.update(overrides)
    return entry


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A copy of the bundled knowledge base without its FAQ files, plus one small valid one."""
    root = tmp_path / "knowledge"
    bundled = default_knowledge_dir()
    root.mkdir()
    for name in ("sources.yaml", "safety.yaml", "smalltalk.yaml", "synonyms.yaml"):
        shutil.copy(bundled / name, root / name)
    _write(root, "anatomy", [_entry("one"), _entry("two", related=["one"])])
    return root


def _write(root: Path, category: str, entries: list[object]) -> None:
    data = {"category": category, "title": category.title(), "entries": entries}
    (root / f"{category}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def test_the_small_fixture_is_valid(kb_dir: Path) -> None:
    kb = load_knowledge(kb_dir)
    assert set(kb.entries) == {"one", "two"}
    assert kb.entries["two"].related == ("one",)
    assert kb.entries["one"].sources[0].citation.startswith("Bogduk")


def test_duplicate_ids_are_reported_with_file_and_id(kb_dir: Path) -> None:
    _write(kb_dir, "pain", [_entry("one", questions=[f"other {n}" for n in range(5)])])
    assert "pain.yaml: one: duplicate id (also in another entry)" in _problems(kb_dir)


def test_related_ids_must_exist_and_not_be_the_entry_itself(kb_dir: Path) -> None:
    _write(kb_dir, "anatomy", [_entry("one", related=["ghost", "one"])])
    problems = _problems(kb_dir)
    assert "anatomy.yaml: one: related id 'ghost' does not exist" in problems
    assert "anatomy.yaml: one: lists itself as related" in problems


def test_empty_and_over_long_answers_are_reported(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "anatomy",
        [_entry("one", answer=""), _entry("two", answer=" ".join(["w"] * 201))],
    )
    problems = _problems(kb_dir)
    assert "anatomy.yaml: one: answer is missing or empty" in problems
    assert any(p.startswith("anatomy.yaml: two: answer has 201 words") for p in problems)


def test_the_same_phrasing_under_two_entries_is_reported(kb_dir: Path) -> None:
    shared = ["Where is the psoas?", "a", "b", "c", "d"]
    other = ["where is the PSOAS", "e", "f", "g", "h"]
    _write(kb_dir, "anatomy", [_entry("one", questions=shared), _entry("two", questions=other)])
    assert any(
        p.startswith("anatomy.yaml: two: phrasing 'where is the PSOAS' is also under 'one'")
        for p in _problems(kb_dir)
    )


def test_unknown_source_codes_and_missing_sources_are_reported(kb_dir: Path) -> None:
    _write(kb_dir, "anatomy", [_entry("one", sources=["Z9"]), _entry("two", sources=[])])
    problems = _problems(kb_dir)
    assert "anatomy.yaml: one: unknown source code 'Z9' (not in sources.yaml)" in problems
    assert "anatomy.yaml: two: has no sources (at least one is needed)" in problems


def test_schema_and_type_errors_are_reported(kb_dir: Path) -> None:
    _write(
        kb_dir,
        "anatomy",
        [
            _entry("one", questions="just one string"),
            _entry("Bad Id"),
            _entry("three", questions=["a", "b"], colour="red"),
            "not a mapping",
        ],
    )
    problems = _problems(kb_dir)
    assert "anatomy.yaml: one: questions must be a list of phrasings" in problems
    assert any("id 'Bad Id' must be lowercase" in p for p in problems)
    assert "anatomy.yaml: three: has 2 phrasings (at least 5 needed)" in problems
    assert "anatomy.yaml: three: unknown field 'colour'" in problems
    assert any(p.startswith("anatomy.yaml: entry #4: must be a mapping") for p in problems)


def test_invalid_yaml_names_the_file_and_line(kb_dir: Path) -> None:
    (kb_dir / "pain.yaml").write_text("category: pain\nentries: [\n  - : :\n", encoding="utf-8")
    problems = _problems(kb_dir)
    assert any(p.startswith("pain.yaml: -: is not valid YAML at line") for p in problems)


def test_every_problem_is_reported_at_once(kb_dir: Path) -> None:
    _write(kb_dir, "anatomy", [_entry("one", sources=["Z9"], related=["ghost"], answer="short")])
    (kb_dir / "smalltalk.yaml").unlink()
    assert sorted(_problems(kb_dir)) == [
        "anatomy.yaml: one: answer has 1 words (between 40 and 200 needed)",
        "anatomy.yaml: one: related id 'ghost' does not exist",
        "anatomy.yaml: one: unknown source code 'Z9' (not in sources.yaml)",
        "smalltalk.yaml: -: is missing",
    ]


def test_an_entry_related_to_an_invalid_entry_is_not_told_it_does_not_exist(
    kb_dir: Path,
) -> None:
    _write(kb_dir, "anatomy", [_entry("one", answer="short"), _entry("two", related=["one"])])
    problems = _problems(kb_dir)
    assert problems == ["anatomy.yaml: one: answer has 1 words (between 40 and 200 needed)"]


def test_a_duplicate_routine_id_is_reported(kb_dir: Path) -> None:
    routines = kb_dir / "routines"
    shutil.copytree(default_knowledge_dir() / "routines", routines)
    loaded = load_knowledge(kb_dir).routines  # the bundled routines load as they are
    assert loaded and all(routine.id == key for key, routine in loaded.items())
    shutil.copy(routines / "beginner.yaml", routines / "zz-beginner-again.yaml")
    problems = _problems(kb_dir)
    assert any(
        p.startswith("routines/zz-beginner-again.yaml: ") and p.endswith(": duplicate routine id")
        for p in problems
    ), problems


def test_a_category_must_match_its_file_name(kb_dir: Path) -> None:
    data = {"category": "pain", "title": "x", "entries": [_entry("one")]}
    (kb_dir / "anatomy.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "anatomy.yaml: -: category 'pain' does not match the file name" in _problems(kb_dir)


def test_safety_rules_are_validated(kb_dir: Path) -> None:
    data = yaml.safe_load((kb_dir / "safety.yaml").read_text(encoding="utf-8"))
    data["rules"].append({"id": "broken", "tier": "someday", "label": "x", "all": []})
    (kb_dir / "safety.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    problems = _problems(kb_dir)
    assert any(p.startswith("safety.yaml: broken: tier 'someday'") for p in problems)
    assert "safety.yaml: broken: all must be a non-empty list of groups" in problems


def test_routine_problems_carry_the_file_and_entry(kb_dir: Path) -> None:
    (kb_dir / "routines").mkdir()
    (kb_dir / "routines" / "broken.yaml").write_text("id: broken\ntitle: 3\n", encoding="utf-8")
    problems = _problems(kb_dir)
    assert any(p.startswith("routines/broken.yaml: broken") for p in problems)


def test_the_bundled_knowledge_base_has_every_required_topic() -> None:
    kb = load_knowledge()
    required_file = Path(__file__).resolve().parents[2] / "bot" / "required_topics.txt"
    required = [line for line in required_file.read_text().splitlines() if line and line[0] != "#"]
    assert len(required) == 70
    assert not [i for i in required if i not in kb.entries]
    for entry in kb.entries.values():
        assert len(entry.questions) >= 5, entry.id
        assert entry.sources, entry.id
        assert 40 <= len(entry.answer.split()) <= 200, entry.id


def test_the_bundled_answers_give_no_medicine_doses() -> None:
    kb = load_knowledge()
    for entry in kb.entries.values():
        assert not any(unit in entry.answer.lower() for unit in (" mg", "mg ", "tablets a day"))


def _edit_safety(kb_dir: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = yaml.safe_load((kb_dir / "safety.yaml").read_text(encoding="utf-8"))
    change(data)
    (kb_dir / "safety.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return _problems(kb_dir)


def test_a_rule_naming_an_unknown_concept_is_reported(kb_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["rules"][0]["all"] = ["@no-such-concept"]

    rule = yaml.safe_load((kb_dir / "safety.yaml").read_text(encoding="utf-8"))["rules"][0]["id"]
    assert f"safety.yaml: {rule}: unknown concept '@no-such-concept'" in _edit_safety(
        kb_dir, change
    )


def test_a_checklist_longer_than_a_phone_screen_allows_is_reported(kb_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["checklist"]["emergency"] = [f"sign {n}" for n in range(7)]

    assert "safety.yaml: checklist.emergency: must list 1 to 6 bullets" in _edit_safety(
        kb_dir, change
    )


def test_an_unknown_context_kind_and_a_duplicate_rule_are_reported(kb_dir: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["context"]["before"]["sideways"] = ["maybe"]
        data["rules"].append(dict(data["rules"][0]))

    problems = _edit_safety(kb_dir, change)
    assert "safety.yaml: context.before: unknown kind 'sideways'" in problems
    assert "safety.yaml: rules: rule ids must be unique" in problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "sources.yaml: -: is missing"),
        ("- a list\n", "sources.yaml: -: must have a mapping 'sources' of code: citation"),
        ("sources:\n  A1: ''\n", "sources.yaml: A1: a source needs a code and a citation text"),
    ],
)
def test_sources_file_problems_are_reported(kb_dir: Path, text: str | None, problem: str) -> None:
    if text is None:
        (kb_dir / "sources.yaml").unlink()
    else:
        (kb_dir / "sources.yaml").write_text(text, encoding="utf-8")
    assert problem in _problems(kb_dir)
