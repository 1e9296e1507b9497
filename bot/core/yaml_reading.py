"""Reading knowledge files: YAML parsed safely, values checked, every problem collected."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge import ID_PATTERN, MAX_ID_LENGTH, Problem, Source


class Collector:
    """Gathers problems while loading, so all of them are reported together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, entry: str, message: str) -> None:
        self.problems.append(Problem(file, entry, message))


def read_yaml(path: Path, root: Path, out: Collector) -> Any:
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


def text_value(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def string_list(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip() for v in value]


def check_id(value: object, file: str, where: str, out: Collector) -> str | None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        out.add(file, where, f"id {value!r} must be lowercase letters, digits and '-'")
        return None
    if len(value) > MAX_ID_LENGTH:
        out.add(file, value, f"id is longer than {MAX_ID_LENGTH} characters")
        return None
    return value


def resolve_sources(
    codes: object, sources: Mapping[str, Source], file: str, entry: str, out: Collector
) -> tuple[Source, ...]:
    """The sources the codes name; an unknown or missing code is a problem."""
    code_list = string_list(codes)
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
