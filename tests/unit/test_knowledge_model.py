"""The knowledge base's own small behaviours: which picture a step shows, the outside-UK note,
the problems a load reports, the required topics, and the YAML reading helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.context import ContextLexicon
from bot.core.knowledge import (
    Category,
    Entry,
    KnowledgeBase,
    Notes,
    Problem,
    Source,
    default_knowledge_dir,
    required_ids_missing,
)
from bot.core.yaml_reading import (
    Collector,
    check_id,
    read_yaml,
    resolve_sources,
    string_list,
    text_value,
)


def _base(
    pictures: dict[str, Path] | None = None, entry_ids: tuple[str, ...] = ()
) -> KnowledgeBase:
    entries = {i: Entry(i, "anatomy", i.title(), ("q",) * 5, "a", (), ()) for i in entry_ids}
    return KnowledgeBase(
        categories=(Category("anatomy", "Anatomy", entry_ids), Category("pain", "Pain", ())),
        entries=entries,
        sources={},
        tiers={},
        safety_rules=(),
        safety_context=ContextLexicon({}, {}, (), (), ()),
        safety_checklist={},
        small_talk=(),
        synonyms=(),
        filler_words=frozenset(),
        pictures=pictures or {},
    )


# --- pictures -------------------------------------------------------------------------------


def test_a_variant_shows_its_own_picture_when_there_is_one() -> None:
    kb = _base({"walk--stand": Path("a.png"), "walk--stand--easier": Path("b.png")})
    assert kb.step_picture("walk", "stand", "easier") == "walk--stand--easier"


def test_a_variant_without_its_own_picture_shows_the_steps() -> None:
    kb = _base({"walk--stand": Path("a.png"), "walk--sit--easier": Path("b.png")})
    assert kb.step_picture("walk", "stand", "easier") == "walk--stand"
    assert kb.step_picture("walk", "stand", None) == "walk--stand"


def test_a_step_without_a_picture_shows_none() -> None:
    kb = _base({"desk--stand": Path("a.png"), "stand": Path("b.png")})
    assert kb.step_picture("walk", "stand", None) is None
    assert kb.step_picture("walk", "stand", "easier") is None


# --- look-ups -------------------------------------------------------------------------------


def test_categories_and_entries_are_found_by_id() -> None:
    kb = _base(entry_ids=("one", "two"))
    pain = kb.category("pain")
    assert pain is not None and pain.title == "Pain"
    assert kb.category("anatomy") == Category("anatomy", "Anatomy", ("one", "two"))
    assert kb.category("back") is None
    one = kb.entry("one")
    assert one is not None and one.title == "One"
    assert kb.entry("three") is None


def test_the_required_ids_missing_are_listed_in_the_order_asked() -> None:
    kb = _base(entry_ids=("one", "two"))
    assert required_ids_missing(kb, ["zeta", "one", "alpha", "two"]) == ["zeta", "alpha"]
    assert required_ids_missing(kb, ["two", "one"]) == []


def test_the_bundled_knowledge_folder_has_the_sources_file() -> None:
    folder = default_knowledge_dir()
    assert (folder / "sources.yaml").is_file()
    assert folder.name in ("knowledge", "knowledge_data")


# --- the outside-UK note --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "noted"),
    [
        ("call 999 now", True),
        ("ring NHS 111.", True),
        ("111", True),
        ("call 999 or 112", False),
        ("call 1111 or 9999", False),
        ("a 2111 or 1119 code", False),
        ("see your GP", False),
    ],
)
def test_a_text_naming_111_or_999_without_112_gets_the_outside_uk_note(
    text: str, noted: bool
) -> None:
    assert Notes(outside_uk="Abroad: 112.").for_text(text) == (("Abroad: 112.",) if noted else ())


def test_without_an_outside_uk_note_nothing_is_added() -> None:
    assert Notes().for_text("call 999") == ()


def test_a_problem_reads_file_entry_and_message() -> None:
    assert str(Problem("pain.yaml", "one", "is bad")) == "pain.yaml: one: is bad"


# --- reading YAML ---------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_reported_as_unreadable(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "bad.yaml"
    path.write_bytes(b"title: \xff\xfe\n")
    out = Collector()
    assert read_yaml(path, tmp_path, out) is None
    assert len(out.problems) == 1
    problem = out.problems[0]
    assert (problem.file, problem.entry) == ("sub/bad.yaml", "-")
    assert problem.message.startswith("cannot be read: 'utf-8' codec can't decode")


def test_invalid_yaml_is_reported_with_its_line_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("x: 1\ny: 2\na: b: c\n", encoding="utf-8")
    out = Collector()
    assert read_yaml(path, tmp_path, out) is None
    assert [str(p) for p in out.problems] == [
        "bad.yaml: -: is not valid YAML at line 3: mapping values are not allowed here"
    ]


def test_a_yaml_error_names_the_problem_not_its_context(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: [1,\nc: 2\n", encoding="utf-8")
    out = Collector()
    read_yaml(path, tmp_path, out)
    assert [str(p) for p in out.problems] == [
        "bad.yaml: -: is not valid YAML at line 4: expected ',' or ']', but got '<stream end>'"
    ]


def test_a_yaml_error_without_a_position_gives_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: \x07\n", encoding="utf-8")
    out = Collector()
    assert read_yaml(path, tmp_path, out) is None
    assert [str(p) for p in out.problems] == [
        "bad.yaml: -: is not valid YAML: unacceptable character #x0007: special characters are "
        "not allowed"
    ]


def test_valid_yaml_is_returned_and_adds_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text("a: [1, two]\n", encoding="utf-8")
    out = Collector()
    assert read_yaml(path, tmp_path, out) == {"a": [1, "two"]}
    assert out.problems == []


def test_text_values_are_stripped_and_empty_ones_are_none() -> None:
    assert text_value("  hello there ") == "hello there"
    assert text_value("   ") is None
    assert text_value("") is None
    assert text_value(5) is None


def test_string_lists_are_stripped_and_anything_else_is_none() -> None:
    assert string_list([" a ", "b"]) == ["a", "b"]
    assert string_list([]) == []
    assert string_list(["a", 1]) is None
    assert string_list("a") is None


@pytest.mark.parametrize("value", ["a", "a-b", "a1-2b", "x" * 40])
def test_a_valid_id_is_returned(value: str) -> None:
    out = Collector()
    assert check_id(value, "f.yaml", "entry #1", out) == value
    assert out.problems == []


@pytest.mark.parametrize("value", ["A", "a_b", "-a", "a-", "a--b", "a\n", "", 7, None])
def test_an_invalid_id_is_reported_where_it_is(value: object) -> None:
    out = Collector()
    assert check_id(value, "f.yaml", "entry #1", out) is None
    assert out.problems == [
        Problem("f.yaml", "entry #1", f"id {value!r} must be lowercase letters, digits and '-'")
    ]


def test_an_over_long_id_is_reported_under_itself() -> None:
    out = Collector()
    assert check_id("x" * 41, "f.yaml", "entry #1", out) is None
    assert out.problems == [Problem("f.yaml", "x" * 41, "id is longer than 40 characters")]


def test_sources_resolve_in_the_order_given_and_unknown_ones_are_reported() -> None:
    known = {"A1": Source("A1", "a"), "B2": Source("B2", "b")}
    out = Collector()
    resolved = resolve_sources(["B2", "Z9", "A1", "Y8"], known, "f.yaml", "one", out)
    assert resolved == (known["B2"], known["A1"])
    assert [str(p) for p in out.problems] == [
        "f.yaml: one: unknown source code 'Z9' (not in sources.yaml)",
        "f.yaml: one: unknown source code 'Y8' (not in sources.yaml)",
    ]


def test_no_sources_or_not_a_list_of_codes_is_reported() -> None:
    out = Collector()
    assert resolve_sources([], {}, "f.yaml", "one", out) == ()
    assert resolve_sources("A1", {}, "f.yaml", "two", out) == ()
    assert [str(p) for p in out.problems] == [
        "f.yaml: one: has no sources (at least one is needed)",
        "f.yaml: two: sources must be a list of source codes",
    ]
