"""The matcher (bot/core/matching.py) on a four-entry knowledge base, small enough to reason
about every feature, weight and follow-up by hand."""

from __future__ import annotations

import dataclasses
import math

import pytest

from bot.core import matching
from bot.core.decision import Candidate, Thresholds
from bot.core.english import EnglishFrequencies
from bot.core.index import BIGRAM_WEIGHT, CONCEPT_WEIGHT
from bot.core.knowledge import Entry, KnowledgeBase, Scope
from bot.core.matching import Matcher
from bot.core.scope import Outside


def entry(
    entry_id: str,
    title: str,
    questions: tuple[str, ...],
    answer: str,
    related: tuple[str, ...] = (),
) -> Entry:
    return Entry(entry_id, "c", title, questions, answer, (), related)


ENTRIES = (
    entry(
        "psoas",
        "Psoas stretch",
        ("How do I stretch the psoas?",),
        "Kneel and stretch the psoas gently.",
        ("walking", "no-such-entry"),
    ),
    entry(
        "walking",
        "Walking for back pain",
        ("Is walking good for back pain?", "How far should I walk?"),
        "Walking helps back pain. Start with ten minutes.",
    ),
    entry(
        "situps",
        "Sit-ups",
        ("Are sit ups bad for my back?",),
        "Sit-ups strain the back; try a dead bug instead.",
    ),
    entry(
        "core",
        "Stabilise the core",
        ("How do I stabilise my core?", "Which stabilizing exercises help?"),
        "Stabilising the core is the safest start.",
    ),
)
SCOPE = Scope(
    domain=("back", "psoas", "hip"),
    other_body_parts=("knee",),
    never_ours={"animals": ("dog",)},
    about_the_bot=("who are you",),
)


def small_base(kb: KnowledgeBase, *entries: Entry) -> KnowledgeBase:
    return dataclasses.replace(
        kb,
        entries={e.id: e for e in entries or ENTRIES},
        synonyms=(("walking", "stroll"), ("back pain", "backache", "lbp")),
        scope=SCOPE,
    )


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(small_base(kb))


# ---------------------------------------------------------------------------- spellings


def test_the_bases_spellings_of_one_word_fold_to_the_most_used(kb: KnowledgeBase) -> None:
    base = small_base(
        kb,
        entry("a", "Stabilise", ("stabilise it", "stabilize it"), "Colour and color."),
        entry("b", "Safest start", ("the safest", "safest"), "Safe."),
    )
    assert matching._spelling_folds(base) == {
        "stabilize": "stabilise",  # two to one
        "color": "colour",  # one each: the alphabetically last wins
        "safest": "safe",  # a superlative folds to its base, however often it is used
    }


def test_spelling_folds_never_chain(kb: KnowledgeBase) -> None:
    base = small_base(kb, entry("a", "Colourest", ("color color",), "colour"))
    # "colourest" -> "colour" -> "color": straight to the end.
    assert matching._spelling_folds(base) == {"colourest": "color", "colour": "color"}


def test_a_known_word_in_a_spelling_the_base_uses_less_is_folded(matcher: Matcher) -> None:
    # "stabilising" (answer) and "stabilizing" (question) are used once each.
    assert matcher.correct("stabilising") == "stabilizing"
    assert matcher.correct("stabilizing") == "stabilizing"


# ---------------------------------------------------------------------------- correction


def test_another_spelling_of_a_known_word_becomes_that_word(matcher: Matcher) -> None:
    assert matcher.correct("stabilize") == "stabilise"
    assert matcher.correct("psaos") == "psoas"
    assert matcher.correct("l5s1") == "l5s1"
    # A word with a digit names a level of the spine: L4 is never read as L5.
    assert matcher.correct("l4s1") == "l4s1"
    assert matcher.correct("psoas") == "psoas"
    # "most" (of "mostest") is a stop word: not a spelling of anything.
    assert matcher.correct("mostest") == "mostest"


def test_a_real_word_is_corrected_only_into_a_pair_the_phrasings_use(matcher: Matcher) -> None:
    # "talk" is English and one letter from "walk": "far walk" and "walk back" are pairs
    # of the phrasings, "walk far" is not.
    assert matcher.correct("talk") == "talk"
    assert matcher.correct("talk", "far") == "walk"
    assert matcher.correct("talk", "", "back") == "walk"
    assert matcher.correct("talk", "", "far") == "talk"
    assert matcher.correct("talk", "back", "") == "talk"


