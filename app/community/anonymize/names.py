"""Person names: the first/last-name lists that ``faker`` ships, plus context cues.

The lists cover several locales and are loaded once, offline. A known first name followed by a
surname-shaped word is a name; so is any capitalized word after a cue (``Author:``,
``user.name``, ``Name <mail>``, a greeting such as "thanks to", a title such as "Dr.").
First names that are also ordinary words ("Grace", "Will") need a surname or a cue. Pairs
of capitalized words that Faker's lists do not explain go to :mod:`.bare_names`, which reads
much longer lists (names-dataset's) and where the pair stands.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Iterator
from functools import cache

from app.community.anonymize.bare_names import bare_name_end, code_words, name_tail_end
from app.community.anonymize.credentials import is_reference
from app.community.anonymize.redaction import NAME, Redaction, hit

# Word lists stay dense (one entry a line would triple this module's length).
# fmt: off
_NAME_LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR",
                 "pt_PT", "nl_NL", "sv_SE", "pl_PL", "ja_JP")
# First names that are also ordinary words: they only count before a known surname or a cue.
_WORDLIKE_FIRST = frozenset((
    "Ada", "Alma", "Amber", "Angel", "Apollo", "April", "August", "Bella", "Bill", "Bo", "Chase",
    "Christian", "Constance", "Coral", "Crystal", "Daisy", "Dale", "Dawn", "Dean", "Destiny", "Don",
    "Drew", "Earl", "Faith", "Frank", "Gene", "Glen", "Grace", "Grant", "Guy", "Hazel", "Heather",
    "Holly", "Hope", "Hugo", "Hunter", "Iris", "Ivy", "Jack", "Jade", "Jasmine", "Jay", "Joy",
    "Julia", "June", "Lucky", "Luigi", "Mark", "Mason", "Max", "May", "Melody", "Neo", "Nova",
    "Pascal", "Penny", "Raven", "Ray", "Rose", "Ruby", "Sandy", "Summer", "Will", "Wolf", "Gaston",
    "Victoria", "Sage", "Eve", "Paris", "Florence", "Jordan", "Austin", "Dallas", "Carter",
    "Sterling", "Cassandra", "Claude", "Devin", "Gemma", "Rocky", "Kali", "Travis", "Caddy",
    "Buster", "Trixie", "Chef", "Mercedes", "Harley",
))
_NOT_SURNAME = frozenset((
    "The", "A", "An", "And", "Or", "But", "To", "In", "On", "At", "For", "With", "From", "By", "Of",
    "Is", "Are", "Was", "Be", "Has", "Have", "Can", "May", "Should", "Must", "If", "When", "Then",
    "This", "That", "These", "Those", "It", "Its", "Not", "No", "Yes", "Use", "Using", "Run",
    "Install", "Setup", "Set", "Get", "Add", "Fix", "Note", "Notes", "Tip", "Tips", "Step", "Steps",
    "Example", "See", "Also", "Why", "How", "What", "Who", "Where", "Der", "Die", "Das", "Und",
    "Ist", "Le", "La", "Les", "Et", "El", "Los", "Las", "Es",
))
_PARTICLES = frozenset((
    "van", "von", "der", "den", "de", "da", "del", "della", "di", "dos", "das", "du", "le", "la",
    "ter", "y", "bin",
))
_CUES = frozenset((
    "hi", "hello", "hey", "dear", "thanks", "thank", "thx", "ask", "asked", "ping", "cc", "hallo",
    "danke", "liebe", "lieber", "bonjour", "merci", "salut", "hola", "gracias", "querido",
    "querida", "olá", "oi", "obrigado", "obrigada",
))
# Capitalized words that open a line before "Name <mail>" without being part of the name.
_LEAD_WORDS = _CUES | frozenset((
    "contact", "email", "e-mail", "mail", "author", "maintainer", "owner", "from", "to", "cc", "by",
    "reach", "write", "signed-off-by", "co-authored-by", "reviewed-by", "reported-by", "the", "and",
    "or", "see", "kontakt", "courriel", "correo",
))
# fmt: on
_TITLE_BEFORE = re.compile(
    r"(?i)(?<![A-Za-z])(?:mr|mrs|ms|dr|prof|herr|frau|mme|mlle|sr|sra|srta|dona|sir)\.?[ \u00a0]+\Z"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Word starts that are not ASCII lowercase: capitalized words (checked again with isupper()).
_CAPITALIZED = re.compile(r"(?<![\w'’\-])[^\W\d_a-z][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_FIELD_LINE = re.compile(
    r"(?im)^[ \t>#*/;\-]*(?:authors?|maintainers?|contact|owner|reviewer|assignee|reviewed-by"
    r"|signed-off-by|co-authored-by|acked-by|tested-by|reported-by|from|to|cc|autor|autora"
    r"|auteur|verfasser|ansprechpartner|responsable|responsável|作成者|担当者?)[ \t]*[:=][ \t]*"
    r"[\"']?(?P<v>[^\n<>\"',(;@]{1,80})"
)
_FIELD_INLINE = re.compile(
    r"(?=[uU@nN])(?:user\.name[\"']?[ \t=]+[\"']?(?P<v>[^\"'\n]{1,80})"
    r"|@author[ \t]+(?P<a>[^\n<*@]{1,80})"
    r"|\bname[\"']?[ \t]*[:=][ \t]*[\"'](?P<n>[^\"'\n]{1,80})[\"'][ \t]*,[ \t]*[\"']?email)"
)
_MAIL_OPEN = re.compile(r"[<(\[][A-Za-z0-9._%+\-]+@")


@cache
def _name_lists() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    """First names, surnames and a CJK full-name pattern from faker's per-locale lists."""
    first: set[str] = set()
    last: set[str] = set()
    cjk_last: set[str] = set()
    cjk_first: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, bucket in (
            ("first_names", first),
            ("last_names", last),
            ("first_romanized_names", first),
            ("last_romanized_names", last),
        ):
            for entry in getattr(provider, attr, ()):
                bucket.update(entry.split())
    for word in list(first | last):
        if not word.isascii() and not word[0].isupper():
            (cjk_first if word in first else cjk_last).add(word)
    first -= cjk_first
    last -= cjk_last
    given = "|".join(sorted(cjk_first, key=len, reverse=True))
    family = "|".join(sorted(cjk_last, key=len, reverse=True))
    honorific = "さん|様|氏|先生|くん|君|ちゃん"
    cjk = re.compile(rf"(?:{family})(?:[ 　]?(?:{given})(?:{honorific})?|(?:{honorific}))")
    return frozenset(first), frozenset(last), cjk


