"""Loading and validating the knowledge base from its YAML files: every problem is reported at once,
as file, entry and what is wrong; nothing is half-loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from bot.core.knowledge import (
    MAX_ANSWER_WORDS,
    MAX_QUESTION_LENGTH,
    MAX_RELATED,
    MAX_TITLE_LENGTH,
    MIN_ANSWER_WORDS,
    MIN_QUESTIONS,
    RESERVED_FILES,
    Category,
    Entry,
    KnowledgeBase,
    KnowledgeError,
    Notes,
    Problem,
    SmallTalkIntent,
    Source,
    default_knowledge_dir,
)
from bot.core.routine_model import Routine
from bot.core.routine_parse import parse_routine
from bot.core.safety_data import load_safety
from bot.core.scope import load_scope
from bot.core.text import normalize
from bot.core.yaml_reading import (
    Collector,
    check_id,
    read_yaml,
    resolve_sources,
    string_list,
    text_value,
)


def _load_sources(root: Path, out: Collector) -> dict[str, Source]:
    path = root / "sources.yaml"
    if not path.is_file():
        out.add("sources.yaml", "-", "is missing")
        return {}
    data = read_yaml(path, root, out)
    raw = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        out.add("sources.yaml", "-", "must have a mapping 'sources' of code: citation")
        return {}
    sources = {}
    for code, citation in raw.items():
        text = text_value(citation)
        if not isinstance(code, str) or text is None:
            out.add("sources.yaml", str(code), "a source needs a code and a citation text")
            continue
        sources[code] = Source(code, text)
    return sources


def _load_entry(
    raw: object,
    index: int,
    category: str,
    file: str,
    sources: Mapping[str, Source],
    out: Collector,
) -> tuple[Entry, list[str]] | None:
    where = f"entry #{index + 1}"
    if not isinstance(raw, dict):
        out.add(file, where, "must be a mapping with id, title, questions, answer, sources")
        return None
    entry_id = check_id(raw.get("id"), file, where, out)
    where = entry_id or where
    known = {"id", "category", "title", "questions", "answer", "sources", "related"}
    for key in sorted(set(map(str, raw)) - known):
        out.add(file, where, f"unknown field {key!r}")
    if raw.get("category", category) != category:
        out.add(file, where, f"category {raw.get('category')!r} does not match the file's")
    title = text_value(raw.get("title"))
    if title is None:
        out.add(file, where, "title is missing or empty")
    elif len(title) > MAX_TITLE_LENGTH:
        out.add(file, where, f"title is longer than {MAX_TITLE_LENGTH} characters")
    questions = string_list(raw.get("questions"))
    if questions is None:
        out.add(file, where, "questions must be a list of phrasings")
        questions = []
    questions = [q for q in questions if q]
    if len(questions) < MIN_QUESTIONS:
        out.add(file, where, f"has {len(questions)} phrasings (at least {MIN_QUESTIONS} needed)")
    for question in questions:
        if len(question) > MAX_QUESTION_LENGTH:
            out.add(file, where, f"phrasing longer than {MAX_QUESTION_LENGTH}: {question[:40]!r}")
    answer = text_value(raw.get("answer"))
    if answer is None:
        out.add(file, where, "answer is missing or empty")
    else:
        count = len(answer.split())
        if not MIN_ANSWER_WORDS <= count <= MAX_ANSWER_WORDS:
            out.add(
                file,
                where,
                f"answer has {count} words (between {MIN_ANSWER_WORDS} and "
                f"{MAX_ANSWER_WORDS} needed)",
            )
    resolved = resolve_sources(raw.get("sources"), sources, file, where, out)
    related = string_list(raw.get("related", []))
    if related is None:
        out.add(file, where, "related must be a list of entry ids")
        related = []
    if len(related) > MAX_RELATED:
        out.add(file, where, f"has {len(related)} related ids (at most {MAX_RELATED})")
    # An entry with other problems still takes part in the cross-checks (related ids,
    # phrasings): every problem is reported at once, and the load fails anyway.
    if entry_id is None or title is None or answer is None:
        return None
    entry = Entry(
        id=entry_id,
        category=category,
        title=title,
        questions=tuple(questions),
        answer=answer,
        sources=resolved,
        related=tuple(related),
    )
    return entry, questions


def _load_category_file(
    path: Path, root: Path, sources: Mapping[str, Source], out: Collector
) -> tuple[Category, list[Entry]] | None:
    file = path.relative_to(root).as_posix()
    data = read_yaml(path, root, out)
    if data is None:
        if not out.problems or out.problems[-1].file != file:
            out.add(file, "-", "is empty")
        return None
    if not isinstance(data, dict):
        out.add(file, "-", "must be a mapping with category, title and entries")
        return None
    category = check_id(data.get("category"), file, "-", out)
    if category is not None and category != path.stem:
        out.add(file, "-", f"category {category!r} does not match the file name")
    title = text_value(data.get("title"))
    if title is None:
        out.add(file, "-", "title is missing")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        out.add(file, "-", "entries must be a non-empty list")
        return None
    if category is None or title is None:
        return None
    entries = []
    for index, raw in enumerate(raw_entries):
        loaded = _load_entry(raw, index, category, file, sources, out)
        if loaded is not None:
            entries.append(loaded[0])
    return Category(category, title, tuple(e.id for e in entries)), entries


def _load_small_talk(root: Path, out: Collector) -> tuple[list[SmallTalkIntent], frozenset[str]]:
    file = "smalltalk.yaml"
    if not (root / file).is_file():
        out.add(file, "-", "is missing")
        return [], frozenset()
    data = read_yaml(root / file, root, out)
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        out.add(file, "-", "must be a mapping with a list of intents")
        return [], frozenset()
    filler = string_list(data.get("filler", [])) or []
    intents = []
    for index, raw in enumerate(data["intents"]):
        where = f"intent #{index + 1}"
        if not isinstance(raw, dict):
            out.add(file, where, "must be a mapping with id, patterns and reply")
            continue
        intent_id = check_id(raw.get("id"), file, where, out)
        patterns = string_list(raw.get("patterns"))
        reply = text_value(raw.get("reply"))
        if not patterns or reply is None:
            out.add(file, intent_id or where, "needs a list of patterns and a reply")
            continue
        if intent_id:
            intents.append(SmallTalkIntent(intent_id, tuple(normalize(p) for p in patterns), reply))
    return intents, frozenset(normalize(w) for w in filler)


def _load_synonyms(root: Path, out: Collector) -> list[tuple[str, ...]]:
    file = "synonyms.yaml"
    if not (root / file).is_file():
        return []
    data = read_yaml(root / file, root, out)
    groups_raw = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups_raw, list):
        out.add(file, "-", "must be a mapping with a list 'groups' of term lists")
        return []
    groups = []
    for index, raw in enumerate(groups_raw):
        terms = string_list(raw)
        if not terms or len(terms) < 2:
            out.add(file, f"group #{index + 1}", "a group needs at least two terms")
            continue
        groups.append(tuple(normalize(t) for t in terms))
    return groups


def _load_notes(root: Path, out: Collector) -> Notes:
    file = "notes.yaml"
    if not (root / file).is_file():
        return Notes()
    data = read_yaml(root / file, root, out)
    if not isinstance(data, dict):
        out.add(file, "-", "must be a mapping of note name: text")
        return Notes()
    for key in sorted(set(map(str, data)) - {"outside_uk"}):
        out.add(file, key, "unknown note")
    outside_uk = text_value(data.get("outside_uk"))
    if outside_uk is None:
        out.add(file, "outside_uk", "is missing or empty")
        return Notes()
    return Notes(outside_uk=outside_uk)


def _load_routines(root: Path, sources: Mapping[str, Source], out: Collector) -> dict[str, Routine]:
    routines: dict[str, Routine] = {}
    folder = root / "routines"
    if not folder.is_dir():
        return routines
    for path in sorted(folder.glob("*.yaml")):
        file = path.relative_to(root).as_posix()
        data = read_yaml(path, root, out)
        if data is None:
            continue
        routine, problems = parse_routine(data)
        for where, message in problems:
            out.add(file, where, message)
        if routine is None:
            continue
        for code in routine.sources:
            if code not in sources:
                out.add(file, routine.id, f"unknown source code {code!r} (not in sources.yaml)")
        if routine.id in routines:
            out.add(file, routine.id, "duplicate routine id")
        routines[routine.id] = routine
    return routines


def _cross_checks(entries: list[tuple[str, Entry]], out: Collector) -> dict[str, Entry]:
    by_id: dict[str, Entry] = {}
    for file, entry in entries:
        if entry.id in by_id:
            out.add(file, entry.id, "duplicate id (also in another entry)")
        else:
            by_id[entry.id] = entry
    phrasing_owner: dict[str, str] = {}
    for file, entry in entries:
        for related in entry.related:
            if related == entry.id:
                out.add(file, entry.id, "lists itself as related")
            elif related not in by_id:
                out.add(file, entry.id, f"related id {related!r} does not exist")
        seen: set[str] = set()
        for question in entry.questions:
            key = normalize(question)
            if key in seen:
                out.add(file, entry.id, f"phrasing listed twice: {question!r}")
                continue
            seen.add(key)
            owner = phrasing_owner.setdefault(key, entry.id)
            if owner != entry.id:
                out.add(file, entry.id, f"phrasing {question!r} is also under {owner!r}")
    return by_id


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base; raise KnowledgeError listing every problem."""
    root = root or default_knowledge_dir()
    out = Collector()
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), "-", "is not a folder")])
    sources = _load_sources(root, out)
    categories: list[Category] = []
    entries: list[tuple[str, Entry]] = []
    for path in sorted(root.glob("*.yaml")):
        if path.name in RESERVED_FILES:
            continue
        loaded = _load_category_file(path, root, sources, out)
        if loaded is not None:
            categories.append(loaded[0])
            entries.extend((path.name, e) for e in loaded[1])
    if not entries and not out.problems:
        out.add(root.name, "-", "has no FAQ entries")
    by_id = _cross_checks(entries, out)
    safety = load_safety(root, sources, out)
    small_talk, filler = _load_small_talk(root, out)
    notes = _load_notes(root, out)
    synonyms = _load_synonyms(root, out)
    routines = _load_routines(root, sources, out)
    scope = load_scope(root, out)
    pictures = {path.stem: path for path in sorted((root / "routines" / "pictures").glob("*.png"))}
    if out.problems:
        raise KnowledgeError(out.problems)
    by_id = {i: replace(e, notes=notes.for_text(e.answer)) for i, e in by_id.items()}
    return KnowledgeBase(
        categories=tuple(categories),
        entries=by_id,
        sources=sources,
        tiers=safety.tiers,
        safety_rules=safety.rules,
        safety_context=safety.context,
        safety_checklist=safety.checklist,
        small_talk=tuple(small_talk),
        synonyms=tuple(synonyms),
        filler_words=filler,
        notes=notes,
        routines=routines,
        scope=scope,
        pictures=pictures,
    )
