"""The matcher's decision: the out-of-scope gate, evidence, margins, follow-ups, word forms."""

from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.decision import Scored, Thresholds, decide
from bot.core.knowledge import KnowledgeBase, Scope
from bot.core.matching import Matcher
from bot.core.scope import ScopeGate, load_scope
from bot.core.text import join_compounds, normalize, spelling_variants
from bot.core.yaml_reading import Collector

LIMITS = Thresholds()


def scored(entry_id: str, score: float, similarity: float = 0.5, coverage: float = 0.6) -> Scored:
    return Scored(entry_id, score, similarity, coverage)


# ---------------------------------------------------------------------------- decide()


def test_a_high_score_clear_of_the_runner_up_answers() -> None:
    match = decide([scored("a", 80), scored("b", 60)], LIMITS, None)
    assert (match.kind, match.entry_id) == ("answer", "a")


def test_below_the_answer_score_a_clear_relative_margin_answers() -> None:
    match = decide([scored("a", 36), scored("b", 20)], LIMITS, None)
    assert (match.kind, match.entry_id) == ("answer", "a")


def test_a_close_call_clarifies_with_at_most_three_candidates() -> None:
    ranked = [scored("a", 40), scored("b", 38), scored("c", 37), scored("d", 36)]
    match = decide(ranked, LIMITS, None)
    assert match.kind == "clarify"
    assert [c.entry_id for c in match.candidates] == ["a", "b", "c"]


def test_a_candidate_far_below_the_best_is_not_offered() -> None:
    match = decide([scored("a", 60), scored("b", 58), scored("c", 30)], LIMITS, None)
    assert match.kind == "clarify"
    assert [c.entry_id for c in match.candidates] == ["a", "b"]


def test_little_evidence_below_the_answer_score_falls_back() -> None:
    match = decide([scored("a", 40, coverage=0.1), scored("b", 10)], LIMITS, None)
    assert match.kind == "fallback"


def test_a_weak_score_falls_back() -> None:
    assert decide([scored("a", 15)], LIMITS, None).kind == "fallback"
    assert decide([], LIMITS, None).kind == "fallback"


def test_a_question_without_a_word_of_our_subject_falls_back_unless_nearly_a_phrasing() -> None:
    assert decide([scored("a", 70, similarity=0.5)], LIMITS, None, topical=False).kind == (
        "fallback"
    )
    assert decide([scored("a", 95, similarity=0.95)], LIMITS, None, topical=False).kind == (
        "answer"
    )


# ---------------------------------------------------------------------------- the gate


@pytest.fixture(scope="module")
def gate(kb: KnowledgeBase) -> ScopeGate:
    return ScopeGate(kb.scope)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("my knees hurt after football", "body"),
        ("tooth ache at night", "body"),
        ("what does hip hop mean", "subject"),
        ("how much is a hip replacement", "subject"),
        ("can you recommend a good non slip yoga mat", "subject"),
        ("my dog has a bad back", "never"),
    ],
)
def test_another_body_part_or_subject_without_our_words_is_outside(
    gate: ScopeGate, question: str, kind: str
) -> None:
    outside = gate.outside(normalize(join_compounds(question)).split())
    assert outside is not None and outside.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "my knee and my lower back hurt",
        "is cat cow good for stiffness",
        "which muscles lift my knee towards my chest",
        "is walking good for me",
        "the pain comes back every winter",
    ],
)
def test_our_words_keep_a_question_in_scope(gate: ScopeGate, question: str) -> None:
    assert gate.outside(normalize(join_compounds(question)).split()) is None


def test_scope_file_problems_are_reported(tmp_path) -> None:
    (tmp_path / "scope.yaml").write_text("domain: []\nother_subjects: [guitar]\n")
    out = Collector()
    load_scope(tmp_path, out)
    messages = {(p.entry, p.message) for p in out.problems}
    assert ("domain", "needs at least one term: the words of the bot's own subject") in messages
    assert ("other_subjects", "must map a name to a list of terms") in messages


def test_without_a_scope_file_nothing_is_outside(tmp_path) -> None:
    assert load_scope(tmp_path, Collector()) == Scope()


# ---------------------------------------------------------------------------- real questions


