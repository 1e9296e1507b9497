"""The loader on a tiny knowledge base: what a valid file loads into (stripped, in order, with
its sources and notes), each limit at its boundary, and the exact problems, file and entry, in
the order they are found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import KnowledgeError, Problem, Source, default_knowledge_dir
from bot.core.loader import load_knowledge

ANSWER = " ".join(["word"] * 40)
SAFETY = {
    "tiers": [
        {"id": tier, "title": f"{tier} title", "message": f"{tier} message", "sources": ["A1"]}
        for tier in ("crisis", "emergency", "maternity", "same-day", "gp-note")
    ],
    "context": {
        "before": {"negated": ["no"]},
        "after": {"historical": ["years ago"]},
        "pseudo": ["no doubt"],
        "terminate": ["but"],
        "self": ["i", "my"],
    },
    "concepts": {"numb": ["numb", "numbness"]},
    "rules": [{"id": "saddle", "tier": "emergency", "label": "Saddle", "all": ["@numb", ["bum"]]}],
    "checklist": {"emergency": ["a"], "same-day": ["b"]},
}


def _entry(entry_id: str, **overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": entry_id,
        "title": f"About {entry_id}",
        "questions": [f"{entry_id} question {n}" for n in range(5)],
        "answer": ANSWER,
        "sources": ["A1"],
    }
    entry.update(overrides)
    return entry


def _dump(root: Path, name: str, data: object) -> None:
    (root / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _category(root: Path, name: str, entries: list[object], **fields: object) -> None:
    _dump(
        root,
        f"{name}.yaml",
        {"category": name, "title": name.title(), **fields, "entries": entries},
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    _dump(root, "sources.yaml", {"sources": {"A1": "  Author A. Title.  ", "B2": "Author B."}})
    _dump(root, "safety.yaml", SAFETY)
    _dump(
        root, "smalltalk.yaml", {"intents": [{"id": "hello", "patterns": ["Hi!"], "reply": "Hi"}]}
    )
    _category(root, "anatomy", [_entry("one"), _entry("two", related=["one"])])
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


# --- what a valid base loads into -----------------------------------------------------------


def test_a_valid_entry_loads_stripped_with_its_sources_and_related(root: Path) -> None:
    _category(
        root,
        "anatomy",
        [
            _entry(
                "one",
                title="  The psoas  ",
                questions=[" Where is it? ", "", "b", "c", "d", "e"],
                answer=f"  {ANSWER}  ",
                sources=["B2", "A1"],
            ),
            _entry("two", related=["one"]),
        ],
    )
    kb = load_knowledge(root)
    one = kb.entries["one"]
    assert (one.id, one.category, one.title) == ("one", "anatomy", "The psoas")
    assert one.questions == ("Where is it?", "b", "c", "d", "e")
    assert one.answer == ANSWER
    assert one.sources == (Source("B2", "Author B."), Source("A1", "Author A. Title."))
    assert one.related == ()
    assert kb.entries["two"].related == ("one",)
    assert kb.entry("two") is kb.entries["two"]
    assert kb.entry("three") is None


def test_categories_keep_file_order_and_entry_order(root: Path) -> None:
    _category(root, "pain", [_entry("p2"), _entry("p1")])
    kb = load_knowledge(root)
    assert [(c.id, c.title, c.entry_ids) for c in kb.categories] == [
        ("anatomy", "Anatomy", ("one", "two")),
        ("pain", "Pain", ("p2", "p1")),
    ]
    assert kb.category("pain") is kb.categories[1]
    assert kb.category("nothing") is None


def test_the_other_files_load_into_the_base(root: Path) -> None:
    _dump(
        root,
        "smalltalk.yaml",
        {
            "filler": ["Please", "THANKS"],
            "intents": [{"id": "hello", "patterns": ["Hi there!", "Hello"], "reply": " Hi "}],
        },
    )
    _dump(root, "synonyms.yaml", {"groups": [["Sciatica", "nerve pain"], ["a", "b", "c"]]})
    _dump(root, "notes.yaml", {"outside_uk": " Call 112. "})
    kb = load_knowledge(root)
    assert kb.sources == {
        "A1": Source("A1", "Author A. Title."),
        "B2": Source("B2", "Author B."),
    }
    assert [(i.id, i.patterns, i.reply) for i in kb.small_talk] == [
        ("hello", ("hi there", "hello"), "Hi")
    ]
    assert kb.filler_words == frozenset({"please", "thanks"})
    assert kb.synonyms == (("sciatica", "nerve pain"), ("a", "b", "c"))
    assert kb.notes.outside_uk == "Call 112."
    assert set(kb.tiers) == {"crisis", "emergency", "maternity", "same-day", "gp-note"}
    assert [r.id for r in kb.safety_rules] == ["saddle"]
    assert kb.safety_context.terminate == ("but",)
    assert kb.safety_checklist == {"emergency": ("a",), "same-day": ("b",)}
    assert kb.routines == {}
    assert kb.pictures == {}


def test_an_answer_naming_999_gets_the_outside_uk_note(root: Path) -> None:
    _dump(root, "notes.yaml", {"outside_uk": "Abroad, call 112."})
    _category(
        root,
        "anatomy",
        [_entry("one", answer=f"{ANSWER} call 999"), _entry("two", answer=f"{ANSWER} or 112 999")],
    )
    kb = load_knowledge(root)
    assert kb.entries["one"].notes == ("Abroad, call 112.",)
    assert kb.entries["two"].notes == ()


def test_without_optional_files_the_base_has_no_synonyms_notes_or_routines(root: Path) -> None:
    kb = load_knowledge(root)
    assert kb.synonyms == ()
    assert kb.notes.outside_uk == ""
    assert kb.entries["one"].notes == ()
    assert kb.filler_words == frozenset()


def test_pictures_are_named_by_file_stem(root: Path) -> None:
    pictures = root / "routines" / "pictures"
    pictures.mkdir(parents=True)
    (pictures / "walk--stand.png").write_bytes(b"png")
    (pictures / "notes.txt").write_text("not a picture", encoding="utf-8")
    kb = load_knowledge(root)
    assert kb.pictures == {"walk--stand": pictures / "walk--stand.png"}


def test_a_routine_loads_and_its_unknown_source_codes_are_reported(root: Path) -> None:
    (root / "routines").mkdir()
    shutil.copy(default_knowledge_dir() / "routines" / "walk.yaml", root / "routines")
    assert _problems(root) == [
        "routines/walk.yaml: walk: unknown source code 'E21' (not in sources.yaml)",
        "routines/walk.yaml: walk: unknown source code 'G6' (not in sources.yaml)",
    ]
    _dump(root, "sources.yaml", {"sources": {"A1": "a", "B2": "b", "E21": "e", "G6": "g"}})
    assert set(load_knowledge(root).routines) == {"walk"}


def test_a_routine_file_that_is_not_yaml_does_not_stop_the_next_one(root: Path) -> None:
    (root / "routines").mkdir()
    (root / "routines" / "a-broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    shutil.copy(default_knowledge_dir() / "routines" / "walk.yaml", root / "routines")
    problems = _problems(root)
    assert problems[0].startswith("routines/a-broken.yaml: ")
    assert problems[1:] == [
        "routines/walk.yaml: walk: unknown source code 'E21' (not in sources.yaml)",
        "routines/walk.yaml: walk: unknown source code 'G6' (not in sources.yaml)",
    ]


def test_an_empty_routine_file_is_skipped(root: Path) -> None:
    (root / "routines").mkdir()
    (root / "routines" / "empty.yaml").write_text("", encoding="utf-8")
    assert load_knowledge(root).routines == {}


# --- whole-base problems --------------------------------------------------------------------


def test_a_missing_folder_is_the_only_problem(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path / "nowhere")
    assert caught.value.problems == [Problem(str(tmp_path / "nowhere"), "-", "is not a folder")]


def test_a_base_without_faq_files_says_so(root: Path) -> None:
    (root / "anatomy.yaml").unlink()
    assert _problems(root) == ["kb: -: has no FAQ entries"]


def test_the_reserved_files_are_not_read_as_categories(root: Path) -> None:
    _dump(root, "notes.yaml", {"outside_uk": "x"})
    _dump(root, "synonyms.yaml", {"groups": [["a", "b"]]})
    _dump(root, "scope.yaml", {"domain": ["Back"]})
    kb = load_knowledge(root)
    assert len(kb.categories) == 1
    assert kb.scope.domain == ("back",)


def test_a_knowledge_error_counts_and_lists_its_problems() -> None:
    error = KnowledgeError([Problem("a.yaml", "x", "is bad"), Problem("b.yaml", "-", "too")])
    assert str(error) == "the knowledge base has 2 problem(s):\na.yaml: x: is bad\nb.yaml: -: too"
    assert error.problems == [Problem("a.yaml", "x", "is bad"), Problem("b.yaml", "-", "too")]


# --- sources.yaml ---------------------------------------------------------------------------


def test_bad_sources_are_reported_each_and_the_good_ones_kept(root: Path) -> None:
    (root / "sources.yaml").write_text(
        "sources:\n  12: a\n  A1: '  '\n  B2: ok\n", encoding="utf-8"
    )
    _category(root, "anatomy", [_entry("one", sources=["B2"])])
    assert _problems(root) == [
        "sources.yaml: 12: a source needs a code and a citation text",
        "sources.yaml: A1: a source needs a code and a citation text",
        "safety.yaml: crisis: unknown source code 'A1' (not in sources.yaml)",
        "safety.yaml: emergency: unknown source code 'A1' (not in sources.yaml)",
        "safety.yaml: maternity: unknown source code 'A1' (not in sources.yaml)",
        "safety.yaml: same-day: unknown source code 'A1' (not in sources.yaml)",
        "safety.yaml: gp-note: unknown source code 'A1' (not in sources.yaml)",
    ]


def test_a_sources_file_without_a_sources_mapping_is_reported(root: Path) -> None:
    _dump(root, "sources.yaml", {"sources": ["A1"]})
    _category(root, "anatomy", [_entry("one", sources=[])])
    assert _problems(root)[:2] == [
        "sources.yaml: -: must have a mapping 'sources' of code: citation",
        "anatomy.yaml: one: has no sources (at least one is needed)",
    ]


# --- one entry: limits at their boundaries --------------------------------------------------


def test_every_limit_holds_at_its_boundary(root: Path) -> None:
    _category(
        root,
        "anatomy",
        [
            _entry(
                "one",
                title="t" * 60,
                questions=[f"q{n}" + "x" * 197 for n in range(5)],
                answer=" ".join(["w"] * 200),
                related=["two", "three", "four"],
            ),
            _entry("two", answer=" ".join(["w"] * 40)),
            _entry("three"),
            _entry("four"),
            _entry("a" * 40),
        ],
    )
    assert set(load_knowledge(root).entries) == {"one", "two", "three", "four", "a" * 40}


def test_every_limit_is_reported_one_past_its_boundary(root: Path) -> None:
    long_question = "q" * 201
    _category(
        root,
        "anatomy",
        [
            _entry(
                "one",
                title="t" * 61,
                questions=["a", "b", "c", long_question],
                answer=" ".join(["w"] * 201),
                related=["two", "three", "four", "five"],
            ),
            _entry("two", answer=" ".join(["w"] * 39)),
            _entry("a" * 41),
        ],
    )
    assert _problems(root) == [
        "anatomy.yaml: one: title is longer than 60 characters",
        "anatomy.yaml: one: has 4 phrasings (at least 5 needed)",
        f"anatomy.yaml: one: phrasing longer than 200: {'q' * 40!r}",
        "anatomy.yaml: one: answer has 201 words (between 40 and 200 needed)",
        "anatomy.yaml: one: has 4 related ids (at most 3)",
        "anatomy.yaml: two: answer has 39 words (between 40 and 200 needed)",
        f"anatomy.yaml: {'a' * 41}: id is longer than 40 characters",
        "anatomy.yaml: one: related id 'three' does not exist",
        "anatomy.yaml: one: related id 'four' does not exist",
        "anatomy.yaml: one: related id 'five' does not exist",
    ]


def test_empty_phrasings_do_not_count(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", questions=["a", "b", "c", "d", "  "])])
    assert _problems(root) == ["anatomy.yaml: one: has 4 phrasings (at least 5 needed)"]


def test_an_entry_with_a_bad_id_is_named_by_its_position(root: Path) -> None:
    _category(root, "anatomy", [_entry("one"), _entry("Two", title="")])
    assert _problems(root) == [
        "anatomy.yaml: entry #2: id 'Two' must be lowercase letters, digits and '-'",
        "anatomy.yaml: entry #2: title is missing or empty",
    ]


def test_unknown_fields_are_each_reported_in_name_order(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", zeta=1, alpha=2, category="anatomy")])
    assert _problems(root) == [
        "anatomy.yaml: one: unknown field 'alpha'",
        "anatomy.yaml: one: unknown field 'zeta'",
    ]


def test_an_entry_naming_another_category_is_reported(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", category="pain")])
    assert _problems(root) == ["anatomy.yaml: one: category 'pain' does not match the file's"]


def test_a_missing_title_answer_questions_and_sources_are_each_reported(root: Path) -> None:
    entry = {"id": "one"}
    _category(root, "anatomy", [entry])
    assert _problems(root) == [
        "anatomy.yaml: one: title is missing or empty",
        "anatomy.yaml: one: questions must be a list of phrasings",
        "anatomy.yaml: one: has 0 phrasings (at least 5 needed)",
        "anatomy.yaml: one: answer is missing or empty",
        "anatomy.yaml: one: sources must be a list of source codes",
    ]


def test_related_that_is_not_a_list_is_reported(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", related="two")])
    assert _problems(root) == ["anatomy.yaml: one: related must be a list of entry ids"]


def test_an_entry_that_is_not_a_mapping_is_named_by_its_position(root: Path) -> None:
    _category(root, "anatomy", [_entry("one"), ["a list"]])
    assert _problems(root) == [
        "anatomy.yaml: entry #2: must be a mapping with id, title, questions, answer, sources"
    ]


def test_an_entry_with_other_problems_still_takes_part_in_the_cross_checks(root: Path) -> None:
    _category(
        root,
        "anatomy",
        [_entry("one", questions=["shared", "b", "c", "d"]), _entry("two", questions=["shared"])],
    )
    problems = _problems(root)
    assert "anatomy.yaml: two: phrasing 'shared' is also under 'one'" in problems


def test_an_entry_without_a_title_is_left_out_of_the_cross_checks(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", title=None), _entry("two", related=["one"])])
    assert _problems(root) == [
        "anatomy.yaml: one: title is missing or empty",
        "anatomy.yaml: two: related id 'one' does not exist",
    ]


# --- cross-checks ---------------------------------------------------------------------------


def test_a_duplicate_id_is_reported_in_the_later_file_and_the_first_kept(root: Path) -> None:
    _category(root, "pain", [_entry("one", questions=[f"p{n}" for n in range(5)])])
    assert _problems(root) == ["pain.yaml: one: duplicate id (also in another entry)"]


def test_a_phrasing_listed_twice_in_one_entry_is_reported_once(root: Path) -> None:
    questions = ["Where is it?", "where is it", "c", "d", "e"]
    _category(root, "anatomy", [_entry("one", questions=questions)])
    assert _problems(root) == ["anatomy.yaml: one: phrasing listed twice: 'where is it'"]


def test_a_phrasing_under_two_entries_is_reported_under_the_second(root: Path) -> None:
    _category(
        root,
        "anatomy",
        [
            _entry("one", questions=["Shared one", "b1", "c1", "d1", "e1"]),
            _entry("two", questions=["shared ONE!", "b2", "c2", "d2", "e2"]),
        ],
    )
    assert _problems(root) == ["anatomy.yaml: two: phrasing 'shared ONE!' is also under 'one'"]


def test_an_entry_related_to_itself_is_told_so_not_that_it_is_missing(root: Path) -> None:
    _category(root, "anatomy", [_entry("one", related=["one"])])
    assert _problems(root) == ["anatomy.yaml: one: lists itself as related"]


# --- category files -------------------------------------------------------------------------


def test_an_empty_category_file_is_reported_even_after_other_problems(root: Path) -> None:
    (root / "sources.yaml").write_text("sources:\n  A1: a\n  B2: ''\n", encoding="utf-8")
    (root / "pain.yaml").write_text("", encoding="utf-8")
    assert _problems(root) == [
        "sources.yaml: B2: a source needs a code and a citation text",
        "pain.yaml: -: is empty",
    ]


def test_an_empty_category_file_is_reported(root: Path) -> None:
    (root / "pain.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert _problems(root) == ["pain.yaml: -: is empty"]


def test_an_unreadable_category_file_is_not_also_called_empty(root: Path) -> None:
    (root / "pain.yaml").write_text("entries: [\n", encoding="utf-8")
    problems = _problems(root)
    assert len(problems) == 1 and problems[0].startswith("pain.yaml: -: is not valid YAML at line")


def test_a_category_file_that_is_not_a_mapping_is_reported(root: Path) -> None:
    (root / "pain.yaml").write_text("- one\n", encoding="utf-8")
    assert _problems(root) == ["pain.yaml: -: must be a mapping with category, title and entries"]


def test_a_category_without_title_or_valid_id_loads_none_of_its_entries(root: Path) -> None:
    _dump(root, "pain.yaml", {"category": "pain", "entries": [_entry("p", title="")]})
    _dump(root, "back.yaml", {"category": "Back", "title": "Back", "entries": [_entry("b")]})
    assert _problems(root) == [
        "back.yaml: -: id 'Back' must be lowercase letters, digits and '-'",
        "pain.yaml: -: title is missing",
    ]


def test_a_category_needs_a_non_empty_list_of_entries(root: Path) -> None:
    _dump(root, "pain.yaml", {"category": "pain", "title": "Pain", "entries": []})
    _dump(root, "back.yaml", {"category": "back", "title": "Back", "entries": {"a": 1}})
    assert _problems(root) == [
        "back.yaml: -: entries must be a non-empty list",
        "pain.yaml: -: entries must be a non-empty list",
    ]


def test_a_category_named_after_another_file_is_reported(root: Path) -> None:
    _dump(root, "pain.yaml", {"category": "back", "title": "Pain", "entries": [_entry("p")]})
    assert _problems(root) == ["pain.yaml: -: category 'back' does not match the file name"]


# --- small talk, synonyms, notes ------------------------------------------------------------


def test_small_talk_problems_are_named_by_intent(root: Path) -> None:
    intents = [
        "hi",
        {"id": "thanks", "patterns": [], "reply": "You're welcome"},
        {"id": "bye", "patterns": ["bye"]},
        {"patterns": ["ok"], "reply": "OK"},
        {"id": "hello", "patterns": ["hello"], "reply": "Hello"},
    ]
    _dump(root, "smalltalk.yaml", {"intents": intents})
    assert _problems(root) == [
        "smalltalk.yaml: intent #1: must be a mapping with id, patterns and reply",
        "smalltalk.yaml: thanks: needs a list of patterns and a reply",
        "smalltalk.yaml: bye: needs a list of patterns and a reply",
        "smalltalk.yaml: intent #4: id None must be lowercase letters, digits and '-'",
    ]


def test_small_talk_without_a_list_of_intents_is_reported(root: Path) -> None:
    _dump(root, "smalltalk.yaml", {"intents": {"id": "hi"}})
    assert _problems(root) == ["smalltalk.yaml: -: must be a mapping with a list of intents"]
    (root / "smalltalk.yaml").write_text("- hi\n", encoding="utf-8")
    assert _problems(root) == ["smalltalk.yaml: -: must be a mapping with a list of intents"]


def test_an_intent_without_id_or_patterns_is_named_by_its_position(root: Path) -> None:
    _dump(root, "smalltalk.yaml", {"intents": [{"reply": "x"}]})
    assert _problems(root) == [
        "smalltalk.yaml: intent #1: id None must be lowercase letters, digits and '-'",
        "smalltalk.yaml: intent #1: needs a list of patterns and a reply",
    ]


def test_synonym_problems_are_named_by_group(root: Path) -> None:
    _dump(root, "synonyms.yaml", {"groups": [["a", "b"], ["alone"], "x", []]})
    assert _problems(root) == [
        "synonyms.yaml: group #2: a group needs at least two terms",
        "synonyms.yaml: group #3: a group needs at least two terms",
        "synonyms.yaml: group #4: a group needs at least two terms",
    ]
    _dump(root, "synonyms.yaml", {"groups": {"a": "b"}})
    assert _problems(root) == [
        "synonyms.yaml: -: must be a mapping with a list 'groups' of term lists"
    ]


def test_note_problems_are_named_by_note(root: Path) -> None:
    _dump(root, "notes.yaml", {"zz": "x", "abroad": "y"})
    assert _problems(root) == [
        "notes.yaml: abroad: unknown note",
        "notes.yaml: zz: unknown note",
        "notes.yaml: outside_uk: is missing or empty",
    ]
    _dump(root, "notes.yaml", ["outside_uk"])
    assert _problems(root) == ["notes.yaml: -: must be a mapping of note name: text"]


def test_a_missing_sources_or_small_talk_file_is_reported(root: Path) -> None:
    (root / "smalltalk.yaml").unlink()
    assert _problems(root) == ["smalltalk.yaml: -: is missing"]
    (root / "sources.yaml").unlink()
    problems = _problems(root)
    assert problems[0] == "sources.yaml: -: is missing"
    assert problems[-1] == "smalltalk.yaml: -: is missing"


def test_a_broken_routine_does_not_stop_the_next_from_being_checked(root: Path) -> None:
    routines = root / "routines"
    routines.mkdir()
    (routines / "broken.yaml").write_text("id: broken\ntitle: 3\n", encoding="utf-8")
    shutil.copy(default_knowledge_dir() / "routines" / "walk.yaml", routines / "walk.yaml")
    shutil.copy(routines / "walk.yaml", routines / "zz-walk.yaml")
    _dump(root, "sources.yaml", {"sources": {"A1": "a", "E21": "e", "G6": "g"}})
    problems = _problems(root)
    assert problems[0].startswith("routines/broken.yaml: broken")
    assert all(p.startswith("routines/broken.yaml: ") for p in problems[:-1])
    assert problems[-1] == "routines/zz-walk.yaml: walk: duplicate routine id"


def test_a_scope_file_that_is_not_a_mapping_is_reported(root: Path) -> None:
    _dump(root, "scope.yaml", ["back"])
    assert _problems(root) == [
        "scope.yaml: -: must be a mapping: domain, other_body_parts, other_subjects"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "sources.yaml",
        "smalltalk.yaml",
        "synonyms.yaml",
        "notes.yaml",
        "scope.yaml",
        "routines/bad.yaml",
    ],
)
def test_invalid_yaml_in_any_file_is_reported_under_that_file(root: Path, name: str) -> None:
    (root / "routines").mkdir()
    (root / name).write_text("a: 1\nb: c: d\n", encoding="utf-8")
    problems = _problems(root)
    assert (
        problems[0]
        == f"{name}: -: is not valid YAML at line 2: mapping values are not allowed here"
    )


def test_a_synonyms_file_that_is_a_list_is_reported(root: Path) -> None:
    _dump(root, "synonyms.yaml", [["a", "b"]])
    assert _problems(root) == [
        "synonyms.yaml: -: must be a mapping with a list 'groups' of term lists"
    ]
