"""Loading and validating the knowledge base: FAQ entries, sources, safety rules, small talk,
synonyms and routines. Every problem is reported at once; nothing is half-loaded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.routine_model import Routine, parse_routine
from bot.core.text import normalize

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 40
MAX_TITLE_LENGTH = 60
MAX_QUESTION_LENGTH = 200
MIN_QUESTIONS = 5
MIN_ANSWER_WORDS = 40
MAX_ANSWER_WORDS = 200
MAX_RELATED = 3
SAFETY_TIERS = ("emergency", "same-day")

RESERVED_FILES = {"sources.yaml", "safety.yaml", "smalltalk.yaml", "synonyms.yaml"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, where it is and what it is."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"the knowledge base has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Source:
    """A citation, by its code in the brief."""

    code: str
    citation: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: the question it answers, its phrasings, answer and sources."""

    id: str
    category: str
    title: str
    questions: tuple[str, ...]
    answer: str
    sources: tuple[Source, ...]
    related: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """A group of entries, one YAML file."""

    id: str
    title: str
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class SafetyTier:
    """How urgent a red flag is and what the bot says about it."""

    id: str
    title: str
    message: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class SafetyRule:
    """A red flag: fires when every group has a term in the text that is not negated."""

    id: str
    tier: str
    label: str
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SmallTalkIntent:
    """A greeting, thanks, goodbye or acknowledgement, with what the bot says back."""

    id: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated."""

    categories: tuple[Category, ...]
    entries: Mapping[str, Entry]
    sources: Mapping[str, Source]
    tiers: Mapping[str, SafetyTier]
    safety_rules: tuple[SafetyRule, ...]
    small_talk: tuple[SmallTalkIntent, ...]
    synonyms: tuple[tuple[str, ...], ...]
    filler_words: frozenset[str]
    routines: Mapping[str, Routine] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, if any."""
        return self.entries.get(entry_id)

    def category(self, category_id: str) -> Category | None:
        """The category with this id, if any."""
        return next((c for c in self.categories if c.id == category_id), None)


def default_knowledge_dir() -> Path:
    """The bundled knowledge base: the repository's `knowledge/`, or the installed copy."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "knowledge_data"
    if (installed / "sources.yaml").is_file():
        return installed
    return package.parent / "knowledge"


class _Collector:
    """Gathers problems while loading, so all of them are reported together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, entry: str, message: str) -> None:
        self.problems.append(Problem(file, entry, message))


def _read_yaml(path: Path, root: Path, out: _Collector) -> Any:
    name = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.add(name, "-", f"cannot be read: {exc}")
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        out.add(name, "-", f"is not valid YAML{where}: {problem}")
        return None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _string_list(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip() for v in value]


def _resolve_sources(
    codes: object, sources: Mapping[str, Source], file: str, entry: str, out: _Collector
) -> tuple[Source, ...]:
    code_list = _string_list(codes)
    if code_list is None:
        out.add(file, entry, "sources must be a list of source codes")
        return ()
    if not code_list:
        out.add(file, entry, "has no sources (at least one is needed)")
    resolved = []
    for code in code_list:
        if code in sources:
            resolved.append(sources[code])
        else:
            out.add(file, entry, f"unknown source code {code!r} (not in sources.yaml)")
    return tuple(resolved)


def _load_sources(root: Path, out: _Collector) -> dict[str, Source]:
    path = root / "sources.yaml"
    if not path.is_file():
        out.add("sources.yaml", "-", "is missing")
        return {}
    data = _read_yaml(path, root, out)
    raw = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        out.add("sources.yaml", "-", "must have a mapping 'sources' of code: citation")
        return {}
    sources = {}
    for code, citation in raw.items():
        text = _text(citation)
        if not isinstance(code, str) or text is None:
            out.add("sources.yaml", str(code), "a source needs a code and a citation text")
            continue
        sources[code] = Source(code, text)
    return sources


def _check_id(value: object, file: str, where: str, out: _Collector) -> str | None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        out.add(file, where, f"id {value!r} must be lowercase letters, digits and '-'")
        return None
    if len(value) > MAX_ID_LENGTH:
        out.add(file, value, f"id is longer than {MAX_ID_LENGTH} characters")
        return None
    return value


