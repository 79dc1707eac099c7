"""Labelled JSONL case files shared by the benchmarks: reading, checking and the command line.

Several benchmarks score a component on a hand-labelled set stored as one JSON object per line.
They read, report and parse arguments the same way, so a bad set is always named by file and
line (the set can be fixed without reading code) and every such bench answers ``--json`` and
``--cases FILE.jsonl`` alike.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

Case = TypeVar("Case")


class CasesError(ValueError):
    """A labelled-cases file that cannot be used, with the offending line number."""


def load_jsonl(path: Path, check: Callable[[dict], Case]) -> list[Case]:
    """Read ``path``, turning each non-blank line's object into a case with ``check``.

    ``check`` raises ``ValueError`` with a short reason when an object is not a usable case;
    the reason is reported with the file and line. An empty file is an error too, so a bench
    never prints figures computed over nothing.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CasesError(f"{path}: cannot read cases file: {exc}") from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CasesError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc
        if not isinstance(case, dict):
            raise CasesError(f"{path}:{number}: expected a JSON object")
        try:
            cases.append(check(case))
        except ValueError as exc:
            raise CasesError(f"{path}:{number}: {exc}") from exc
    if not cases:
        raise CasesError(f"{path}: no cases")
    return cases


def cases_parser(prog: str, description: str, default_cases: Path) -> argparse.ArgumentParser:
    """The ``--json`` / ``--cases`` command line; a bench adds its own options to it."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--json", action="store_true", help="print one JSON object (default)")
    parser.add_argument("--cases", type=Path, default=default_cases, help="labelled JSONL file")
    return parser


def report_cases_error(exc: CasesError) -> int:
    """Name the bad file or line on stderr, leaving stdout empty; the exit status to return."""
    print(f"error: {exc}", file=sys.stderr)
    return 2


def print_result(compute: Callable[[], dict[str, object]]) -> int:
    """Print the one JSON object ``compute`` returns, or report its cases error; exit status."""
    try:
        result = compute()
    except CasesError as exc:
        return report_cases_error(exc)
    print(json.dumps(result))
    return 0
