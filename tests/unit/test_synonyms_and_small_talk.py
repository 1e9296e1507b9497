"""Synonym terms in a question (bot/core/vocabulary.py) and whole-message small talk
(bot/core/smalltalk.py)."""

from __future__ import annotations

from bot.core.knowledge import SmallTalkIntent
from bot.core.smalltalk import MAX_SMALL_TALK_WORDS, SmallTalk
from bot.core.vocabulary import SynonymIndex

GROUPS = (("lower back pain", "lbp", "backache"), ("stiffness", "rigid"), ("", "sore hip"))

# ---------------------------------------------------------------------------- synonyms


def test_each_group_of_synonyms_is_one_concept_numbered_in_file_order() -> None:
    index = SynonymIndex(GROUPS)
    assert index.concepts(["my", "lbp"]) == {"~0"}
    assert index.concepts(["rigid", "back"]) == {"~1"}
    assert index.concepts(["a", "sore", "hip"]) == {"~2"}
    assert index.concepts(["lbp", "and", "rigid"]) == {"~0", "~1"}
    assert index.concepts(["walking"]) == set()


def test_a_term_of_several_words_is_found_only_whole_and_in_order() -> None:
    index = SynonymIndex(GROUPS)
    assert index.concepts(["lower", "back", "pain", "again"]) == {"~0"}
    assert index.concepts(["lower", "back"]) == set()
    assert index.concepts(["pain", "lower", "back"]) == set()
    assert index.concepts(["lower", "my", "back", "pain"]) == set()


def test_a_term_is_also_found_in_another_form_of_its_words() -> None:
    index = SynonymIndex(GROUPS)
    assert index.concepts(["lower", "backs", "pains"]) == {"~0"}
    assert index.concepts(["stiff"]) == {"~1"}
    assert index.concepts(["rigids"]) == {"~1"}


def test_one_word_terms_and_their_stems_name_their_concept() -> None:
    index = SynonymIndex(GROUPS)
    assert index.single_word_concepts() == {
        "lbp": "~0",
        "backache": "~0",
        "stiffness": "~1",
        "stiff": "~1",
        "rigid": "~1",
    }


# ---------------------------------------------------------------------------- small talk

THANKS = SmallTalkIntent("thanks", ("thanks", "thank you"), "You're welcome.")
HELLO = SmallTalkIntent("hello", ("hi", "hello"), "Hello!")
FILLER = frozenset({"a", "lot", "mate", "so", "much", "there"})


def small_talk() -> SmallTalk:
    return SmallTalk([THANKS, HELLO], FILLER)


def test_a_whole_message_that_is_a_pattern_is_small_talk() -> None:
    talk = small_talk()
    assert talk.match("Thanks!") is THANKS
    assert talk.match("thank  you") is THANKS
    assert talk.match("Hello") is HELLO


def test_filler_words_may_surround_the_pattern_on_either_side() -> None:
    talk = small_talk()
    assert talk.match("thanks a lot mate") is THANKS
    assert talk.match("so thank you so much") is THANKS
    assert talk.match("hi there") is HELLO
    assert talk.match("mate hi") is HELLO


def test_a_message_that_also_says_something_else_is_not_small_talk() -> None:
    talk = small_talk()
    assert talk.match("thanks for the stretch") is None
    assert talk.match("hi where is the psoas") is None
    assert talk.match("a lot") is None
    assert talk.match("") is None
    assert talk.match("?!") is None


def test_small_talk_is_at_most_a_few_words_long() -> None:
    talk = small_talk()
    longest = " ".join(["thanks", *["so"] * (MAX_SMALL_TALK_WORDS - 1)])
    assert talk.match(longest) is THANKS
    assert talk.match(longest + " so") is None