@cache
def known_name_words() -> frozenset[str]:
    """First names and surnames of the lists, lowercased, without those that are also
    ordinary words ("grace", "will", "the"): words safe to remove wherever a found name
    repeats them (:mod:`.echoes`)."""
    first, last, _ = _name_lists()
    ordinary = {w.lower() for w in _WORDLIKE_FIRST | _NOT_SURNAME | _PARTICLES | _LEAD_WORDS}
    return frozenset(w.lower() for w in first | last if len(w) >= 3) - ordinary


def name_spans(text: str) -> Iterator[Redaction]:
    """Names in author-like fields, before ``<mail>``, in CJK script, and in running text."""
    first, last, cjk = _name_lists()
    for match in itertools.chain(_FIELD_LINE.finditer(text), _FIELD_INLINE.finditer(text)):
        group = next(g for g in ("v", "a", "n") if match.groupdict().get(g) is not None)
        value = match.group(group).rstrip(" \t.")
        name_like = value and (value[0].isupper() or not value.isascii())
        if (
            name_like
            and not is_reference(value)
            and len(value.split()) <= 5
            and not any(c.isdigit() for c in value)
        ):
            yield hit(text, match.start(group), match.start(group) + len(value), NAME)
    for match in _MAIL_OPEN.finditer(text):
        yield from _name_before_mail(text, match.start())
    for match in cjk.finditer(text):
        yield hit(text, match.start(), match.end(), NAME)
    yield from _capitalized_names(text, first, last)


def _name_before_mail(text: str, at: int) -> Iterator[Redaction]:
    """The capitalized words just before ``<mail@…>``, as in ``Jane Roe <jane@example.org>``."""
    line = text[max(0, at - 80) : at].rsplit("\n", 1)[-1]
    if not line.endswith((" ", "\t")):
        return
    kept: list[str] = []
    for word in reversed(line.split()):
        if (
            not word[0].isupper()
            or word.lower().rstrip(":,") in _LEAD_WORDS
            or any(c.isdigit() for c in word)
            or len(kept) == 4
        ):
            break
        kept.insert(0, word)
    span = " ".join(kept)
    start = at - (len(line) - len(line.rstrip())) - len(span)
    if kept and text[start : start + len(span)] == span:
        yield hit(text, start, start + len(span), NAME)


def _capitalized_names(
    text: str, first: frozenset[str], last: frozenset[str]
) -> Iterator[Redaction]:
    """Known first name + surname-shaped words, or a first name right after a cue or title."""
    covered = 0
    code = cache(lambda: code_words(text))
    for match in _CAPITALIZED.finditer(text):
        word, start = match.group(), match.start()
        if start < covered or not word[0].isupper() or word.isupper():
            continue
        known = all(part in first for part in re.sub(r"['’]s$", "", word).split("-"))
        titled = bool(_TITLE_BEFORE.search(text, max(0, start - 8), start))
        # After "ask", "thanks to", "Hi"… any capitalized word is taken for a name.
        cued = titled or (word not in _NOT_SURNAME and _cued(text, start))
        end = match.end()
        if known or cued:
            loose = (known and word not in _WORDLIKE_FIRST) or cued
            while (following := _next_name_word(text, end, first, last, loose)) is not None:
                end, loose = following, False
        if end == match.end() and not cued:
            end = bare_name_end(text, start, end, (first, last, _WORDLIKE_FIRST), code) or end
        elif end > match.end():
            end = name_tail_end(text, end, last)
        if end > match.end() or cued:
            covered = end
            yield hit(text, start, end, NAME)


def _cued(text: str, start: int) -> bool:
    """Whether a greeting or request ("Hi", "thanks to", "ask") comes just before ``start``."""
    line = text[max(0, start - 40) : start].rsplit("\n", 1)[-1]
    words = [w.lower() for w in _WORD.findall(line)[-2:]][::-1]
    if len(words) == 2 and words[0] not in ("to", "you", "an", "à", "a"):
        words.pop()
    return any(w in _CUES for w in words)


def _next_name_word(
    text: str, end: int, first: frozenset[str], last: frozenset[str], loose: bool
) -> int | None:
    """End of the word that continues a name ending at ``end`` (particles included), or None."""
    if text[end : end + 1] not in (" ", "\u00a0"):
        return None
    match = _WORD.match(text, end + 1)
    if match and match.group() in _PARTICLES:
        following = _next_name_word(text, match.end(), first, last, loose)
        return following if following is not None and text[match.end() + 1].isupper() else None
    if not match:
        return None
    word = match.group()
    if not word[0].isupper() or (word.isupper() and len(word) > 1):
        return None
    if all(part in last or part in first for part in word.split("-")):
        return match.end()
    return match.end() if loose and word not in _NOT_SURNAME and len(word) > 1 else None
