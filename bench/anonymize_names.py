"""What ``bench.anonymize`` measures besides the labelled cases: each sensitive string's
category, and names drawn from a source the detector does not use.

Categories come from the string itself (and the case's ``secret`` flag), never from what the
anonymizer said about it, so a string the anonymizer missed is still counted in its own
category.

The detector knows first and last names from Faker's lists (``app/community/anonymize/
names.py``) and from lists derived from names-dataset (Facebook profiles' names, counted per
country) with wordfreq's English words (``name_words.py``); the labelled cases were generated
with Faker, so they cannot show how it does on names it has never seen. Two sources it does not
read are measured, each reported apart:

- ``names_other_source``: first names from gender-guesser's ``nam_dict.txt`` (Jörg Michael's
  dictionary of about 48,000 first names from 50 countries) with surnames from the ``names``
  package's list of the 1990 US Census (88,799 surnames). Its misses were read while the
  detector was improved, so it is no longer unseen;
- ``names_second_source``: mimesis's person data (MIT), a first name and a surname of the same
  language (Latin script: Czech, Danish, Dutch, English, Icelandic, Turkish…; a language picked
  first, so that the languages with many locales do not dominate). Added before the detector
  was changed again, and its misses are not to be tuned on either.

Each full name is put in sentences of the kind a skill holds, some after a cue (``Ask …``,
``Thanks to …``, ``Author: …``), some bare. A name counts as found only when neither its first
name nor its surname is left in the output. Nobody tunes the detector on these: they are
measured, not learned from.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from app.community.anonymize import LocalIdentity, anonymize

N_NAMES = 400
SEED = 18
# Skill-like sentences; {name} is a full name. Cued ones name the person after a word that
# says a person follows; bare ones do not.
CUED = (
    "Ask {name} before changing the deploy script.",
    "Thanks to {name} for the tip: `du -sh * | sort -h` shows the biggest folders.",
    "Author: {name}\n\nUse `git rebase -i` to squash fixup commits.",
    "Hi {name}, run `make test` before you push.",
)
BARE = (
    "The backup job was set up by {name}; run `make backup` to start it.",
    "{name} prefers tabs in Makefiles, so keep them.",
    "Send the report to {name} when `pytest` passes.",
    "The laptop of {name} needs `sudo apt install fd-find` first.",
)
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9a-fA-F:]+$")
_IBAN = re.compile(r"^[A-Za-z]{2}\d{2}[\s\-A-Za-z0-9]{8,}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9\-]*$")


def category_of(value: str, secret: bool) -> str:
    """The kind of a sensitive string, read from the string (see the module docstring)."""
    digits = sum(c.isdigit() for c in value)
    if secret:
        return "secret"
    if re.search(r"@|\[at\]|\(at\)| at ", value) and re.search(r"\.|\[dot\]|\(dot\)", value):
        return "email"
    if _IPV4.match(value) or (value.count(":") >= 2 and _IPV6.match(value)):
        return "ip address"
    if value.startswith(("/", "~", "file:")) or "\\" in value or re.match(r"^[A-Za-z]:", value):
        return "path"
    if _IBAN.match(value.strip()) and digits >= 10:
        return "iban"
    if digits >= 6 and digits >= len(re.sub(r"\s", "", value)) * 0.6:
        return "number"  # phone, card, national id
    words = value.split()
    capitalised = [w for w in words if w[0].isupper() or not w[0].isascii()]
    if len(words) >= 2 and len(capitalised) >= 2 and all(
        c.isalpha() or c in " -'." for c in value
    ):
        return "name"
    if not value.isascii() and all(c.isalpha() or c.isspace() for c in value):
        return "name"
    if _HOST.match(value):
        return "host"  # a dotted name: "jira.acme.internal", "build01.acme-internal.net"
    return "identifier"  # user names, one-word host names


@cache
def _first_names() -> list[str]:
    """gender-guesser's first names that are one plain word, with a known frequency."""
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text("utf-8")
    found = set()
    for line in text.splitlines():
        if not line or line[0] in "#=" or len(line) < 31:
            continue
        name = line[3:29].strip()
        frequencies = [int(c, 16) for c in line[30:85] if c.strip() and c in "0123456789abcdef"]
        if re.fullmatch(r"[A-ZÀ-Þ][a-zß-ÿ]{2,}", name) and max(frequencies, default=0) >= 3:
            found.add(name)
    return sorted(found)


