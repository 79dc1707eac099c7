"""bench.anonymize: recall per category of sensitive string, and names from a source the
detector does not read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.community.anonymize.names import _name_lists
from bench.anonymize import NO_IDENTITY, evaluate
from bench.anonymize_names import category_of, measure_other_source, other_source_cases


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


def test_the_other_name_source_is_not_the_detectors() -> None:
    firsts, _lasts, _ = _name_lists()
    cases = other_source_cases()
    assert cases == other_source_cases()  # the same names every run
    unseen = [c for c in cases if c["first"] not in firsts]
    assert len(unseen) > len(cases) / 2  # mostly names the detector has never been given
    result = measure_other_source(NO_IDENTITY)
    assert result["n"] == len(cases)
    assert 0 <= result["recall_without_a_cue"] <= result["recall_after_a_cue"] <= 1


def test_the_detector_never_reads_the_benchs_name_source() -> None:
    """The app imports neither the bench's sources (gender-guesser, names) nor the packages its
    own lists are derived from; assets/names/ says it comes from names-dataset and wordfreq."""
    root = Path(__file__).resolve().parents[2]
    imports = re.compile(
        r"^\s*(?:from|import)\s+(gender_guesser|names|names_dataset|wordfreq)\b", re.MULTILINE
    )
    offenders = [
        str(path.relative_to(root))
        for path in (root / "app").rglob("*.py")
        if imports.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    lists = sorted((root / "assets" / "names").glob("*.txt"))
    assert len(lists) == 4
    for path in lists:
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.startswith("# names-dataset ") and "wordfreq" in header, path.name
