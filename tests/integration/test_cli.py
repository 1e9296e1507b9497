"""The `hipbot` command line as other tools use it: real subprocesses, real output."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.core.answering import Answerer
from bot.core.loader import load_knowledge
from bot.curation.drawing import FINGERPRINT_KEY
from bot.curation.pictures import png_size, png_text

ROOT = Path(__file__).resolve().parents[2]
PICTURES = ROOT / "knowledge" / "routines" / "pictures"


def hipbot(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def test_ask_json_has_the_documented_fields() -> None:
    result = hipbot("ask", "--json", "heat or ice for my back?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"kind", "id", "score", "candidates", "reason"} <= data.keys()
    assert data["kind"] == "answer"
    assert data["id"] == "heat-or-ice"
    assert isinstance(data["score"], float)
    assert data["candidates"][0] == {"id": "heat-or-ice", "score": data["score"]}


def test_ask_reads_one_question_per_line_and_prints_one_json_per_line() -> None:
    questions = ["what is the psoas", "", "whats the capital of peru", "back pain and fever"]
    result = hipbot("ask", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == [q for q in questions if q]
    assert lines[1]["kind"] == "fallback" and lines[1]["id"] is None
    assert lines[2]["kind"] == "urgent"
    for line in lines:
        scores = [c["score"] for c in line["candidates"]]
        assert scores == sorted(scores, reverse=True)


def test_ask_without_json_prints_the_answer_and_its_sources() -> None:
    result = hipbot("ask", "should I wear a back brace")
    assert result.returncode == 0
    assert "Sources:" in result.stdout
    assert "NICE" in result.stdout


def test_kb_check_passes_on_the_bundled_knowledge_base() -> None:
    result = hipbot("kb", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_kb_check_names_file_and_entry_of_each_problem(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    for name in ("sources.yaml", "safety.yaml", "smalltalk.yaml"):
        (broken / name).write_text((ROOT / "knowledge" / name).read_text())
    (broken / "pain.yaml").write_text(
        yaml.safe_dump(
            {
                "category": "pain",
                "title": "Pain",
                "entries": [
                    {
                        "id": "x",
                        "title": "X",
                        "questions": ["a"],
                        "answer": "short",
                        "sources": ["Q1"],
                    }
                ],
            }
        )
    )
    result = hipbot("kb", "check", env={"HIPBOT_KNOWLEDGE_DIR": str(broken)})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "pain.yaml: x: has 1 phrasings (at least 5 needed)" in lines
    assert "pain.yaml: x: unknown source code 'Q1' (not in sources.yaml)" in lines
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("chat",), ("ask", "hello"), ("run",)])
def test_an_invalid_knowledge_base_stops_every_command_at_start(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "sources.yaml").write_text("sources: [1, 2")
    env = {"HIPBOT_KNOWLEDGE_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": "123456:" + "a" * 35}
    result = hipbot(*command, env=env, stdin="")
    assert result.returncode == 1
    assert "sources.yaml: -: is not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_kb_eval_counts_a_clarify_on_an_out_of_scope_question_as_a_miss(tmp_path: Path) -> None:
    cases = tmp_path / "eval.yaml"
    cases.write_text('- {q: "hip flexor exercises", expect: NONE}\n- {q: "hi", expect: NONE}\n')
    result = hipbot("kb", "eval", str(cases))
    assert result.returncode == 0, result.stderr
    figures = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert "NONE met by fallback or small talk:    50.0 % (1/2)" in figures
    assert "NONE clarified (a miss):               50.0 % (1/2)" in figures
    assert "  NONE clarify: 'hip flexor exercises'" in result.stdout


def test_kb_eval_prints_accuracy_by_class_and_the_misses(tmp_path: Path) -> None:
    cases = tmp_path / "eval.yaml"
    cases.write_text(
        '- {q: "heat or ice for back pain", expect: heat-or-ice}\n'
        '- {q: "what is the capital of peru", expect: NONE}\n'
        '- {q: "I lost control of my bladder", expect: URGENT}\n'
        '- {q: "heat or ice for back pain", expect: imaging}\n'
    )
    result = hipbot("kb", "eval", str(cases))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "in scope answered right:" in out and "50.0 % (1/2)" in out
    assert "NONE met by fallback or small talk:" in out and "100.0 % (1/1)" in out
    assert "URGENT safety message first:" in out
    assert "expected imaging: 'heat or ice for back pain'" in out


def test_kb_dump_is_the_whole_knowledge_base_as_json() -> None:
    result = hipbot("kb", "dump")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert len(data["entries"]) >= 55
    entry = data["entries"][0]
    assert {"id", "category", "questions"} <= entry.keys()
    assert data["routines"] and data["routines"][0]["steps"]


def test_run_without_a_token_is_a_one_line_error() -> None:
    result = hipbot("run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_run_with_a_malformed_token_is_a_one_line_error_that_hides_it() -> None:
    result = hipbot("run", env={"TELEGRAM_BOT_TOKEN": "not-a-token-secret"})
    assert result.returncode == 2
    assert "malformed" in result.stderr
    assert "not-a-token-secret" not in result.stderr


def test_the_knowledge_base_is_found_from_any_working_directory(tmp_path: Path) -> None:
    result = hipbot("kb", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_kb_dump_gives_every_step_and_variant_its_picture() -> None:
    data = json.loads(hipbot("kb", "dump").stdout)
    for routine in data["routines"]:
        for step in routine["steps"]:
            assert step["picture"] and Path(step["picture"]).is_file(), step["id"]
            for variant in ("easier", "harder"):
                if step.get(variant):
                    assert Path(step[variant]["picture"]).is_file(), (step["id"], variant)


def test_routine_pictures_redraws_every_committed_picture(tmp_path: Path) -> None:
    result = hipbot("routine", "pictures", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    committed = sorted(PICTURES.glob("*.png"))
    drawn = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in drawn] == [p.name for p in committed]
    # The same poses (fingerprint) and size; pixels may differ with another matplotlib.
    for new, old in zip(drawn, committed, strict=True):
        new_data, old_data = new.read_bytes(), old.read_bytes()
        assert png_text(new_data)[FINGERPRINT_KEY] == png_text(old_data)[FINGERPRINT_KEY]
        assert png_size(new_data) == png_size(old_data) == (800, 400)


def test_ask_without_json_puts_the_safety_message_first_and_lists_close_topics() -> None:
    question = "back pain and fever"
    verdict = Answerer(load_knowledge()).verdict(question)
    assert verdict.screen.tier is not None and verdict.match.kind == "clarify", verdict.kind

    result = hipbot("ask", question)

    assert result.returncode == 0, result.stderr
    first, *_ = result.stdout.splitlines()
    assert first == f"!! {verdict.screen.tier.title}"
    assert verdict.screen.tier.message in result.stdout
    ids = [f"{c.entry_id} (" for c in verdict.candidates]
    [offer] = [line for line in result.stdout.splitlines() if line.startswith("Did you mean: ")]
    assert all(i in offer for i in ids) and offer.endswith("?")


def test_ask_without_json_answers_small_talk_and_says_when_nothing_matches() -> None:
    kb = load_knowledge()
    hello = Answerer(kb).verdict("hi")
    assert hello.small_talk is not None

    greeted = hipbot("ask", "hi")
    nothing = hipbot("ask", "what is the capital of peru")

    assert greeted.stdout.strip() == hello.small_talk.reply
    assert re.fullmatch(r"No entry matches \(best score \d+\)\.", nothing.stdout.strip())


def test_ask_reading_a_terminal_prints_readable_answers_not_json() -> None:
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "ask"],
        stdin=subprocess.PIPE,
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
        text=True,
    ) as process:
        os.close(follower)
        _, errors = process.communicate("should I wear a back brace\n", timeout=120)
        output = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed its end
            while chunk := os.read(leader, 65536):
                output += chunk
        os.close(leader)
    assert process.returncode == 0, errors
    text = output.decode()
    assert "Sources:" in text and "NICE" in text
    assert not text.lstrip().startswith("{")


def test_kb_eval_scores_a_safety_file_by_tier(tmp_path: Path) -> None:
    cases = tmp_path / "safety.yaml"
    cases.write_text(
        '- {q: "I lost control of my bladder and my back hurts", tier: emergency,'
        " flag: bladder}\n"
        '- {q: "what does cauda equina mean", tier: info, kind: question}\n'
    )
    result = hipbot("kb", "eval", str(cases))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"== {cases}"
    assert "red flags caught (any alarm):" in result.stdout
    assert "emergency" in result.stdout


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "No such file"), ("- {q: 1, expect: x}\n", "item 1"), ("[unclosed\n", "")],
    ids=["missing", "invalid-item", "not-yaml"],
)
def test_kb_eval_on_a_file_it_cannot_read_stops_with_status_2_and_no_traceback(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    cases = tmp_path / "eval.yaml"
    if content is not None:
        cases.write_text(content)
    result = hipbot("kb", "eval", str(cases))
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]  # YAML's own message goes on for a few lines
    assert first.startswith("hipbot: ") and problem in first
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_hipbot_alone_with_a_token_runs_the_bot_not_the_chat() -> None:
    result = hipbot(env={"TELEGRAM_BOT_TOKEN": "not-a-token-secret"}, stdin="")
    assert result.returncode == 2
    assert "malformed" in result.stderr  # the bot's start-up check, not the chat's greeting
    assert "terminal" not in result.stderr + result.stdout
    assert "not-a-token-secret" not in result.stderr


@pytest.mark.parametrize(
    ("pose", "problem"),
    [("this is: [not a pose\n", "flow sequence"), ("poses: 3\n", "pose files have problems")],
    ids=["not-yaml", "not-a-pose-file"],
)
def test_routine_pictures_with_a_broken_pose_file_stops_with_status_1_and_no_traceback(
    tmp_path: Path, pose: str, problem: str
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    first_pose_file = sorted((knowledge / "routines" / "poses").glob("*.yaml"))[0]
    first_pose_file.write_text(pose)
    out = tmp_path / "out"
    result = hipbot("routine", "pictures", "--out", str(out),
                    env={"HIPBOT_KNOWLEDGE_DIR": str(knowledge)})  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("hipbot: ") and problem in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()  # nothing drawn
