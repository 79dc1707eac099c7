"""The name lists the anonymizer reads besides Faker's, and the English words that are not names.

``assets/names/`` is derived once from ``names-dataset`` and ``wordfreq`` by
``packaging/build_name_lists.py``: the app never imports either package (names-dataset alone
takes about 2 GB once loaded). The lists are read on the first anonymization only, so the
window never pays for them unless something is shared. The two long ones (900,000 names) stay
one sorted string each, searched by bisection: a few MB instead of the 60 MB a set of them
takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.paths import assets_dir


class SortedWords:
    """A sorted word list kept as one newline-separated string; ``in`` bisects it."""

    def __init__(self, words: list[str]) -> None:
        self._blob = "".join(f"{word}\n" for word in sorted(words))

    @classmethod
    def read(cls, path: Path) -> SortedWords:
        """The list of ``path``, one word a line in sorted order after ``#`` header lines,
        read without splitting it into a list (which would take ten times the memory)."""
        found = cls([])
        text = path.read_text(encoding="utf-8")
        start = 0
        while text.startswith("#", start):
            start = text.index("\n", start) + 1
        found._blob = text[start:] if text.endswith("\n") else f"{text[start:]}\n"
        return found

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or "\n" in word:
            return False
        blob, lo, hi = self._blob, 0, len(self._blob)
        while lo < hi:  # lo and hi are always at the start of a line
            start = blob.rfind("\n", lo, (lo + hi) // 2) + 1 or lo
            end = blob.index("\n", start)
            line = blob[start:end]
            if line == word:
                return True
            if line < word:
                lo = end + 1
            else:
                hi = start
        return False


@dataclass(frozen=True)
class NameWords:
    """What the detector asks of a capitalized word it does not know from Faker."""

    first: SortedWords  # first names that are not English words ("Ilse", "Adomas")
    last: SortedWords  # surnames that are not English words ("Garrity")
    word_first: frozenset[str]  # first names that are English words ("Hope", "Hue")
    word_last: frozenset[str]  # surnames that are ("Brown", "Young")
    family_first: frozenset[str]  # common surnames where they come first ("Zhang", "Nagy")
    ordinary: frozenset[str]  # frequent English words, lowercase ("visual", "studio")

    def is_ordinary(self, word: str) -> bool:
        """Whether ``word`` is a frequent English word in any capitalization."""
        return word.lower() in self.ordinary


def _entries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@cache
def name_words(folder: Path | None = None) -> NameWords:
    """The lists of ``assets/names`` (or ``folder``), loaded once."""
    folder = folder or assets_dir() / "names"
    word_first, word_last = set(), set()
    for line in _entries(folder / "word_names.txt"):
        kind, _, word = line.partition("\t")
        (word_first if kind == "first" else word_last).add(word)
    return NameWords(
        first=SortedWords.read(folder / "first_names.txt"),
        last=SortedWords.read(folder / "surnames.txt"),
        word_first=frozenset(word_first),
        word_last=frozenset(word_last),
        family_first=frozenset(_entries(folder / "family_first_surnames.txt")),
        ordinary=frozenset(_entries(folder / "ordinary_words.txt")),
    )