@cache
def _surnames() -> list[str]:
    text = resources.files("names").joinpath("dist.all.last").read_text("utf-8")
    return [line.split()[0].title() for line in text.splitlines()[:20000] if line.strip()]


def _latin_name(word: str) -> bool:
    """One word written as a name in Latin script ("Dvořák", "Łukasz"), three letters or more."""
    return (
        len(word) >= 3
        and word.isalpha()
        and word[0].isupper()
        and word[1:].islower()
        and all(ord(c) < 0x250 for c in word)
    )


def _flat(entries: Any) -> list[str]:
    return [w for v in entries.values() for w in v] if isinstance(entries, dict) else entries


@cache
def mimesis_names() -> dict[str, tuple[list[str], list[str]]]:
    """language -> (first names, surnames) of mimesis's Latin-script locales (``en-gb`` and
    ``en-au`` count as ``en``), for languages with at least 20 of each."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    for folder in resources.files("mimesis").joinpath("datasets").iterdir():
        person = folder.joinpath("person.json")
        if not person.is_file():
            continue
        data = json.loads(person.read_text("utf-8"))
        firsts, lasts = found.setdefault(folder.name.split("-")[0], (set(), set()))
        firsts.update(w for w in _flat(data.get("names", [])) if _latin_name(w))
        lasts.update(w for w in _flat(data.get("surnames", [])) if _latin_name(w))
    return {
        language: (sorted(firsts), sorted(lasts))
        for language, (firsts, lasts) in sorted(found.items())
        if len(firsts) >= 20 and len(lasts) >= 20
    }


def _census_pair(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_first_names()), rng.choice(_surnames())


def _mimesis_pair(rng: random.Random) -> tuple[str, str]:
    firsts, lasts = mimesis_names()[rng.choice(sorted(mimesis_names()))]
    return rng.choice(firsts), rng.choice(lasts)


@dataclass(frozen=True)
class NameSource:
    """Where a bench's full names come from: ``pair`` draws one (first, last)."""

    key: str  # the JSON key of its figures in bench.anonymize's output
    label: str
    pair: Callable[[random.Random], tuple[str, str]]


CENSUS = NameSource(
    "names_other_source",
    "first names: gender-guesser 0.4.0 (nam_dict.txt); surnames: names 0.3.0 (1990 US Census)",
    _census_pair,
)
MIMESIS = NameSource(
    "names_second_source",
    "first names and surnames of one language: mimesis 22.2.0 (person.json, Latin script)",
    _mimesis_pair,
)
NAME_SOURCES = (CENSUS, MIMESIS)


def other_source_cases(
    n: int = N_NAMES, seed: int = SEED, source: NameSource = CENSUS
) -> list[dict[str, Any]]:
    """``n`` (text, first, last, cued) cases of ``source``, the same ones every run."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        first, last = source.pair(rng)
        cued = i % 2 == 0
        template = rng.choice(CUED if cued else BARE)
        cases.append({"text": template.format(name=f"{first} {last}"), "first": first,
                      "last": last, "cued": cued})
    return cases


def _left(word: str, output: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", output) is not None


def measure_other_source(identity: LocalIdentity, source: NameSource = CENSUS) -> dict[str, Any]:
    """Recall on names of ``source``, overall and with or without a cue."""
    found = {True: [0, 0], False: [0, 0]}
    misses = []
    for case in other_source_cases(source=source):
        output = anonymize(case["text"], identity).text
        ok = not (_left(case["first"], output) or _left(case["last"], output))
        found[case["cued"]][0] += ok
        found[case["cued"]][1] += 1
        if not ok:
            misses.append(output)
    total = sum(v[0] for v in found.values()), sum(v[1] for v in found.values())
    return {
        "source": source.label,
        "n": total[1],
        "recall": round(total[0] / total[1], 4),
        "recall_after_a_cue": round(found[True][0] / found[True][1], 4),
        "recall_without_a_cue": round(found[False][0] / found[False][1], 4),
        "examples_missed": misses[:5],
    }
