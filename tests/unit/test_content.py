"""The bundled knowledge base's content: answer lengths, sources, phrasings, the shared
outside-the-UK line, crisis helplines and the routines' pregnancy note.

Whether each red-flag word in an answer has the tier that safety.yaml gives it belongs with the
safety screen's rules (whose format is being rewritten) and is not checked here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import (
    MAX_ANSWER_WORDS,
    MIN_ANSWER_WORDS,
    MIN_QUESTIONS,
    KnowledgeBase,
    KnowledgeError,
    Notes,
    default_knowledge_dir,
    required_ids_missing,
)
from bot.core.loader import load_knowledge
from bot.dialogue.messages.general import answer as render_answer

REQUIRED_FILE = Path(__file__).resolve().parents[2] / "bot" / "required_topics.txt"
CHATTY_WORDS = 15
MIN_CHATTY = 3
UK_NUMBERS = re.compile(r"(?<!\d)(?:111|999)(?!\d)")
EU_EMERGENCY = re.compile(r"(?<!\d)112(?!\d)")
# Steps done lying on the back (brief section 4): not for long after about 16 weeks of pregnancy.
LYING_ON_BACK = {"breathing-tilt", "lying-march", "dead-bug", "glute-bridge"}


def _required() -> list[str]:
    lines = REQUIRED_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_the_knowledge_base_has_all_70_required_topics(kb: KnowledgeBase) -> None:
    required = _required()
    assert len(required) == len(set(required)) == 70
    assert required_ids_missing(kb, required) == []


def test_every_answer_is_between_40_and_200_words(kb: KnowledgeBase) -> None:
    lengths = {e.id: len(e.answer.split()) for e in kb.entries.values()}
    assert {i: n for i, n in lengths.items() if not MIN_ANSWER_WORDS <= n <= MAX_ANSWER_WORDS} == {}


def test_every_cited_source_is_in_sources_yaml(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert entry.sources, entry.id
        for source in entry.sources:
            assert kb.sources.get(source.code) == source, (entry.id, source.code)
    for routine in kb.routines.values():
        assert set(routine.sources) <= set(kb.sources), routine.id


def test_every_entry_has_five_phrasings_and_three_long_chatty_ones(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert len(entry.questions) >= MIN_QUESTIONS, entry.id
        chatty = [q for q in entry.questions if len(q.split()) >= CHATTY_WORDS]
        assert len(chatty) >= MIN_CHATTY, entry.id


def test_titles_are_distinct_so_near_duplicates_can_be_told_apart(kb: KnowledgeBase) -> None:
    titles = [e.title.casefold() for e in kb.entries.values()]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("Should I stretch my hip flexors?", "should-i-stretch"),
        ("how do I do the kneeling hip flexor stretch properly", "stretch-safely"),
        ("is it bad to stretch a weak muscle", "stretch-weak-muscle"),
        ("is walking good for my back", "walking"),
        ("how many minutes a day should I walk", "walking-plan"),
        ("is there a test for tight hip flexors", "tightness-test"),
        ("why do my hip flexors feel so tight", "feels-tight"),
        ("can you diagnose me", "disclaimer"),
        ("when should I see a physio about my back", "see-doctor"),
    ],
)
def test_near_duplicate_entries_each_answer_their_own_question(
    answerer: Answerer, question: str, entry_id: str
) -> None:
    verdict = answerer.verdict(question)
    assert (verdict.kind, verdict.entry_id) == ("answer", entry_id)


def test_every_answer_naming_nhs_111_or_999_also_says_what_to_do_outside_the_uk(
    kb: KnowledgeBase,
) -> None:
    naming = [e for e in kb.entries.values() if UK_NUMBERS.search(e.answer)]
    assert len(naming) >= 10  # the red flags, see a doctor, imaging, pregnancy, ...
    for entry in naming:
        shown = render_answer(entry)
        assert EU_EMERGENCY.search(shown), entry.id
        if not EU_EMERGENCY.search(entry.answer):
            assert "116117" in shown and "out-of-hours" in shown, entry.id


def test_the_outside_uk_line_is_kept_once_and_never_copied_into_an_answer(
    kb: KnowledgeBase,
) -> None:
    assert "112" in kb.notes.outside_uk and "116117" in kb.notes.outside_uk
    assert not [e.id for e in kb.entries.values() if "116117" in e.answer]


def test_the_outside_uk_line_appears_once_between_the_answer_and_its_sources(
    kb: KnowledgeBase,
) -> None:
    shown = render_answer(kb.entries["see-doctor"])
    assert shown.count("116117") == 1
    assert shown.index("NHS 111") < shown.index("116117") < shown.index("Sources")
    assert "116117" not in render_answer(kb.entries["psoas-anatomy"])


@pytest.mark.parametrize(
    ("text", "noted"),
    [
        ("Call NHS 111 today.", True),
        ("Call 999 now.", True),
        ("Call 999 or 112 now.", False),  # the text already says what to do elsewhere
        ("Samaritans: 116 123. In Germany: 116117.", False),
        ("Lifting 1111 kg or 9999 times.", False),
        ("No numbers at all.", False),
    ],
)
def test_the_outside_uk_note_applies_where_a_text_names_111_or_999(text: str, noted: bool) -> None:
    notes = Notes(outside_uk="Outside the UK: 112.")
    assert notes.for_text(text) == (("Outside the UK: 112.",) if noted else ())
    assert Notes().for_text(text) == ()


def test_the_crisis_answer_gives_helplines_for_several_countries(kb: KnowledgeBase) -> None:
    crisis = kb.entries["crisis"].answer
    for helpline in ("116 123", "988", "112", "999", "findahelpline.com", "A&E"):
        assert helpline in crisis
    assert "paracetamol" in crisis


def test_routines_done_lying_on_the_back_tell_pregnant_users_to_ask_their_midwife(
    kb: KnowledgeBase,
) -> None:
    lying = [r for r in kb.routines.values() if LYING_ON_BACK & {s.id for s in r.steps}]
    assert {r.id for r in lying} == {"beginner", "gentle-start"}
    for routine in lying:
        # for_whom is the line the routine menu shows.
        assert "pregnant" in routine.for_whom.lower() and "midwife" in routine.for_whom


def test_the_exercise_pictures_keys_are_unchanged(kb: KnowledgeBase) -> None:
    steps = {r.id: [s.id for s in r.steps] for r in kb.routines.values()}
    assert steps == {
        "beginner": [
            "breathing-tilt", "lying-march", "dead-bug", "glute-bridge", "bird-dog",
            "seated-knee-lift", "standing-march", "cat-cow", "hip-flexor-stretch",
        ],
        "desk-break": [
            "walk-a-minute", "sit-to-stand", "standing-march", "split-stance-stretch",
            "seated-knee-hold", "side-bend",
        ],
        "gentle-start": ["breathing-tilt", "lying-march", "dead-bug"],
        "walk": ["walk"],
    }  # fmt: skip
    for routine in kb.routines.values():
        for step in routine.steps:
            assert step.easier is not None and step.harder is not None, (routine.id, step.id)


def _copy_bundled(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root)
    return root


def test_a_broken_notes_file_is_reported_with_what_is_wrong(tmp_path: Path) -> None:
    root = _copy_bundled(tmp_path)
    (root / "notes.yaml").write_text("outside_uk: ''\nextra: x\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    problems = [str(p) for p in caught.value.problems]
    assert "notes.yaml: extra: unknown note" in problems
    assert "notes.yaml: outside_uk: is missing or empty" in problems


def test_without_a_notes_file_answers_carry_no_note(tmp_path: Path) -> None:
    root = _copy_bundled(tmp_path)
    (root / "notes.yaml").unlink()
    kb = load_knowledge(root)
    assert kb.notes == Notes()
    assert all(e.notes == () for e in kb.entries.values())
