"""The words people use for the treatment and everyday topics reach their entries, other
subjects fall back, and a domain word between the words of another subject stays ours."""

from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.scope import ScopeGate
from bot.core.text import join_compounds, normalize


def _words(question: str) -> list[str]:
    return normalize(join_compounds(question)).split()


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("threw out my back this morning, what now", "flare-up"),
        ("went into spasm bending over the sink", "flare-up"),
        ("I'm frightened that moving will damage my spine", "fear-of-moving"),
        ("doms in my legs after the routine", "soreness-after"),
        ("is the chiro worth it for my lower back", "manipulation"),
        ("dry needling for lower back pain, any good", "acupuncture"),
        ("are tens units any good for back ache", "tens"),
        ("gravity boots for a bad back", "traction"),
        ("do arch supports help lower back pain", "insoles"),
        ("is lyrica any good for sciatica", "sciatica-medicines"),
        ("cortisone jab in my lower back, worth having", "injections-surgery"),
        ("MRI says I have a prolapsed disc, is that bad", "disc-scan"),
        ("deadlifting with a sore lower back", "lifting-gym"),
        ("when can I play rugby again after back pain", "back-to-sport"),
        ("could my stiff back be spondylitis", "inflammatory-pain"),
    ],
)
def test_everyday_words_for_the_new_topics_reach_their_entry(
    answerer: Answerer, kb: KnowledgeBase, question: str, entry_id: str
) -> None:
    assert question not in kb.entries[entry_id].questions
    verdict = answerer.verdict(question)
    assert (verdict.kind, verdict.entry_id) == ("answer", entry_id), verdict.match


@pytest.mark.parametrize(
    "question",
    [
        "how do I get a six pack",
        "how to train for a half marathon",
        "how do I back up my laptop",
        "disc golf rules",
        "core values of a company",
        "the spine of my book is broken",
        "how do I remove a dent in the back of my car",
        "how do I get my ex back",
        "how to stretch my hamstrings",
    ],
)
def test_another_subject_in_our_words_gets_the_plain_fallback(
    answerer: Answerer, question: str
) -> None:
    verdict = answerer.verdict(question)
    assert verdict.kind == "fallback", verdict.match


@pytest.mark.parametrize(
    "question",
    [
        "my stomach and back hurt",
        "does a TENS help period and back pain",
        "a dull ache in my lower back area",
        "should I stop the routine if I get chest pain",
    ],
)
def test_a_domain_word_among_other_words_keeps_the_question_ours(
    kb: KnowledgeBase, question: str
) -> None:
    assert ScopeGate(kb.scope).outside(_words(question)) is None