def test_analysing_corrects_content_words_with_their_content_neighbours(matcher: Matcher) -> None:
    assert matcher.analyse("How far should I talk?") == ["how", "far", "should", "i", "walk"]
    assert matcher.analyse("I talk back") == ["i", "walk", "back"]
    assert matcher.analyse("talk back psoas") == ["walk", "back", "psoas"]
    assert matcher.analyse("I talk") == ["i", "talk"]
    # The first word has nothing before it: the last word ("far") is not its neighbour.
    assert matcher.analyse("talk psoas far") == ["talk", "psoas", "far"]
    assert matcher.analyse("the psaos, stabilize") == ["the", "psoas", "stabilise"]
    assert len(matcher.analyse("psoas " * 70)) == matching.MAX_QUERY_WORDS


def test_the_vocabulary_holds_the_bases_synonyms_and_scope_words(matcher: Matcher) -> None:
    assert {"psoas", "kneel", "stroll", "lbp", "backache", "knee", "dog", "the"} <= (
        matcher.vocabulary
    )
    assert "sit" not in matcher.vocabulary


# ---------------------------------------------------------------------------- features


def test_a_question_is_stems_pairs_of_stems_and_concepts(matcher: Matcher) -> None:
    features, content = matcher._features(["is", "walking", "good", "for", "back", "pain"])
    assert features == {
        "walk": 1.0,
        "good": 1.0,
        "back": 1.0,
        "pain": 1.0,
        "walk_good": BIGRAM_WEIGHT,
        "good_back": BIGRAM_WEIGHT,
        "back_pain": BIGRAM_WEIGHT,
        "~0": CONCEPT_WEIGHT,
        "~1": CONCEPT_WEIGHT,
    }
    assert content == 4


def test_a_question_of_stop_words_only_keeps_them_as_features(matcher: Matcher) -> None:
    assert matcher._features(["is", "it"]) == ({"is": 1.0, "it": 1.0, "is_it": BIGRAM_WEIGHT}, 0)


def test_denied_words_weigh_a_fifth(matcher: Matcher) -> None:
    query = matcher._read("no walking, just a stretch")
    assert query.kept == ["no", "just", "a", "stretch"]
    assert query.features["walk"] == pytest.approx(matching.DENIED_WEIGHT)
    assert query.features["stretch"] == 1.0
    assert query.features["no_walk"] == pytest.approx(BIGRAM_WEIGHT * matching.DENIED_WEIGHT)
    assert query.features["walk_stretch"] == pytest.approx(BIGRAM_WEIGHT * matching.DENIED_WEIGHT)


def test_a_lone_not_is_part_of_the_question_not_a_denial(matcher: Matcher) -> None:
    query = matcher._read("should I not walk")
    assert query.kept == ["should", "i", "not", "walk"]
    assert query.features["walk"] == 1.0
    assert query.content == 2


# ---------------------------------------------------------------------------- scores


def test_a_question_that_is_a_one_word_title_scores_full_marks(matcher: Matcher) -> None:
    assert matcher.score("Sit-ups") == [Candidate("situps", 100.0)]
    details = matcher.details("situps")
    assert (details[0].similarity, details[0].coverage) == (1.0, 1.0)


@pytest.mark.parametrize("unknown_words", ["today", "today tomorrow evening"])
def test_unknown_words_lower_the_score_by_their_weight(
    matcher: Matcher, unknown_words: str
) -> None:
    # "situp" is in one entry of four: log(5). Each unknown word weighs 0.6 of that; many of
    # them leave so little of the question covered that the score is cut further.
    known = math.log(5)
    unknown = [matching.UNKNOWN_WEIGHT * known] * len(unknown_words.split())
    share = known / (known + sum(unknown))
    coverage = share + matching.ANSWER_COVERAGE_SHARE * share * (1 - share)
    cosine = known / math.sqrt(known**2 + sum(u * u for u in unknown))
    similarity = (cosine + matching.CONTAIN_SHARE) / (1 + matching.CONTAIN_SHARE)
    score = 100 * (matching.W_SIMILARITY * similarity + matching.W_COVERAGE * coverage)
    [found] = matcher.details(f"situps {unknown_words}")
    assert found.entry_id == "situps"
    assert found.coverage == pytest.approx(coverage)
    assert found.similarity == pytest.approx(similarity)
    assert found.score == round(score * min(1.0, 0.5 + coverage), 2)


