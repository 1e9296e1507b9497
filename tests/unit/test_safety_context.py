"""The red-flag screen reads a symptom in its context: the same words alarm when they are the
writer's own, current symptom, and stay quiet when denied, past, hypothetical, someone else's
or asked about. Also: tiers beyond the back, typos, ages and counts, and how phrases match."""

from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.context import ContextLexicon, split_words
from bot.core.knowledge import SafetyRule, SafetyTier
from bot.core.phrases import PhraseIndex
from bot.core.safety import SafetyScreen

# (the writer's own current symptom, the same symptom in a context that must not alarm)
PAIRS = [
    ("my bum has gone numb", "my bum has not gone numb, just stiff"),
    ("I can't feel the toilet paper when I wipe", "no numbness when I wipe, all normal"),
    ("I have a fever and my back hurts", "no fever, my back just hurts after gardening"),
    ("I fell off a ladder and hurt my back", "I fell off a ladder 12 years ago, back fine since"),
    ("I had cancer and now my back hurts a lot", "my dad had cancer, my back is just stiff"),
    ("both my legs are numb since this morning", "what if both my legs went numb one day?"),
    ("chest pain going through to my back", "my mum had chest pain last year, what stretches?"),
    ("I can't control my bladder and my back aches", "what does losing bladder control mean?"),
    (
        "I've lost weight without trying and my back aches",
        "if I lost weight would my back ache less?",
    ),
]


@pytest.mark.parametrize(("own", "quiet"), PAIRS)
def test_context_decides_whether_the_same_words_alarm(
    answerer: Answerer, own: str, quiet: str
) -> None:
    assert answerer.verdict(own).screen.urgent, own
    assert not answerer.verdict(quiet).screen.urgent, quiet


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("I want to die, every day is agony", "crisis"),
        ("I've been cutting myself again because of the pain", "crisis"),
        ("took 20 paracetamol an hour ago but I feel fine", "crisis"),
        ("I'm 83, fell in the bathroom and can't put any weight on my right leg", "emergency"),
        (
            "sudden terrible pain in my back and tummy and I feel like I'm going to faint",
            "emergency",
        ),
        ("I'm 30 weeks pregnant and bleeding heavily", "emergency"),
        ("I'm 33 weeks pregnant and the baby is moving less, plus back pain", "maternity"),
        ("my hip is hot and swollen and really painful", "same-day"),
        ("my right foot has started dragging when I walk and my back hurts", "same-day"),
        ("pain between my shoulder blades that won't go", "same-day"),
    ],
)
def test_each_tier_including_the_flags_beyond_the_back(
    answerer: Answerer, text: str, tier: str
) -> None:
    screen = answerer.verdict(text).screen
    assert screen.tier is not None and screen.tier.id == tier, (text, screen.flags)


def test_the_crisis_tier_outranks_an_emergency_in_the_same_message(answerer: Answerer) -> None:
    screen = answerer.verdict("I can't feel my bum and I want to die").screen
    assert screen.tier is not None and screen.tier.id == "crisis"
    assert {f.tier for f in screen.flags} >= {"crisis", "emergency"}


def test_the_gp_note_never_blocks(answerer: Answerer) -> None:
    verdict = answerer.verdict("I have psoriasis and my lower back has been stiff for 5 months")
    assert not verdict.screen.urgent
    assert verdict.screen.note is not None and verdict.screen.note.id == "gp-note"


@pytest.mark.parametrize(
    "text",
    [
        "numbess round my anus since this morning",  # typo
        "couldn't control my bowels today and my back is terrible",  # could not = can not
        "unable to pee since last night, back agony",
        "I'm 58 and this back pain started last week",  # an age becomes a marker
        "I'm in my sixties and I've suddenly got back pain, never had it before",
        "i took 16 paracetamol today",  # a count of 9 or more
    ],
)
def test_typos_tenses_ages_and_counts_are_understood(answerer: Answerer, text: str) -> None:
    assert answerer.verdict(text).screen.urgent, text


@pytest.mark.parametrize(
    "text",
    [
        "My legs are weak, what exercises help?",
        "both my legs are tired after a 10k run",
        "my leg went to sleep sitting cross-legged",
        "I fell asleep on the sofa and woke up stiff",
        "I'm 55 and want to start exercising, no pain at all",
        "my toddler fell over and banged his head",
        "it's not constant, it comes and goes",
        "I'm pregnant, which stretches are safe for my back?",
        "is back pain with a fever something to worry about?",
    ],
)
def test_everyday_look_alikes_stay_quiet(answerer: Answerer, text: str) -> None:
    screen = answerer.verdict(text).screen
    assert not screen.urgent, (text, screen.flags)


def test_a_scope_ends_at_but(answerer: Answerer) -> None:
    assert answerer.verdict("no fever but I can't feel my bum when I wipe").screen.urgent


def test_a_phrase_never_steps_over_a_negation() -> None:
    index = PhraseIndex([("constant", "it is constant")])
    assert index.find("it is really constant".split())
    assert not index.find("it is not constant".split())


def test_words_are_numbered_by_sentence_and_clause() -> None:
    split = split_words("No fever, chills. But 5kg lost!")
    assert split.words == ["no", "fever", "chills", "but", "5", "kg", "lost"]
    assert split.sentence == [0, 0, 0, 1, 1, 1, 1]
    assert split.clause == [0, 0, 1, 2, 2, 2, 2]


@pytest.mark.parametrize(
    "text",
    [
        "do steroid tablets help sciatica",
        "how can I stay in shape with back pain",
        "pain in my big toe at night",
        "I can't go on holiday because of my back",
    ],
)
def test_everyday_questions_found_by_the_answers_work_stay_quiet(
    answerer: Answerer, text: str
) -> None:
    assert not answerer.verdict(text).screen.urgent, text


def test_a_phrase_two_rules_share_counts_for_the_rule_that_keeps_its_context() -> None:
    """One phrase, two rules: a past mention cancels it for one rule and not for the other,
    which still fires (the first rule's verdict must not stop the second being read)."""
    lexicon = ContextLexicon(
        before={}, after={"historical": ("years ago",)}, pseudo=(), terminate=(), self_words=()
    )
    tier = SafetyTier("same-day", "Today", "See a doctor today.", ())
    rules = [
        SafetyRule("now-only", "x", "same-day", "now", (("cancer",),)),
        SafetyRule(
            "history", "y", "same-day", "ever", (("cancer",),), keeps=frozenset({"historical"})
        ),
    ]
    screen = SafetyScreen(rules, {"same-day": tier}, lexicon)
    assert [f.rule_id for f in screen.screen("I had cancer years ago").flags] == ["history"]
    assert {f.rule_id for f in screen.screen("I have cancer").flags} == {"now-only", "history"}
