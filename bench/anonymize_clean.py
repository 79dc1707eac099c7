"""What ``bench.anonymize`` measures on text that holds no personal data: words removed anyway.

Recall alone rewards removing everything; a shared skill whose "Visual Studio Code", "Arch
Linux" or sentence-initial "Run" became ``<NAME>`` is useless. So the bench also anonymizes
text written without anyone's data in it and counts the words that were replaced:

- ``scenarios``: every prompt, correction and held-out prompt of ``bench/scenarios/tune/``
  (the test half is never read here), except the strings that carry a value a scenario lists
  as ``sensitive`` (those are meant to go);
- ``docs``: the project's own prose, ``README.md`` and ``docs/*.md``, paragraph by paragraph,
  the kind of technical English a skill is written in. It does name a few people (the authors
  of the data sets it cites) and holds example secrets, paths and addresses, so its count is
  not zero by design; the names part (``name_words``) is the one to watch.

A word is what ``\\w+`` matches; it counts as replaced when a redaction covers it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.community.anonymize import NAME, LocalIdentity, anonymize

REPO = Path(__file__).resolve().parent.parent
TUNE = REPO / "bench" / "scenarios" / "tune"
_WORD = re.compile(r"\w+")
N_EXAMPLES = 10


def scenario_texts(folder: Path = TUNE) -> list[str]:
    """The prompts and replies of the tune scenarios that carry no listed sensitive value."""
    texts = []
    for path in sorted(folder.glob("*.json")):
        scenario = json.loads(path.read_text(encoding="utf-8"))
        sensitive = scenario.get("sensitive", [])
        for part in ("teach", "heldout", "control"):
            for item in scenario.get(part, []):
                for key in ("prompt", "correction"):
                    text = item.get(key)
                    if isinstance(text, str) and not any(s in text for s in sensitive):
                        texts.append(text)
    return texts


def doc_texts(repo: Path = REPO) -> list[str]:
    """The paragraphs of README.md and docs/*.md."""
    texts = []
    for path in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        texts += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return texts


def replaced_words(texts: list[str], identity: LocalIdentity) -> dict[str, Any]:
    """How many words of ``texts`` the anonymizer replaced, in all and as names."""
    total = replaced = as_name = 0
    examples: list[str] = []
    for text in texts:
        total += len(_WORD.findall(text))
        for red in anonymize(text, identity).redactions:
            words = len(_WORD.findall(red.original))
            replaced += words
            if red.kind == NAME:
                as_name += words
                if len(examples) < N_EXAMPLES:
                    examples.append(red.original)
    return {
        "texts": len(texts),
        "words": total,
        "replaced_words": replaced,
        "name_words": as_name,
        "names_removed": examples,
    }


def measure_clean_text(identity: LocalIdentity) -> dict[str, Any]:
    """Words replaced in the tune scenarios and in the docs (see the module docstring)."""
    return {
        "scenarios": replaced_words(scenario_texts(), identity),
        "docs": replaced_words(doc_texts(), identity),
    }
