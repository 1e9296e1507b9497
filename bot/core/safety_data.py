"""Loading knowledge/safety.yaml: the tiers and their messages, the context phrases, the lay
lexicon (concepts), the rules and the checklist shown before a routine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.context import ContextLexicon
from bot.core.knowledge import (
    CHECKLIST_LIMITS,
    CONTEXT_KINDS,
    RULE_SCOPES,
    SAFETY_TIERS,
    SafetyRule,
    SafetyTier,
    Source,
)
from bot.core.phrases import parse_phrase
from bot.core.yaml_reading import (
    Collector,
    check_id,
    read_yaml,
    resolve_sources,
    string_list,
    text_value,
)

FILE = "safety.yaml"
CONCEPT = "@"


@dataclass(frozen=True)
class SafetyData:
    """Everything safety.yaml holds, validated."""

    tiers: dict[str, SafetyTier]
    rules: tuple[SafetyRule, ...]
    context: ContextLexicon
    checklist: dict[str, tuple[str, ...]]


_EMPTY = SafetyData({}, (), ContextLexicon({}, {}, (), (), ()), {})


def load_safety(root: Path, sources: Mapping[str, Source], out: Collector) -> SafetyData:
    """Read and check safety.yaml; problems go to `out`."""
    if not (root / FILE).is_file():
        out.add(FILE, "-", "is missing")
        return _EMPTY
    data = read_yaml(root / FILE, root, out)
    if not isinstance(data, dict):
        out.add(FILE, "-", "must be a mapping with tiers, context, concepts, rules, checklist")
        return _EMPTY
    concepts = _concepts(data.get("concepts"), out)
    return SafetyData(
        tiers=_tiers(data.get("tiers"), sources, out),
        rules=_rules(data.get("rules"), concepts, out),
        context=_context(data.get("context"), out),
        checklist=_checklist(data.get("checklist"), out),
    )


def _tiers(
    raw_tiers: object, sources: Mapping[str, Source], out: Collector
) -> dict[str, SafetyTier]:
    tiers: dict[str, SafetyTier] = {}
    if not isinstance(raw_tiers, list):
        out.add(FILE, "tiers", "must be a list")
        raw_tiers = []
    for raw in raw_tiers:
        tier_id = raw.get("id") if isinstance(raw, dict) else None
        if tier_id not in SAFETY_TIERS or not isinstance(raw, dict):
            out.add(FILE, str(tier_id), f"tier id must be one of {', '.join(SAFETY_TIERS)}")
            continue
        title, message = text_value(raw.get("title")), text_value(raw.get("message"))
        if title is None or message is None:
            out.add(FILE, tier_id, "a tier needs a title and a message")
            continue
        cited = resolve_sources(raw.get("sources"), sources, FILE, tier_id, out)
        tiers[tier_id] = SafetyTier(tier_id, title, message, cited)
    for tier_id in SAFETY_TIERS:
        if tier_id not in tiers:
            out.add(FILE, tier_id, "tier is missing")
    return tiers


def _phrases(raw: object, where: str, out: Collector) -> tuple[str, ...] | None:
    phrases = string_list(raw)
    if not phrases:
        out.add(FILE, where, "must be a non-empty list of phrases")
        return None
    empty = [p for p in phrases if not parse_phrase(p)]
    if empty:
        out.add(FILE, where, f"phrase {empty[0]!r} is empty after normalising")
        return None
    return tuple(phrases)


def _context(raw: object, out: Collector) -> ContextLexicon:
    if not isinstance(raw, dict):
        out.add(FILE, "context", "must be a mapping: before, after, pseudo, terminate, self")
        return _EMPTY.context
    sides: dict[str, dict[str, tuple[str, ...]]] = {"before": {}, "after": {}}
    for side, table in sides.items():
        kinds = raw.get(side)
        if not isinstance(kinds, dict):
            out.add(FILE, f"context.{side}", "must map context kinds to phrase lists")
            continue
        for kind, phrases in kinds.items():
            if kind not in CONTEXT_KINDS:
                out.add(FILE, f"context.{side}", f"unknown kind {kind!r}")
                continue
            found = _phrases(phrases, f"context.{side}.{kind}", out)
            if found:
                table[kind] = found
    words = {k: _phrases(raw.get(k), f"context.{k}", out) or () for k in ("terminate", "self")}
    pseudo = string_list(raw.get("pseudo")) or []
    return ContextLexicon(
        sides["before"], sides["after"], tuple(pseudo), words["terminate"], words["self"]
    )


def _concepts(raw: object, out: Collector) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        out.add(FILE, "concepts", "must map concept names to phrase lists")
        return {}
    concepts: dict[str, tuple[str, ...]] = {}
    for name, phrases in raw.items():
        found = _phrases(phrases, f"concept {name}", out)
        if found is not None:
            concepts[str(name)] = found
    return concepts


def _expand(
    raw: object, concepts: Mapping[str, tuple[str, ...]], where: str, out: Collector
) -> tuple[str, ...] | None:
    """A group: one "@concept", or a list of phrases and "@concept" names."""
    items = [raw] if isinstance(raw, str) else string_list(raw)
    if not items:
        out.add(FILE, where, "each group must be an @concept or a non-empty list of phrases")
        return None
    phrases: list[str] = []
    for item in items:
        if item.startswith(CONCEPT):
            if item[1:] not in concepts:
                out.add(FILE, where, f"unknown concept {item!r}")
                return None
            phrases.extend(concepts[item[1:]])
        elif parse_phrase(item):
            phrases.append(item)
        else:
            out.add(FILE, where, f"phrase {item!r} is empty after normalising")
            return None
    return tuple(phrases)


def _rules(
    raw_rules: object, concepts: Mapping[str, tuple[str, ...]], out: Collector
) -> tuple[SafetyRule, ...]:
    if not isinstance(raw_rules, list) or not raw_rules:
        out.add(FILE, "rules", "must be a non-empty list")
        return ()
    rules: list[SafetyRule] = []
    for index, raw in enumerate(raw_rules):
        where = f"rule #{index + 1}"
        if not isinstance(raw, dict):
            out.add(FILE, where, "must be a mapping with id, flag, tier, label and all")
            continue
        rule_id = check_id(raw.get("id"), FILE, where, out)
        where = rule_id or where
        tier, label = raw.get("tier"), text_value(raw.get("label"))
        if tier not in SAFETY_TIERS:
            out.add(FILE, where, f"tier {tier!r} must be one of {', '.join(SAFETY_TIERS)}")
        if label is None:
            out.add(FILE, where, "label is missing")
        flag = raw.get("flag", rule_id)
        if "flag" in raw and text_value(flag) is None:
            out.add(FILE, where, "flag must be text")
        within = raw.get("within", "sentence")
        if within not in RULE_SCOPES:
            out.add(FILE, where, f"within must be one of {', '.join(RULE_SCOPES)}")
        keeps = string_list(raw.get("keeps", [])) or []
        if any(k not in CONTEXT_KINDS for k in keeps):
            out.add(FILE, where, f"keeps must name context kinds: {', '.join(CONTEXT_KINDS)}")
        raw_groups = raw.get("all")
        if not isinstance(raw_groups, list) or not raw_groups:
            out.add(FILE, where, "all must be a non-empty list of groups")
            continue
        groups = [_expand(g, concepts, where, out) for g in raw_groups]
        unless = _expand(raw["unless"], concepts, where, out) if "unless" in raw else ()
        complete = tuple(g for g in groups if g is not None)
        if (
            not rule_id
            or not isinstance(tier, str)
            or not label
            or not isinstance(flag, str)
            or len(complete) != len(groups)
            or unless is None
        ):
            continue
        rules.append(
            SafetyRule(rule_id, flag, tier, label, complete, str(within), frozenset(keeps), unless)
        )
    if len({r.id for r in rules}) != len(rules):
        out.add(FILE, "rules", "rule ids must be unique")
    return tuple(rules)


def _checklist(raw: object, out: Collector) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        out.add(FILE, "checklist", "must map emergency and same-day to lists of bullets")
        return {}
    checklist: dict[str, tuple[str, ...]] = {}
    for tier, limit in CHECKLIST_LIMITS.items():
        bullets = string_list(raw.get(tier))
        if not bullets or len(bullets) > limit:
            out.add(FILE, f"checklist.{tier}", f"must list 1 to {limit} bullets")
            continue
        checklist[tier] = tuple(bullets)
    return checklist
