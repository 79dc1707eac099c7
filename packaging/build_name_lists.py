"""Write ``assets/names/``: the name lists the anonymizer reads besides Faker's.

Faker's first names (a few thousand, 14 locales) miss most of the world's names, and a name
that no cue announces ("The backup job was set up by Ilse Garrity") was only found when its
first name was on that list. These lists come from two maintained PyPI packages, read here
once, so the app itself never imports them:

- ``names-dataset`` (Philippe Rémy; MIT/Apache-2.0): 730,000 first and 980,000 last names
  with their rank in each of 105 countries (counted from a 2021 dump of Facebook profiles:
  only names and counts, nobody's record). Loading it takes about 2 GB of memory, hence a
  derived list;
- ``wordfreq`` (Robyn Speer; Apache-2.0, data CC-BY-SA 4.0): how often each English word is
  written, to tell ordinary words ("Visual", "Studio", "Linux", "Shell") from names.

Files written (one entry a line, ``#`` lines say where they come from):

- ``first_names.txt``: first names among the ``FIRST_RANK`` most common of at least one
  country that are not ordinary English words (Zipf frequency below ``ORDINARY_ZIPF``);
- ``surnames.txt``: surnames among the ``SURNAME_RANK`` most common of at least one country
  (names-dataset ranks about 20,000 a country, so all it ranks; surnames are more varied than
  first names) that are not ordinary English words;
- ``word_names.txt``: ``first``/``last`` and a name that *is* an ordinary word ("Hope",
  "Brown"), among the ``WORD_RANK`` most common of at least two countries: a name only next
  to other evidence;
- ``family_first_surnames.txt``: the ``FAMILY_FIRST_RANK`` most common surnames of each country
  whose people write the family name first (China, Taiwan, Hong Kong, Macau, Japan, Korea,
  Hungary), English words included ("Zhang", "Kim"): "Zhang Wei" is a name though "Zhang" is
  frequent in English text. Not those English writes more often than ``FAMILY_FIRST_ZIPF``
  ("To", "He", "So", "Man", "Young"): a sentence opening with one of them before a
  capitalized word would be taken for a name; except the ``FAMILY_FIRST_TOP`` commonest of
  each country ("Park", a fifth of Korea's surnames), too many people to leave out;
- ``ordinary_words.txt``: lowercase English words at or above ``WORDS_ZIPF``: a capitalized
  word on no name list that is one of these is not taken for a name. Lower than
  ``ORDINARY_ZIPF``, so that "Workstation" or "Dashboard" (Zipf 3.0 to 3.5) count as words,
  while a name on the lists keeps counting as a name up to ``ORDINARY_ZIPF``.

Run ``python packaging/build_name_lists.py`` (needs the ``dev`` extra) and commit the result;
the output depends only on the two packages' releases (pinned in the lock).
"""

from __future__ import annotations

import math
import re
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assets" / "names"
FIRST_RANK = 5000
SURNAME_RANK = 20000
WORD_RANK = 1000
FAMILY_FIRST_RANK = 100
FAMILY_FIRST_ZIPF = 5.0
FAMILY_FIRST_TOP = 10
# Countries whose names are written family name first (names-dataset's country codes);
# Vietnam is not in names-dataset, Cambodia's list is mostly words and place names.
FAMILY_FIRST_COUNTRIES = ("CN", "TW", "HK", "MO", "JP", "KR", "HU")
ORDINARY_ZIPF = 3.5
WORDS_ZIPF = 3.0
# A name as people write it: capitalized, then lowercase, two letters or more, in Latin script
# with any of its accents ("Jiří", "Łukasz", "Gülşen", "Nguyễn"), not Latin-1's alone.
_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]{2,}")
_WORD = re.compile(r"[a-zß-öø-ÿ]+")


def _zipf(frequencies: dict[str, float], word: str) -> float:
    frequency = frequencies.get(word.lower(), 0.0)
    return math.log10(frequency) + 9 if frequency else 0.0


def _is_name(word: str) -> bool:
    return bool(_NAME.fullmatch(word)) and word[0].isupper() and word[1:].islower()


