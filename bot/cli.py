"""The `hipbot` command line: run, chat, ask, kb check / eval / dump."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from bot.config import ConfigError, Settings, load_settings
from bot.core.answering import Answerer, Verdict
from bot.core.knowledge import (
    KnowledgeBase,
    KnowledgeError,
    default_knowledge_dir,
    required_ids_missing,
)
from bot.core.loader import load_knowledge
from bot.curation.evaluation import evaluate, load_cases
from bot.curation.safety_eval import evaluate_safety, is_safety_file, load_safety_cases
from bot.store import ReviewQuestion, open_store

REQUIRED_TOPICS = Path(__file__).resolve().parent / "required_topics.txt"


def _load(settings: Settings) -> KnowledgeBase:
    """The knowledge base, or exit 1 with one line per problem."""
    try:
        return load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"hipbot: the knowledge base has {len(exc.problems)} problem(s)", file=sys.stderr)
        raise SystemExit(1) from None


def verdict_json(question: str, verdict: Verdict) -> dict[str, Any]:
    """The JSON contract of `hipbot ask --json` (other tools read these fields)."""
    return {
        "question": question,
        "kind": verdict.kind,
        "id": verdict.entry_id,
        "score": verdict.score,
        "candidates": [{"id": c.entry_id, "score": c.score} for c in verdict.candidates],
        "reason": verdict.match.reason,
        "tier": verdict.screen.tier.id if verdict.screen.tier else None,
        "flags": [flag.rule_id for flag in verdict.screen.flags],
        "smalltalk": verdict.small_talk.id if verdict.small_talk else None,
    }


def _verdict_text(kb: KnowledgeBase, verdict: Verdict) -> str:
    parts: list[str] = []
    if verdict.screen.tier is not None:
        parts.append(f"!! {verdict.screen.tier.title}\n{verdict.screen.tier.message}")
    if verdict.small_talk is not None:
        parts.append(verdict.small_talk.reply)
    entry = kb.entry(verdict.entry_id) if verdict.entry_id else None
    if entry is not None:
        sources = "\n".join(f"- {s.citation}" for s in entry.sources)
        notes = "".join(f"\n\n{note}" for note in entry.notes)
        parts.append(
            f"{entry.title} [{entry.id}, score {verdict.score:.0f}]\n\n"
            f"{entry.answer}{notes}\n\nSources:\n{sources}"
        )
    elif verdict.match.kind == "clarify":
        options = ", ".join(f"{c.entry_id} ({c.score:.0f})" for c in verdict.candidates)
        parts.append(f"Did you mean: {options}?")
    elif verdict.kind in ("fallback", "urgent"):
        parts.append(f"No entry matches (best score {verdict.score:.0f}).")
    return "\n\n".join(parts)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    """Answer one question, or one per line from standard input."""
    kb = _load(settings)
    answerer = Answerer(kb)
    if args.question:
        question = " ".join(args.question)
        verdict = answerer.verdict(question)
        if args.json:
            print(json.dumps(verdict_json(question, verdict), ensure_ascii=False))
        else:
            print(_verdict_text(kb, verdict))
        return 0
    for line in sys.stdin:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        verdict = answerer.verdict(question)
        if args.json or not sys.stdout.isatty():
            print(json.dumps(verdict_json(question, verdict), ensure_ascii=False), flush=True)
        else:
            print(_verdict_text(kb, verdict), end="\n\n", flush=True)
    return 0


def cmd_kb_check(settings: Settings, args: argparse.Namespace) -> int:
    """Validate the knowledge base, including the required topic ids."""
    kb = _load(settings)
    required = [
        line.strip()
        for line in REQUIRED_TOPICS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = required_ids_missing(kb, required)
    for entry_id in missing:
        print(f"-: {entry_id}: required topic is missing", file=sys.stderr)
    if missing:
        return 1
    phrasings = sum(len(e.questions) for e in kb.entries.values())
    steps = sum(len(r.steps) for r in kb.routines.values())
    print(
        f"ok: {len(kb.entries)} entries in {len(kb.categories)} categories, {phrasings} "
        f"phrasings, {len(kb.sources)} sources, {len(kb.safety_rules)} red-flag rules, "
        f"{len(kb.routines)} routines with {steps} steps"
    )
    return 0


def cmd_kb_eval(settings: Settings, args: argparse.Namespace) -> int:
    """Score evaluation files: accuracy by class and each miss."""
    answerer = Answerer(_load(settings))
    for name in args.files:
        path = Path(name)
        try:
            if is_safety_file(path):
                lines = evaluate_safety(answerer, load_safety_cases(path)).lines()
            else:
                lines = evaluate(answerer, load_cases(path)).lines()
        except (OSError, ValueError, yaml.YAMLError) as exc:
            print(f"hipbot: {exc}", file=sys.stderr)
            return 2
        print(f"== {name}")
        print("\n".join(lines))
    return 0


def cmd_kb_dump(settings: Settings, args: argparse.Namespace) -> int:
    """The whole knowledge base as JSON."""
    kb = _load(settings)
    data = {
        "categories": [
            {"id": c.id, "title": c.title, "entries": list(c.entry_ids)} for c in kb.categories
        ],
        "entries": [
            {
                "id": e.id,
                "category": e.category,
                "title": e.title,
                "questions": list(e.questions),
                "answer": e.answer,
                "sources": [{"code": s.code, "citation": s.citation} for s in e.sources],
                "related": list(e.related),
            }
            for e in kb.entries.values()
        ],
        "routines": [_routine_with_pictures(kb, r.id) for r in kb.routines.values()],
    }
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()
    return 0


def _routine_with_pictures(kb: KnowledgeBase, routine_id: str) -> dict[str, Any]:
    """A routine as a dict, each step and variant with the path of its picture (or null)."""
    data = asdict(kb.routines[routine_id])
    for step in data["steps"]:
        for variant in (None, "easier", "harder"):
            name = kb.step_picture(routine_id, step["id"], variant)
            path = str(kb.pictures[name]) if name else None
            if variant is None:
                step["picture"] = path
            elif step.get(variant):
                step[variant]["picture"] = path
    return data


def cmd_routine_pictures(settings: Settings, args: argparse.Namespace) -> int:
    """Draw every exercise picture again from the pose files."""
    from bot.curation.pictures import render_all  # matplotlib: only for this command

    routines = (settings.knowledge_dir or default_knowledge_dir()) / "routines"
    out = Path(args.out) if args.out else routines / "pictures"
    try:
        written = render_all(routines, out)
    except (ValueError, yaml.YAMLError) as error:
        print(f"hipbot: {error}", file=sys.stderr)
        return 1
    print(f"{sum(p.suffix == '.png' for p in written)} pictures in {out}")
    return 0


def cmd_kb_review(settings: Settings, args: argparse.Namespace) -> int:
    """Unanswered and not-helpful questions from the store, grouped; phrasings to add."""
    from bot.curation.review import export_yaml, group_questions, phrasings_to_add, report_lines

    kb = _load(settings)

    async def read() -> list[ReviewQuestion]:
        store = open_store(database_url=settings.database_url, sqlite_path=settings.db_path)
        await store.open()
        try:
            return await store.review_questions()
        finally:
            await store.close()

    items, matcher = asyncio.run(read()), Answerer(kb).matcher
    groups, phrasings = group_questions(items, matcher), phrasings_to_add(items, matcher)
    print("\n".join(report_lines(groups, phrasings)))
    if args.export:
        Path(args.export).write_text(export_yaml(groups, phrasings), encoding="utf-8")
        print(f"written to {args.export}")
    return 0


def cmd_db_migrate_to(settings: Settings, args: argparse.Namespace) -> int:
    """Copy the SQLite store (HIPBOT_DB) into a PostgreSQL database."""
    target_url: str = args.url
    if not target_url.startswith(("postgres://", "postgresql://")):
        print("hipbot: the target must be a postgres:// or postgresql:// URL", file=sys.stderr)
        return 2
    if not settings.db_path.is_file():
        print(f"hipbot: no SQLite store at {settings.db_path}", file=sys.stderr)
        return 1

    async def copy() -> dict[str, int]:
        source = open_store(database_url=None, sqlite_path=settings.db_path)
        target = open_store(database_url=target_url, sqlite_path=settings.db_path)
        await source.open()
        try:
            await target.open()
            try:
                return await target.copy_from(source)
            finally:
                await target.close()
        finally:
            await source.close()

    try:
        counts = asyncio.run(copy())
    except OSError as exc:
        print(f"hipbot: cannot reach the target database: {type(exc).__name__}", file=sys.stderr)
        return 1
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print("done: the PostgreSQL store now holds everything from the SQLite file")
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Telegram bot."""
    kb = _load(settings)
    settings.require_token()
    from bot.adapters.telegram import run  # keeps `ask` and `kb` light

    return run(settings, kb)


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    """The same conversation in the terminal."""
    kb = _load(settings)
    from bot.adapters.console import run_chat

    return run_chat(settings, kb)