@pytest.mark.parametrize(
    "question",
    [
        "my tooth hurts",
        "my shoulder hurts when I lift my arm",
        "can you recommend a gym near me",
        "what's the best way to learn guitar as an adult",
        "how long does jet lag last",
        "which cut of beef is the psoas",
    ],
)
def test_off_topic_questions_get_the_plain_fallback(answerer: Answerer, question: str) -> None:
    verdict = answerer.verdict(question)
    assert verdict.kind == "fallback", verdict.match
    assert verdict.match.reason


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Should I stretch my hip flexors?", "should-i-stretch"),
        ("is sitting bad for my back", "sitting"),
        ("are sit-ups bad for my back", "situps"),
        ("what kind of questions can you answer", "about-bot"),
    ],
)
def test_clear_questions_get_their_answer(answerer: Answerer, question: str, expected: str) -> None:
    verdict = answerer.verdict(question)
    assert (verdict.kind, verdict.entry_id) == ("answer", expected), verdict.match


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "I've been getting this dull ache in my lower back for about a week now after "
            "helping my brother move house, should I put heat on it or ice?",
            "heat-or-ice",
        ),
        (
            "I sit in front of a computer for work from 9 to 6 and by the afternoon my lower "
            "back is killing me, any tips for the work day?",
            "desk-work",
        ),
    ],
)
def test_a_long_chatty_question_is_answered_by_its_topic(
    answerer: Answerer, question: str, expected: str
) -> None:
    assert answerer.verdict(question).entry_id == expected


def test_words_the_user_denies_do_not_pull_the_match(answerer: Answerer) -> None:
    matcher = answerer.matcher
    denied = matcher.details("no numbness or tingling, just stiff after sitting")
    said = matcher.details("numbness and tingling, stiff after sitting")
    assert "sciatica" in [s.entry_id for s in said[:3]]
    assert "sciatica" not in [s.entry_id for s in denied[:3]]
    assert denied[0].score > said[0].score


def test_a_question_with_not_is_no_denial(answerer: Answerer) -> None:
    top = answerer.matcher.details("should I not stretch")[0]
    assert top.entry_id.startswith("stretch")


# ---------------------------------------------------------------------------- word forms


def test_compounds_become_one_word_however_they_are_written() -> None:
    forms = {normalize(join_compounds(t)) for t in ("sit-ups", "sit ups", "situps", "Sit-Ups")}
    assert forms == {"situps"}
    assert normalize(join_compounds("x-ray")) == normalize(join_compounds("x ray")) == "xray"
    assert normalize(join_compounds("sit up straight")) == "sit up straight"


def test_british_american_and_superlative_forms_are_offered() -> None:
    assert "stabilize" in spelling_variants("stabilise")
    assert "stabilise" in spelling_variants("stabilize")
    assert "safe" in spelling_variants("safest")
    assert "easy" in spelling_variants("easiest")
    assert spelling_variants("four") == []


def test_spellings_fold_to_the_knowledge_bases_words(answerer: Answerer) -> None:
    matcher = answerer.matcher
    for word, folded in [("safest", "safe"), ("stabilized", "stabilised")]:
        if folded in matcher.vocabulary and word not in matcher.vocabulary:
            assert matcher.correct(word) == folded


def test_question_words_keep_their_weight(answerer: Answerer) -> None:
    assert "where" in answerer.matcher.analyse("where is the psoas")
    where = answerer.verdict("where is the psoas").candidates[0].entry_id
    what = answerer.verdict("what does the psoas do").candidates[0].entry_id
    assert (where, what) == ("psoas-anatomy", "psoas-function")


# ---------------------------------------------------------------------------- follow-ups


def test_a_short_follow_up_that_matches_poorly_alone_is_read_with_the_last_topic(
    kb: KnowledgeBase,
) -> None:
    matcher = Matcher(kb)
    assert matcher.match("how often?").kind != "answer"
    followed = matcher.match("how often?", context="walking")
    assert (followed.kind, followed.entry_id) == ("answer", "walking-plan")
    assert followed.reason == "follow-up to walking"


def test_a_question_worded_as_a_follow_up_is_read_with_the_last_topic(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    followed = matcher.match("what about running?", context="walking")
    assert (followed.kind, followed.entry_id) == ("answer", "running")
    assert followed.reason == "follow-up to walking"


def test_a_follow_up_is_answered_only_among_the_last_topics_neighbours(kb: KnowledgeBase) -> None:
    # Nothing near heat or ice says how often: the follow-up stays as vague as it is alone.
    matcher = Matcher(kb)
    assert matcher.match("how often?", context="heat-or-ice") == matcher.match("how often?")


def test_context_never_turns_an_off_topic_question_into_an_answer(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    assert matcher.match("and my shoulder?", context="walking").kind == "fallback"


def test_a_long_question_is_not_a_follow_up(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    question = "what about the guitar lessons my daughter wants to take this autumn?"
    assert matcher.match(question, context="walking") == matcher.match(question)