def _ranked(table: dict, max_rank: int, min_countries: int) -> list[str]:
    """Names of ``table`` (names-dataset's) ranked ``max_rank`` or better in enough countries."""
    found = []
    for name, info in table.items():
        ranks = [r for r in (info.get("rank") or {}).values() if r and r <= max_rank]
        if _is_name(name) and len(ranks) >= min_countries:
            found.append(name)
    return found


def _ranked_in(table: dict, max_rank: int, countries: tuple[str, ...]) -> list[str]:
    """Names of ``table`` ranked ``max_rank`` or better in one of ``countries``."""
    found = []
    for name, info in table.items():
        ranks = info.get("rank") or {}
        if _is_name(name) and any(ranks.get(c) and ranks[c] <= max_rank for c in countries):
            found.append(name)
    return found


def _write(name: str, header: str, lines: list[str]) -> None:
    text = "".join(f"# {line}\n" for line in header.splitlines()) + "\n".join(lines) + "\n"
    (OUT / name).write_text(text, encoding="utf-8")
    print(f"{name}: {len(lines)} entries")


def main() -> None:
    from names_dataset import NameDataset
    from wordfreq import get_frequency_dict

    frequencies = get_frequency_dict("en", wordlist="large")
    source = (
        f"names-dataset {metadata.version('names-dataset')}, "
        f"wordfreq {metadata.version('wordfreq')} (English, large); "
        "written by packaging/build_name_lists.py, do not edit\n"
        "licences: names-dataset Apache-2.0 (its metadata says MIT); "
        "wordfreq's word frequencies CC-BY-SA 4.0, by Robyn Speer"
    )
    dataset = NameDataset()
    firsts = _ranked(dataset.first_names, FIRST_RANK, 1)
    word_firsts = _ranked(dataset.first_names, WORD_RANK, 2)
    lasts = _ranked(dataset.last_names, SURNAME_RANK, 1)
    word_lasts = _ranked(dataset.last_names, WORD_RANK, 2)
    family_first = _ranked_in(dataset.last_names, FAMILY_FIRST_RANK, FAMILY_FIRST_COUNTRIES)
    family_top = set(_ranked_in(dataset.last_names, FAMILY_FIRST_TOP, FAMILY_FIRST_COUNTRIES))
    del dataset
    OUT.mkdir(parents=True, exist_ok=True)
    plain = sorted(n for n in firsts if len(n) > 2 and _zipf(frequencies, n) < ORDINARY_ZIPF)
    _write(
        "first_names.txt",
        f"{source}\nfirst names ranked <= {FIRST_RANK} in a country, English Zipf < "
        f"{ORDINARY_ZIPF}",
        plain,
    )
    _write(
        "surnames.txt",
        f"{source}\nsurnames ranked <= {SURNAME_RANK} in a country, English Zipf < {ORDINARY_ZIPF}",
        sorted(n for n in lasts if _zipf(frequencies, n) < ORDINARY_ZIPF),
    )
    words = sorted(
        {
            f"{kind}\t{n}"
            for kind, names in (("first", word_firsts), ("last", word_lasts))
            for n in names
            if _zipf(frequencies, n) >= ORDINARY_ZIPF
        }
    )
    _write(
        "word_names.txt",
        f"{source}\nnames ranked <= {WORD_RANK} in two countries that are English words "
        f"(Zipf >= {ORDINARY_ZIPF})",
        words,
    )
    _write(
        "family_first_surnames.txt",
        f"{source}\nsurnames ranked <= {FAMILY_FIRST_RANK} in one of "
        f"{', '.join(FAMILY_FIRST_COUNTRIES)} (family name written first), English Zipf < "
        f"{FAMILY_FIRST_ZIPF} unless ranked <= {FAMILY_FIRST_TOP} there",
        sorted(
            n
            for n in family_first
            if n in family_top or _zipf(frequencies, n) < FAMILY_FIRST_ZIPF
        ),
    )
    ordinary = sorted(
        w for w in frequencies if _WORD.fullmatch(w) and _zipf(frequencies, w) >= WORDS_ZIPF
    )
    _write("ordinary_words.txt", f"{source}\nEnglish words, Zipf >= {WORDS_ZIPF}", ordinary)


if __name__ == "__main__":
    main()
