"""Details of the red-flag screen a mutation run found untested: typos are corrected towards the
rules' words and the context words alike, and `mentioned` names a flag in full, whatever its
context, but never across a clause break."""

from __future__ import annotations

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.safety import Flag


def test_a_typo_in_a_red_flags_words_still_alarms(answerer: Answerer) -> None:
    screen = answerer.verdict("sudden numbnes in my sadle area").screen
    assert [f.rule_id for f in screen.flags] == ["saddle-numbness"]


def test_a_typo_in_a_word_naming_someone_else_keeps_the_screen_quiet(answerer: Answerer) -> None:
    assert answerer.verdict("my colleague has numbness in the saddle area").screen.flags == ()
    assert answerer.verdict("my colleage has numbness in the saddle area").screen.flags == ()


def test_mentioned_names_the_same_flags_as_the_screen_for_a_current_sign(
    answerer: Answerer,
) -> None:
    for text in ("I can't feel my bum when I wipe", "I have lost control of my bladder"):
        flags = answerer.verdict(text).screen.flags
        assert flags, text
        assert answerer.safety.mentioned(text) == flags


def test_mentioned_names_a_sign_whatever_its_context(answerer: Answerer) -> None:
    text = "I have never had numbness in the saddle area"
    assert answerer.verdict(text).screen.flags == ()
    [flag] = answerer.safety.mentioned(text)
    assert (flag.rule_id, flag.flag, flag.tier) == ("saddle-numbness", "saddle", "emergency")
    assert flag.label


def test_mentioned_never_joins_words_across_a_clause_break(answerer: Answerer) -> None:
    assert answerer.safety.mentioned("I can't pee")
    assert answerer.safety.mentioned("I can't, pee") == ()


def test_the_screen_never_joins_words_across_a_clause_break(answerer: Answerer) -> None:
    assert answerer.verdict("I can not pee").screen.urgent
    assert not answerer.verdict("I can not, pee").screen.urgent


def test_a_sentence_scoped_sign_needs_its_words_in_one_sentence(answerer: Answerer) -> None:
    assert answerer.verdict("my saddle area is numb").screen.urgent
    assert not answerer.verdict("my leg is numb. My saddle area hurts").screen.urgent
    assert not answerer.verdict("my saddle area hurts. my leg is numb").screen.urgent


def test_a_clause_scoped_sign_needs_its_words_in_one_clause(answerer: Answerer) -> None:
    assert answerer.verdict("my foot drags when I walk").screen.urgent
    assert not answerer.verdict("my foot is fine, but the rug drags").screen.urgent
    assert not answerer.verdict("my ankle hurts, then the door catches").screen.urgent
    assert not answerer.verdict("I have a sore toe, my bag drags").screen.urgent
    assert answerer.verdict("my chest is tight").screen.urgent
    assert not answerer.verdict("my chest is fine, my back is tight").screen.urgent


def test_a_flag_carries_its_rules_id_flag_tier_and_label(
    answerer: Answerer, kb: KnowledgeBase
) -> None:
    rule = next(r for r in kb.safety_rules if r.id == "saddle-numbness")
    [flag] = answerer.verdict("my saddle area is numb").screen.flags
    assert flag == Flag(rule.id, rule.flag, rule.tier, rule.label)
    assert (flag.flag, flag.tier) == ("saddle", "emergency") and flag.label


def test_asking_about_a_flag_is_noted_as_asked_without_an_alarm(answerer: Answerer) -> None:
    for text in (
        "what does numbness in the saddle area mean?",
        "is numbness in the saddle area serious?",
    ):
        screen = answerer.verdict(text).screen
        assert (screen.urgent, screen.asked) == (False, True), text
    for text in (
        "I have never had numbness in the saddle area",
        "my colleague has numbness in the saddle area",
        "is walking good for my back?",
    ):
        assert not answerer.verdict(text).screen.asked, text


def test_a_denied_unless_phrase_does_not_discount_the_sign(answerer: Answerer) -> None:
    assert not answerer.verdict("my saddle area is numb after a long bike ride").screen.urgent
    assert answerer.verdict(
        "my saddle area is numb and it is not after a long bike ride"
    ).screen.urgent


def test_an_unless_phrase_after_a_denied_one_still_discounts_the_sign(answerer: Answerer) -> None:
    text = "my saddle area is not cold, it went numb after a long bike ride"
    assert not answerer.verdict(text).screen.urgent


def test_a_denied_sign_before_a_current_one_does_not_hide_it(answerer: Answerer) -> None:
    text = "I never had numbness in my saddle area before, but now I can not pee"
    assert [f.rule_id for f in answerer.verdict(text).screen.flags] == ["bladder-bowel"]


def test_an_age_in_digits_or_in_words_counts(answerer: Answerer) -> None:
    def rules(age: str) -> list[str]:
        text = f"I am {age} and have new back pain for the first time"
        return [f.rule_id for f in answerer.verdict(text).screen.flags]

    for age in ("55", "seventy", "fifty five"):
        assert rules(age) == ["new-pain-older"], age
    for age in ("16", "sixteen"):
        assert rules(age) == ["new-pain-younger"], age
    assert rules("35") == []


def test_an_age_named_by_its_first_word_counts(answerer: Answerer) -> None:
    text = "aged 70 with new back pain for the first time"
    assert [f.rule_id for f in answerer.verdict(text).screen.flags] == ["new-pain-older"]
    text = "I am 101 and have new back pain for the first time"
    assert [f.rule_id for f in answerer.verdict(text).screen.flags] == ["new-pain-older"]


def test_could_not_and_unable_to_read_as_can_not(answerer: Answerer) -> None:
    for text in ("I was unable to pee this morning", "I could not pee this morning"):
        assert [f.rule_id for f in answerer.verdict(text).screen.flags] == ["bladder-bowel"], text


def test_the_age_limits_are_50_and_from_10_to_19(answerer: Answerer) -> None:
    def rules(age: str) -> list[str]:
        text = f"I am {age} and have new back pain for the first time"
        return [f.rule_id for f in answerer.verdict(text).screen.flags]

    assert rules("50") == ["new-pain-older"]
    assert rules("49") == []
    assert rules("10") == rules("19") == ["new-pain-younger"]
    assert rules("9") == rules("20") == []


def test_a_number_opening_the_message_before_a_comma_is_an_age(answerer: Answerer) -> None:
    def rules(text: str) -> list[str]:
        return [f.rule_id for f in answerer.verdict(text).screen.flags]

    assert rules("58, new back pain for the first time") == ["new-pain-older"]
    assert rules("58 new back pain for the first time") == []
    assert rules("new back pain for the first time, 58") == []


def test_an_age_named_by_the_last_word_counts(answerer: Answerer) -> None:
    def rules(text: str) -> list[str]:
        return [f.rule_id for f in answerer.verdict(text).screen.flags]

    assert rules("new back pain for the first time at 58 years") == ["new-pain-older"]
    assert rules("new back pain for the first time at 58") == []
