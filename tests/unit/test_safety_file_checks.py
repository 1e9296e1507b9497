"""safety.yaml is checked as strictly as the FAQ files: each malformed part is one problem that
names where it is, and the rest of the file is still checked."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.knowledge import KnowledgeError, default_knowledge_dir
from bot.core.loader import load_knowledge

Change = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (default_knowledge_dir() / "safety.yaml").read_text(encoding="utf-8")
    )
    return data


def _problems_after(tmp_path: Path, bundled: dict[str, Any], change: Change) -> list[str]:
    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root, ignore=shutil.ignore_patterns("routines"))
    data = yaml.safe_load(yaml.safe_dump(bundled))
    change(data)
    (root / "safety.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def _set(path: str, value: object) -> Change:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


CASES: list[tuple[str, Change, str]] = [
    ("tiers not a list", _set("tiers", {}), "safety.yaml: tiers: must be a list"),
    ("unknown tier", _set("tiers.0.id", "someday"), "safety.yaml: someday: tier id must be one of"),
    ("tier without message", _set("tiers.0.message", ""), "a tier needs a title and a message"),
    ("a tier missing", _set("tiers.0.id", "emergency"), "safety.yaml: crisis: tier is missing"),
    ("context not a mapping", _set("context", []), "safety.yaml: context: must be a mapping"),
    ("context side", _set("context.before", []), "context.before: must map context kinds"),
    ("context kind", _set("context.after.sometimes", ["x"]), "context.after: unknown kind"),
    ("empty phrases", _set("context.terminate", []), "context.terminate: must be a non-empty"),
    ("punctuation phrase", _set("context.self", ["?!"]), "phrase '?!' is empty after normalising"),
    ("concepts", _set("concepts", []), "safety.yaml: concepts: must map concept names"),
    ("rules empty", _set("rules", []), "safety.yaml: rules: must be a non-empty list"),
    ("rule not a mapping", _set("rules.0", "x"), "safety.yaml: rule #1: must be a mapping"),
    ("rule tier", _set("rules.0.tier", "soon"), "tier 'soon' must be one of"),
    ("rule label", _set("rules.0.label", ""), "suicidal-thoughts: label is missing"),
    ("rule within", _set("rules.0.within", "page"), "suicidal-thoughts: within must be one of"),
    ("rule keeps", _set("rules.0.keeps", ["maybe"]), "keeps must name context kinds"),
    ("rule group", _set("rules.0.all", [[]]), "each group must be an @concept or a non-empty"),
    ("group phrase", _set("rules.0.all", [["..."]]), "phrase '...' is empty after normalising"),
    ("checklist", _set("checklist", []), "safety.yaml: checklist: must map emergency"),
]


@pytest.mark.parametrize(("change", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_malformed_part_of_safety_yaml_is_reported_where_it_is(
    tmp_path: Path, bundled: dict[str, Any], change: Change, problem: str
) -> None:
    problems = _problems_after(tmp_path, bundled, change)
    assert any(problem in p for p in problems), problems


def test_a_safety_file_that_is_not_a_mapping_is_reported(
    tmp_path: Path, bundled: dict[str, Any]
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root, ignore=shutil.ignore_patterns("routines"))
    (root / "safety.yaml").write_text("- a list\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    assert "safety.yaml: -: must be a mapping with tiers, context, concepts, rules, checklist" in [
        str(p) for p in caught.value.problems
    ]
    (root / "safety.yaml").unlink()
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    assert "safety.yaml: -: is missing" in [str(p) for p in caught.value.problems]