def cmd_default(settings: Settings, args: argparse.Namespace) -> int:
    """`hipbot` alone: the bot with a token, the terminal chat without one."""
    if settings.token:
        return cmd_run(settings, args)
    print(
        "No TELEGRAM_BOT_TOKEN set: starting the terminal chat. "
        "Get a token from @BotFather and put it in .env to run the Telegram bot.",
        file=sys.stderr,
    )
    return cmd_chat(settings, args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="hipbot", description="Hip & Back Coach: a Telegram bot for low back pain."
    )
    parser.set_defaults(handler=cmd_default)
    sub = parser.add_subparsers(title="commands")
    sub.add_parser("run", help="run the Telegram bot").set_defaults(handler=cmd_run)
    sub.add_parser("chat", help="the conversation in the terminal").set_defaults(handler=cmd_chat)
    ask = sub.add_parser("ask", help="answer one question (or one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("question", nargs="*")
    ask.set_defaults(handler=cmd_ask)
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(title="kb commands", required=True)
    kb_sub.add_parser("check", help="validate the knowledge base").set_defaults(
        handler=cmd_kb_check
    )
    evaluate_parser = kb_sub.add_parser("eval", help="score evaluation files")
    evaluate_parser.add_argument("files", nargs="+")
    evaluate_parser.set_defaults(handler=cmd_kb_eval)
    kb_sub.add_parser("dump", help="the knowledge base as JSON").set_defaults(handler=cmd_kb_dump)
    review = kb_sub.add_parser("review", help="unanswered and not-helpful questions, grouped")
    review.add_argument("--export", metavar="FILE", help="write them in the eval format")
    review.set_defaults(handler=cmd_kb_review)
    routine = sub.add_parser("routine", help="routine tools")
    routine_sub = routine.add_subparsers(title="routine commands", required=True)
    pictures = routine_sub.add_parser("pictures", help="draw every exercise picture again")
    pictures.add_argument(
        "--out", metavar="DIR", help="where (default: knowledge/routines/pictures)"
    )
    pictures.set_defaults(handler=cmd_routine_pictures)
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(title="db commands", required=True)
    migrate = db_sub.add_parser("migrate-to", help="copy the SQLite store into PostgreSQL")
    migrate.add_argument("url", help="postgresql://user@host:port/database")
    migrate.set_defaults(handler=cmd_db_migrate_to)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `hipbot` and `python -m bot`."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        result: int = args.handler(settings, args)
    except ConfigError as exc:
        print(f"hipbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result