def _load_entry(
    raw: object,
    index: int,
    category: str,
    file: str,
    sources: Mapping[str, Source],
    out: _Collector,
) -> tuple[Entry, list[str]] | None:
    where = f"entry #{index + 1}"
    if not isinstance(raw, dict):
        out.add(file, where, "must be a mapping with id, title, questions, answer, sources")
        return None
    entry_id = _check_id(raw.get("id"), file, where, out)
    where = entry_id or where
    before = len(out.problems)
    known = {"id", "category", "title", "questions", "answer", "sources", "related"}
    for key in sorted(set(map(str, raw)) - known):
        out.add(file, where, f"unknown field {key!r}")
    if raw.get("category", category) != category:
        out.add(file, where, f"category {raw.get('category')!r} does not match the file's")
    title = _text(raw.get("title"))
    if title is None:
        out.add(file, where, "title is missing or empty")
    elif len(title) > MAX_TITLE_LENGTH:
        out.add(file, where, f"title is longer than {MAX_TITLE_LENGTH} characters")
    questions = _string_list(raw.get("questions"))
    if questions is None:
        out.add(file, where, "questions must be a list of phrasings")
        questions = []
    questions = [q for q in questions if q]
    if len(questions) < MIN_QUESTIONS:
        out.add(file, where, f"has {len(questions)} phrasings (at least {MIN_QUESTIONS} needed)")
    for question in questions:
        if len(question) > MAX_QUESTION_LENGTH:
            out.add(file, where, f"phrasing longer than {MAX_QUESTION_LENGTH}: {question[:40]!r}")
    answer = _text(raw.get("answer"))
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
    resolved = _resolve_sources(raw.get("sources"), sources, file, where, out)
    related = _string_list(raw.get("related", []))
    if related is None:
        out.add(file, where, "related must be a list of entry ids")
        related = []
    if len(related) > MAX_RELATED:
        out.add(file, where, f"has {len(related)} related ids (at most {MAX_RELATED})")
    if entry_id is None or title is None or answer is None or len(out.problems) > before:
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
    path: Path, root: Path, sources: Mapping[str, Source], out: _Collector
) -> tuple[Category, list[Entry]] | None:
    file = path.relative_to(root).as_posix()
    data = _read_yaml(path, root, out)
    if data is None:
        if not out.problems or out.problems[-1].file != file:
            out.add(file, "-", "is empty")
        return None
    if not isinstance(data, dict):
        out.add(file, "-", "must be a mapping with category, title and entries")
        return None
    category = _check_id(data.get("category"), file, "-", out)
    if category is not None and category != path.stem:
        out.add(file, "-", f"category {category!r} does not match the file name")
    title = _text(data.get("title"))
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


def _load_safety(
    root: Path, sources: Mapping[str, Source], out: _Collector
) -> tuple[dict[str, SafetyTier], list[SafetyRule]]:
    file = "safety.yaml"
    if not (root / file).is_file():
        out.add(file, "-", "is missing")
        return {}, []
    data = _read_yaml(root / file, root, out)
    if not isinstance(data, dict):
        out.add(file, "-", "must be a mapping with tiers and rules")
        return {}, []
    tiers: dict[str, SafetyTier] = {}
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list):
        out.add(file, "tiers", "must be a list")
        raw_tiers = []
    for raw in raw_tiers:
        tier_id = raw.get("id") if isinstance(raw, dict) else None
        if tier_id not in SAFETY_TIERS or not isinstance(raw, dict):
            out.add(file, str(tier_id), f"tier id must be one of {', '.join(SAFETY_TIERS)}")
            continue
        title, message = _text(raw.get("title")), _text(raw.get("message"))
        if title is None or message is None:
            out.add(file, tier_id, "a tier needs a title and a message")
            continue
        cited = _resolve_sources(raw.get("sources"), sources, file, tier_id, out)
        tiers[tier_id] = SafetyTier(tier_id, title, message, cited)
    for tier_id in SAFETY_TIERS:
        if tier_id not in tiers:
            out.add(file, tier_id, "tier is missing")
    rules: list[SafetyRule] = []
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        out.add(file, "rules", "must be a non-empty list")
        raw_rules = []
    for index, raw in enumerate(raw_rules):
        where = f"rule #{index + 1}"
        if not isinstance(raw, dict):
            out.add(file, where, "must be a mapping with id, tier, label and all")
            continue
        rule_id = _check_id(raw.get("id"), file, where, out)
        where = rule_id or where
        tier = raw.get("tier")
        if tier not in SAFETY_TIERS:
            out.add(file, where, f"tier {tier!r} must be one of {', '.join(SAFETY_TIERS)}")
        label = _text(raw.get("label"))
        if label is None:
            out.add(file, where, "label is missing")
        groups_raw = raw.get("all")
        groups: list[tuple[str, ...]] = []
        if not isinstance(groups_raw, list) or not groups_raw:
            out.add(file, where, "all must be a non-empty list of term lists")
        else:
            for group in groups_raw:
                terms = _string_list(group)
                if not terms:
                    out.add(file, where, "each group in all must be a non-empty list of terms")
                    continue
                normalised = tuple(
                    normalize(t.rstrip("*")) + ("*" if t.endswith("*") else "") for t in terms
                )
                if any(not t.strip("*") for t in normalised):
                    out.add(file, where, "a term is empty after normalising")
                groups.append(normalised)
        if rule_id and isinstance(tier, str) and label and groups:
            rules.append(SafetyRule(rule_id, tier, label, tuple(groups)))
    return tiers, rules


