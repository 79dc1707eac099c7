"""bench.anonymize: recall per category of sensitive string, and names from a source the
detector does not read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.community.anonymize.names import _name_lists
from bench.anonymize import NO_IDENTITY, evaluate
from bench.anonymize_names import (
    MIMESIS,
    NAME_SOURCES,
    category_of,
    measure_other_source,
    mimesis_names,
    other_source_cases,
)


@pytest.mark.parametrize(
    ("value", "secret", "category"),
    [
        ("ghp_abc", True, "secret"),
        ("alice@acme.io", False, "email"),
        ("alice[at]acme[dot]io", False, "email"),
        ("10.1.2.3", False, "ip address"),
        ("fe80::1:2", False, "ip address"),
        ("/var/home/alice", False, "path"),
        ("C:\\Users\\alice", False, "path"),
        ("DE12 9775 4304 3419 2334 41", False, "iban"),
        ("+49 30 1234567", False, "number"),
        ("Carlos Eduardo da Costa", False, "name"),
        ("橋本 真綾", False, "name"),
        ("adam71", False, "identifier"),
    ],
)
def test_a_sensitive_string_is_categorised_from_itself(value, secret, category) -> None:
    assert category_of(value, secret) == category


def test_every_category_is_reported_and_a_miss_lowers_only_its_own() -> None:
    cases = [
        {"text": "mail alice@acme.io", "sensitive": ["alice@acme.io"], "keep": []},
        {"text": "token zzzz-plain", "sensitive": ["zzzz-plain"], "keep": [], "secret": True},
    ]
    result, misses = evaluate(cases)
    assert result["recall_by_category"]["email"] == {"n": 1, "recall": 1.0}
    assert result["recall_by_category"]["secret"] == {"n": 1, "recall": 0.0}
    assert result["min_category_recall"] == 0.0 and len(misses) == 1


@pytest.mark.parametrize("source", NAME_SOURCES, ids=lambda source: source.key)
def test_the_other_name_sources_are_not_the_detectors(source) -> None:
    firsts, lasts, _ = _name_lists()
    cases = other_source_cases(source=source)
    assert cases == other_source_cases(source=source)  # the same names every run
    unseen = [c for c in cases if c["first"] not in firsts or c["last"] not in lasts]
    assert len(unseen) > len(cases) / 2  # mostly names Faker's lists do not hold
    result = measure_other_source(NO_IDENTITY, source)
    assert result["n"] == len(cases) and result["source"] == source.label
    assert 0 <= result["recall_without_a_cue"] <= 1 and 0 <= result["recall_after_a_cue"] <= 1


def test_the_second_source_draws_names_of_many_languages() -> None:
    """mimesis's English locales are not the whole source: first name and surname come from one
    language, and the languages are drawn evenly."""
    languages = mimesis_names()
    assert len(languages) >= 10 and {"en", "cs", "tr"} <= set(languages)
    cases = other_source_cases(source=MIMESIS)
    assert len({c["last"] for c in cases}) > len(cases) * 0.9
    assert sum(not (c["first"] + c["last"]).isascii() for c in cases) > len(cases) / 10


def test_the_detector_never_reads_the_benchs_name_source() -> None:
    """The app imports neither the bench's sources (gender-guesser, names, mimesis) nor the
    packages its own lists are derived from; assets/names/ says it comes from names-dataset and
    wordfreq."""
    root = Path(__file__).resolve().parents[2]
    imports = re.compile(
        r"^\s*(?:from|import)\s+(gender_guesser|names|names_dataset|wordfreq|mimesis)\b",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(root))
        for path in (root / "app").rglob("*.py")
        if imports.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    lists = sorted((root / "assets" / "names").glob("*.txt"))
    assert len(lists) == 5
    for path in lists:
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.startswith("# names-dataset ") and "wordfreq" in header, path.name