def test_a_word_the_phrasings_use_counts_more_than_its_synonym(matcher: Matcher) -> None:
    # "walking" is in the phrasings as itself and as its concept; "stroll" only as the concept.
    [walking] = matcher.details("walking")
    [stroll] = matcher.details("stroll")
    assert walking.entry_id == stroll.entry_id == "walking"
    assert walking.similarity > stroll.similarity
    assert walking.score > stroll.score


def test_a_synonym_stands_for_its_concept_at_a_words_weight(matcher: Matcher) -> None:
    # The concept is in one entry of four, like "situps" above: the same shares.
    [found] = matcher.details("stroll today")
    assert found.entry_id == "walking"
    assert found.coverage == pytest.approx(1 / (1 + matching.UNKNOWN_WEIGHT))


def test_words_in_the_order_of_a_phrasing_score_higher(matcher: Matcher) -> None:
    in_order, reversed_order = matcher.details("how far"), matcher.details("far how")
    assert in_order[0].entry_id == reversed_order[0].entry_id == "walking"
    assert in_order[0].score > reversed_order[0].score


def test_a_pair_the_phrasings_never_use_adds_nothing(matcher: Matcher) -> None:
    # "psoas" (one entry in four) and "kneel" (in no phrasing: 0.6 of that weight); the pair
    # "psoas kneel" is in no phrasing and does not count. Both words are in the answer.
    [found] = matcher.details("psoas kneel")
    assert found.entry_id == "psoas"
    share = 1 / (1 + matching.UNKNOWN_WEIGHT)
    assert found.coverage == pytest.approx(share + matching.ANSWER_COVERAGE_SHARE * (1 - share))


def test_equal_scores_are_ranked_by_entry_id(matcher: Matcher) -> None:
    ranked = matcher.details("how far")
    assert [s.entry_id for s in ranked] == ["walking", "core", "psoas"]
    assert ranked[1].score == ranked[2].score < ranked[0].score


def test_nothing_in_common_scores_nothing(matcher: Matcher) -> None:
    assert matcher.details("quantum chromodynamics") == []
    assert matcher.details("") == []
    assert matcher.score("?!") == []


@pytest.mark.parametrize(("common", "in_play"), [(63, matching.RESULTS), (64, 1), (69, 1)])
def test_a_common_word_only_adds_to_entries_a_rarer_word_put_in_play(
    kb: KnowledgeBase, common: int, in_play: int
) -> None:
    # "back" in more than 64 entries is common: it no longer puts entries in play itself.
    many = [entry(f"e{i:02}", f"Back topic {i:02}", (), "Back.") for i in range(common)]
    matcher = Matcher(small_base(kb, *many, entry("rare", "Psoas and back", (), "Psoas.")))
    ranked = matcher.details("psoas back")
    assert len(ranked) == in_play
    assert (ranked[0].entry_id, ranked[0].coverage) == ("rare", 1.0)


def test_alone_a_common_word_puts_every_entry_in_play(kb: KnowledgeBase) -> None:
    many = [entry(f"e{i:02}", f"Back topic {i:02}", (), "Back.") for i in range(70)]
    matcher = Matcher(small_base(kb, *many, entry("rare", "Psoas and back", (), "Psoas.")))
    # The best ten come back, and of the entries that score the same, those listed first.
    ranked = [s.entry_id for s in matcher.details("back")]
    assert ranked == ["rare", "e00", "e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08"]


def test_synonym_terms_are_read_in_the_bases_own_spelling(kb: KnowledgeBase) -> None:
    # The base writes "stabilizing" more (a tie, broken alphabetically); a synonym file that
    # writes "stabilising" still links "bracing" to the phrasing "Which stabilizing ...".
    base = dataclasses.replace(small_base(kb), synonyms=(("stabilising", "bracing"),))
    [found] = Matcher(base).details("bracing")
    assert found.entry_id == "core"


# ---------------------------------------------------------------------------- topical


def test_a_question_with_a_topic_word_or_only_our_words_is_topical(kb: KnowledgeBase) -> None:
    matcher = Matcher(small_base(kb))
    assert matcher.topical(["psoas"])
    # A word far more common here than in English makes the question ours, whatever else.
    assert matcher.topical(["psoas", "jetlag"])
    assert matcher.topical(["how", "far"])
    assert matcher.topical(["who", "are", "you"])
    assert not matcher.topical(["how", "jetlag"])
    assert not matcher.topical(["time"])
    # Without English counts, any word the base uses three times is a topic word.
    bare = Matcher(small_base(kb), language=EnglishFrequencies({}, 1))
    assert bare.topical(["how", "jetlag"])
    assert not bare.topical(["far", "jetlag"])