def _load_small_talk(root: Path, out: _Collector) -> tuple[list[SmallTalkIntent], frozenset[str]]:
    file = "smalltalk.yaml"
    if not (root / file).is_file():
        out.add(file, "-", "is missing")
        return [], frozenset()
    data = _read_yaml(root / file, root, out)
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        out.add(file, "-", "must be a mapping with a list of intents")
        return [], frozenset()
    filler = _string_list(data.get("filler", [])) or []
    intents = []
    for index, raw in enumerate(data["intents"]):
        where = f"intent #{index + 1}"
        if not isinstance(raw, dict):
            out.add(file, where, "must be a mapping with id, patterns and reply")
            continue
        intent_id = _check_id(raw.get("id"), file, where, out)
        patterns = _string_list(raw.get("patterns"))
        reply = _text(raw.get("reply"))
        if not patterns or reply is None:
            out.add(file, intent_id or where, "needs a list of patterns and a reply")
            continue
        if intent_id:
            intents.append(
                SmallTalkIntent(intent_id, tuple(normalize(p) for p in patterns), reply)
            )
    return intents, frozenset(normalize(w) for w in filler)


def _load_synonyms(root: Path, out: _Collector) -> list[tuple[str, ...]]:
    file = "synonyms.yaml"
    if not (root / file).is_file():
        return []
    data = _read_yaml(root / file, root, out)
    groups_raw = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups_raw, list):
        out.add(file, "-", "must be a mapping with a list 'groups' of term lists")
        return []
    groups = []
    for index, raw in enumerate(groups_raw):
        terms = _string_list(raw)
        if not terms or len(terms) < 2:
            out.add(file, f"group #{index + 1}", "a group needs at least two terms")
            continue
        groups.append(tuple(normalize(t) for t in terms))
    return groups


def _load_routines(
    root: Path, sources: Mapping[str, Source], out: _Collector
) -> dict[str, Routine]:
    routines: dict[str, Routine] = {}
    folder = root / "routines"
    if not folder.is_dir():
        return routines
    for path in sorted(folder.glob("*.yaml")):
        file = path.relative_to(root).as_posix()
        data = _read_yaml(path, root, out)
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


def _cross_checks(
    entries: list[tuple[str, Entry]], out: _Collector
) -> dict[str, Entry]:
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
    out = _Collector()
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
    tiers, rules = _load_safety(root, sources, out)
    small_talk, filler = _load_small_talk(root, out)
    synonyms = _load_synonyms(root, out)
    routines = _load_routines(root, sources, out)
    if out.problems:
        raise KnowledgeError(out.problems)
    return KnowledgeBase(
        categories=tuple(categories),
        entries=by_id,
        sources=sources,
        tiers=tiers,
        safety_rules=tuple(rules),
        small_talk=tuple(small_talk),
        synonyms=tuple(synonyms),
        filler_words=filler,
        routines=routines,
    )


def required_ids_missing(kb: KnowledgeBase, required: Iterable[str]) -> list[str]:
    """The required ids that the knowledge base does not have."""
    return [i for i in required if i not in kb.entries]
