"""The evaluation files' readers name the bad item, and the safety report prints every part
(tiers, false alarms by kind, recall per flag, misses) from made-up cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.curation.evaluation import load_cases
from bot.curation.safety_eval import evaluate_safety, is_safety_file, load_safety_cases


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q: just a mapping\n", "must be a list of {q, tier, flag|kind} items"),
        ("- not a mapping\n", "item 1 needs a text 'q'"),
        ("- {q: 3, tier: none}\n", "item 1 needs a text 'q'"),
        ('- {q: "x", tier: none}\n- {q: "y", tier: emergency}\n', "item 2: a emergency item"),
    ],
)
def test_a_bad_safety_file_names_the_item(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_safety_cases(bad)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q: x\n", "must be a list of {q, expect} items"),
        ("- 3\n", "item 1 needs a text 'q'"),
        ('- {q: "x", expect: NONE}\n- {q: "y"}\n', "item 2 needs 'expect'"),
        ('- {q: "x", expect: [a, 3]}\n', "item 1 needs 'expect'"),
    ],
)
def test_a_bad_evaluation_file_names_the_item(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_cases(bad)
    assert message in str(caught.value)


def test_the_safety_report_prints_every_part(tmp_path: Path, answerer: Answerer) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- {q: \"I can't feel my bottom and I can't pee\", tier: emergency, flag: cauda}\n"
        '- {q: "my back aches after gardening", tier: emergency, flag: made-up}\n'
        '- {q: "what does numbness in the saddle area mean?", tier: info, flag: cauda}\n'
        '- {q: "is walking good for my back", tier: none, kind: plain}\n'
        '- {q: "my back aches after gardening", tier: none, kind: plain}\n',
        encoding="utf-8",
    )
    assert is_safety_file(cases)
    report = evaluate_safety(answerer, load_safety_cases(cases))
    lines = report.lines()
    text = "\n".join(lines)
    assert lines[0].startswith("red flags caught (any alarm):")
    assert "(1/2)" in lines[0]  # the made-up flag on a harmless message is missed
    assert any(line.startswith("  emergency") for line in lines)
    assert "false alarms:" in text and "  plain" in text
    assert "asking about a flag, given the red-flags entry:" in text
    assert "recall per flag:" in text and "  made-up" in text
    assert "misses (" in text and "my back aches after gardening" in text