# ---------------------------------------------------------------------------- match()


def test_thresholds_default_and_can_be_set(kb: KnowledgeBase) -> None:
    assert Matcher(small_base(kb)).thresholds == Thresholds()
    strict = Matcher(small_base(kb), Thresholds(answer=99.0, clarify=90.0))
    assert strict.match("situps today").kind == "fallback"
    assert strict.match("sit-ups").kind == "answer"


def test_another_body_part_is_outside_and_falls_back(matcher: Matcher) -> None:
    assert matcher.outside("my knee") == Outside("body", "another body part", "knee")
    assert matcher.outside("my knee and back") is None
    match = matcher.match("knee stretch")
    assert (match.kind, match.reason) == ("fallback", "another body part: knee")


def test_a_clear_question_is_answered_whatever_came_before(matcher: Matcher) -> None:
    match = matcher.match("how far", context="psoas")
    assert (match.kind, match.entry_id, match.reason) == ("answer", "walking", "clear match")


def test_a_follow_up_cue_reads_the_question_with_the_last_topic(matcher: Matcher) -> None:
    match = matcher.match("and how far?", context="psoas")
    assert (match.kind, match.entry_id, match.reason) == ("answer", "walking", "follow-up to psoas")
    assert [c.entry_id for c in match.candidates] == ["walking", "psoas"]


def test_a_short_question_not_answered_alone_is_answered_in_context(matcher: Matcher) -> None:
    assert matcher.match("how long").kind != "answer"
    match = matcher.match("how long", context="walking")
    assert (match.kind, match.entry_id, match.reason) == (
        "answer",
        "walking",
        "follow-up to walking",
    )
    # Only among the last entry's neighbours: the core entry is not one.
    assert "core" not in [c.entry_id for c in match.candidates]


def test_a_follow_up_adds_the_last_titles_words_at_half_weight(matcher: Matcher) -> None:
    # "back" is in two entries of four (log 3), "situp" in one (log 5). Read after the
    # sit-ups entry, the question also has that title's "situp" at half weight, and only the
    # sit-ups entry (it has no related topics) is in play.
    assert matcher.match("and the back?").kind == "clarify"
    match = matcher.match("and the back?", context="situps")
    assert (match.kind, match.entry_id, match.reason) == ("answer", "situps", "follow-up to situps")
    assert [c.entry_id for c in match.candidates] == ["situps"]
    back, situp = math.log(3), math.log(5)
    question_norm = math.hypot(back, matching.CONTEXT_WEIGHT * situp)
    # The phrasing "Are sit ups bad for my back?": situp, bad, back and two pairs.
    phrasing_norm = math.sqrt(2 * situp**2 + back**2 + 2 * (BIGRAM_WEIGHT * situp) ** 2)
    cosine = (matching.CONTEXT_WEIGHT * situp * situp + back * back) / (
        question_norm * phrasing_norm
    )
    contained = back * back / phrasing_norm**2
    similarity = (cosine + matching.CONTAIN_SHARE * contained) / (1 + matching.CONTAIN_SHARE)
    # The whole question is in that entry: coverage 1.
    score = 100 * (matching.W_SIMILARITY * similarity + matching.W_COVERAGE * 1.0)
    assert match.score == round(score, 2)


def test_a_follow_up_has_at_most_five_content_words(matcher: Matcher) -> None:
    five, six = "how long far long far", "how long far long far far"
    assert matcher.match(five).kind == matcher.match(six).kind == "fallback"
    assert matcher.match(five, context="walking").reason == "follow-up to walking"
    assert matcher.match(six, context="walking") == matcher.match(six)


def test_no_follow_up_without_a_known_last_topic_or_for_a_long_question(matcher: Matcher) -> None:
    alone = matcher.match("how long")
    assert matcher.match("how long", context="no-such-entry") == alone
    assert matcher.match("how long", context=None) == alone
    assert matcher.match("how long", context="") == alone
    long = "how long good far minutes today"
    assert matcher.match(long, context="walking") == matcher.match(long)
    assert matcher.match("and?", context="walking").kind == "fallback"


def test_no_follow_up_for_a_question_outside_the_subject(matcher: Matcher) -> None:
    match = matcher.match("and the knee stretch?", context="walking")
    assert (match.kind, match.reason) == ("fallback", "another body part: knee")
