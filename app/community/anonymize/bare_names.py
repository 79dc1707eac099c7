"""Full names that no cue announces: "set up by Ilse Garrity", "Adomas Fray prefers tabs".

Faker's lists alone miss most of the world's first names, and technical text is full of pairs
of capitalized words that are no one ("Visual Studio", "Arch Linux", "Redis Cluster"). So a
pair counts as a name by what its two words are, and, where the words alone are not enough,
by where the pair stands:

- a first name and a surname of the lists, neither an English word ("Adomas Garrity"): a
  name wherever it stands. "Redis Cluster" stays: "Cluster" is an English word and no one's
  surname on the lists (but see the last case);
- the same written family name first, as in East Asia and Hungary ("Zhang Wei", "Tóth
  Zsolt"): a listed surname that is no English word, or one of the commonest surnames of
  those countries even if English writes it often ("Zhang", "Kim"), before a listed first
  name that is no English word: a name wherever it stands;
- one word on the lists and the other on none but no English word ("Adomas Quarnby",
  "Dimitritchka Garrity"), or a first name that is also an English word before a listed
  surname ("Hope Garrity"): where a person fits, right after "by", "to", "of", "from",
  "with", "for", "and", "via", or just before a verb people do ("prefers", "said", "wants")
  or a possessive "'s". A product fits after "to" or "with" as well ("send the logs to
  Grafana Loki": "Loki" is a surname on the lists), and is then removed: unsure -> remove,
  unless the text writes one of its words as code (below);
- a first name that is an English word before a word on no list ("Hue Quarnby"): only after
  "by", before a verb people do or a possessive;
- a first word that is no English word before a surname that is one ("Adomas Window"), or two
  words on no list ("Zorbulak Quarnby"): only where nothing but a person fits, just before a
  verb of speech or mind that programs are not said to do ("prefers", "said", "asked"; not
  "wants", "says" or "thinks": "Docker Compose wants a version key", "Git thinks the file is
  binary"), after a thing only a person has and "of" ("the laptop of", "on behalf of"),
  after "approved by", "reviewed by", "reply to" (but not "set up by", "send to", "talk to"),
  or right after a word for whom a person is to someone ("my colleague", "his wife"). A surname
  is often a word ("Baker", "Mills", "Window"), and no list holds every rare first name;
  where only a person fits, what the words are matters less ("Redis Cluster prefers…" is
  then taken for a name too).

A pair of those kinds with a word written in letters English does not use and that is no
English word ("Ólafur Window", "Zorbuláček Quarnby") is a name wherever a person fits at all
(after "to", "of", "by"…): programs and products are named in ASCII, people in every script.

Words that only products spell ("GitHub", "DevTools": a capital inside the word), ordinary
English words ("Visual", "Studio", "Linux"), a pair after an article ("the Loki Promtail"),
the tail of a longer run of capitalized words ("Grafana Loki Promtail") and words the same
text writes as code (``from faker import``, `` `loki` ``, ``perl(1)``: a program, not a
person; "Perl Faker" in Faker's own README) are never taken. The name lists hold whatever
people typed as their name, so they list many programs too ("Perl", "Faker", "Redis").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.community.anonymize.name_words import name_words

# A word as names are written: capitalized, then lowercase (parts joined by - or ').
_NAME_SHAPED = re.compile(r"[^\W\d_a-z][^\W\d_A-Z]+(?:[-'’][^\W\d_a-z][^\W\d_A-Z]*)*")
_POSSESSIVE = re.compile(r"['’]s\b")
_BY = frozenset(("by", "cc", "ask"))
_BEFORE = frozenset(("to", "of", "from", "with", "for", "and", "via"))
_ARTICLES = frozenset(("the", "a", "an", "this", "that", "your", "my", "our", "their", "its"))
# fmt: off
_PERSON_VERBS = frozenset((
    "prefers", "preferred", "said", "says", "wants", "wanted", "wrote", "writes", "asked",
    "asks", "thinks", "thought", "told", "tells", "suggested", "suggests", "recommended",
    "recommends", "likes", "liked", "knows", "knew", "agreed", "approved", "mentioned",
    "explained", "reviewed", "reported", "noticed", "maintains", "owns", "insists", "decided",
))
# Of those, the verbs technical text does not say of a program ("Docker Compose wants…",
# "the wiki says…", "Git thinks…", "Redis recommends…", "it asks for a password" it does).
_ONLY_PERSON_VERBS = frozenset((
    "prefers", "preferred", "said", "asked", "agreed", "approved", "decided", "insists",
    "insisted", "explained", "mentioned", "liked",
))
# Words after which "of", "by" or "to" leads to a person only: what only a person has ("the
# laptop of", "on behalf of"; not "the home of", "the team of", "the account of": a project
# has those too), what only a person does to a change ("approved by"; not "set up by",
# "signed by", "recommended by": programs and companies do those) or is spoken to ("reply
# to", "apologize to"; not "send to", "switch to", "talk to": programs talk to each other).
_ONLY_PERSON_BEFORE = {
    "of": frozenset((
        "laptop", "desk", "phone", "inbox", "mailbox", "calendar", "workstation", "behalf",
        "wife", "husband", "partner", "colleague", "colleagues", "friend", "friends", "boss",
        "family", "mother", "father", "sister", "brother", "daughter", "son", "children",
    )),
    "by": frozenset(("approved", "reviewed", "requested", "suggested", "proposed", "asked")),
    "to": frozenset((
        "speak", "spoke", "reply", "replied", "apologize", "apologise", "apologized",
        "apologised", "explain", "explained",
    )),
}
# Who a person is to someone, just before the name ("my colleague", "our intern").
_RELATIONS = frozenset((
    "colleague", "coworker", "teammate", "boss", "friend", "mentor", "intern", "wife", "husband",
    "girlfriend", "boyfriend", "neighbour", "neighbor", "landlord", "roommate", "flatmate",
    "mother", "father", "sister", "brother", "daughter", "son", "cousin", "uncle", "aunt",
))
# fmt: on
# Family-first surnames of the lists that open other things far more often: "Le" is the
# French article ("Le Monde"), not only a surname.
_NOT_FAMILY_FIRST = frozenset(("Le",))
# How surely a place holds a person (see _person_slot).
_ANYWHERE, _ANYONE, _PERSON, _ONLY_PERSON = 0, 1, 2, 3
# What a word of the pair is: on a name list, on one but also an English word, on none, or
# an English word on no list (only a surname may be: a first word that is one is no name).
_LISTED, _WORDLIKE, _UNLISTED, _WORD = "listed", "wordlike", "unlisted", "word"
# (first word, second word) -> the place the pair must stand in to be taken for a name; pairs
# not here (a word-like first name before an English word or another word-like one, an
# unlisted word before a word-like one) never are.
_SLOT_NEEDED = {
    (_LISTED, _LISTED): _ANYWHERE,
    (_WORDLIKE, _LISTED): _ANYONE,
    (_LISTED, _UNLISTED): _ANYONE,
    (_UNLISTED, _LISTED): _ANYONE,
    (_WORDLIKE, _UNLISTED): _PERSON,
    (_LISTED, _WORD): _ONLY_PERSON,
    (_UNLISTED, _WORD): _ONLY_PERSON,
    (_UNLISTED, _UNLISTED): _ONLY_PERSON,
}
# Programs in a text: the command word of each line (or of each part after a pipe, `;` or
# `&&`) inline or fenced between backticks, or a lowercase word imported or called
# ("from faker import", "loki("). A command's arguments are not: an account name is often a
# first name or a surname (`chown garrity backup/`, `sudo -u adomas make`), and taking it for
# a program would keep that person's full name in the text. The words of a path or an image
# name are code too (`docker run grafana/loki`), unless it is under a home folder.
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_HOME_PATH = re.compile(r"[\"'(]*(?:~|\$HOME|/home/|/Users/)")
_PATH_WORD = re.compile(r"[a-z][a-z0-9_]*")
_COMMAND_WORD = re.compile(
    r"(?m)(?:^|[|;&(]+)[ \t$>]*([a-z][a-z0-9_]*)(?![\w+\-]|[\w.+\-]*@)"
)
_CODE_USE = re.compile(
    r"(?m)^[ \t>]*(?:from ([a-z]\w*)[\w.]* import|import ([a-z]\w*))"
    r"|(?<![\w@.+/\-])([a-z][a-z0-9_]*)\("
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)([ \u00a0])\Z")
_LEAD_BEFORE = re.compile(r"([^\W\d_]+)[ \u00a0]+(?:of|by|to)[ \u00a0]\Z")
_WORD_AFTER = re.compile(r"[ \u00a0]([^\W\d_]+(?:[-'’][^\W\d_]+)*)")
_POSSESSIVE_END = re.compile(r"['’]s\Z")


def code_words(text: str) -> frozenset[str]:
    """The programs ``text`` names as code (see the module docstring): command words,
    imports and calls, lowercase; a name in code keeps its capitals (``git commit --author
    "Ilse Garrity"``), so it is not among them."""
    found = {m.group(1) or m.group(2) or m.group(3) for m in _CODE_USE.finditer(text)}
    for span in _CODE_SPAN.finditer(text):
        code = span.group(2)
        found.update(_COMMAND_WORD.findall(code))
        for token in code.split():
            if "/" in token and not _HOME_PATH.match(token):
                found.update(_PATH_WORD.findall(token))
    return frozenset(found)


def bare_name_end(
    text: str,
    start: int,
    end: int,
    faker: tuple[frozenset[str], frozenset[str], frozenset[str]],
    code: Callable[[], frozenset[str]],
) -> int | None:
    """End of a full name whose first word is ``text[start:end]``, or None (module docstring).

    ``faker`` holds Faker's first names, surnames and first names that are also English
    words; ``code`` gives :func:`code_words` of ``text`` (computed only when needed).
    """
    faker_first, faker_last, wordlike = faker
    first = text[start:end]
    if not _NAME_SHAPED.fullmatch(first):
        return None
    words = name_words()
    before = _WORD_BEFORE.search(text, max(0, start - 30), start)
    previous = before.group(1) if before else ""
    if previous[:1].isupper() and previous.lower() in _BY | _BEFORE:
        previous = previous.lower()  # "To Adomas Quarnby:", "By Adomas Quarnby" opening a line
    if previous[:1].isupper():
        if not _opens_sentence(text, before.start(1)) or (
            bare_name_end(text, before.start(1), before.end(1), faker, code) is not None
        ):
            return None  # the tail of a run of capitalized words
        previous = ""  # "Call Zhang Wei tomorrow": a sentence's first word is capitalized
    if previous.lower() in _ARTICLES:
        return None  # "the Loki Promtail"
    last_end, last = _name_after(text, end)
    if not last:
        return None
    first_kind = _first_name_kind(first, faker_first, wordlike)
    needed = _SLOT_NEEDED.get((first_kind, _surname_kind(last, faker_first, faker_last)))
    if (
        _family_name_first(first, faker_last)
        and _first_name_kind(last, faker_first, wordlike) == _LISTED
    ):
        needed = _ANYWHERE  # "Zhang Wei", "Tóth Zsolt": as a first name before a surname
    if needed is None:
        return None
    if any(not word.isascii() and not words.is_ordinary(word) for word in (first, last)):
        needed = min(needed, _ANYONE)  # "Ólafur Window": no program is spelled so
    if _person_slot(text, start, previous, last_end) < needed:
        return None
    if first.lower() in code() or last.lower() in code():
        return None
    return name_tail_end(text, last_end, faker_last)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a line or a sentence (capitalized for
    that alone: "Call Zhang Wei", "Email Nagy Imre")."""
    head = text[:start].rstrip(" \t\"'*>(-")
    return not head or head[-1] in ".!?\n"


def _family_name_first(word: str, faker_last: frozenset[str]) -> bool:
    """Whether ``word`` is a surname that can open a full name: one of the common surnames
    of the countries that write the family name first, English word or not ("Zhang",
    "Kim"), or a listed surname that is no English word ("Takahashi", "Tóth")."""
    words = name_words()
    if word in _NOT_FAMILY_FIRST:
        return False
    if word in words.family_first:
        return True
    return (word in words.last or word in faker_last) and not words.is_ordinary(word)


def _first_name_kind(word: str, faker_first: frozenset[str], wordlike: frozenset[str]) -> str:
    """What ``word`` is as a first name: listed, listed but an English word, an English word
    on no list, or on no list."""
    words = name_words()
    if word in wordlike or word in words.word_first:
        return _WORDLIKE
    if word in words.first or word in faker_first:
        return _LISTED
    return _WORD if words.is_ordinary(word) else _UNLISTED


def _surname_kind(word: str, faker_first: frozenset[str], faker_last: frozenset[str]) -> str:
    """What ``word`` is as a surname: on a list (English word or not), an English word on
    none, or on none."""
    words = name_words()
    if word in faker_last or word in faker_first or word in words.word_last or word in words.last:
        return _LISTED
    return _WORD if words.is_ordinary(word) else _UNLISTED


def name_tail_end(text: str, end: int, faker_last: frozenset[str]) -> int:
    """End of a found name once the surname-shaped words after it are added: a middle name
    or a second surname ("Ilse Maria Garrity"), two words at most, no English word unless
    it is a known surname."""
    words = name_words()
    for _ in range(2):
        following, word = _name_after(text, end)
        if not word or (words.is_ordinary(word) and word not in faker_last):
            break
        end = following
    return end


def _name_after(text: str, end: int) -> tuple[int, str]:
    """End and text of the name-shaped word right after ``end`` (a possessive 's left out),
    or ``(end, "")``."""
    match = _WORD_AFTER.match(text, end)
    if match is None:
        return end, ""
    word = _POSSESSIVE_END.sub("", match.group(1))
    if len(word) < 2 or not _NAME_SHAPED.fullmatch(word):
        return end, ""
    return match.start(1) + len(word), word


def _person_slot(text: str, start: int, previous: str, end: int) -> int:
    """How surely a pair from ``start`` to ``end`` stands where a person fits:
    ``_ONLY_PERSON`` where nothing else does (module docstring); ``_PERSON`` after "by", before
    a verb people do or a possessive; ``_ANYONE`` after "to", "of", "with"…, where a product
    fits as well; else ``_ANYWHERE``."""
    after = _WORD_AFTER.match(text, end)
    verb = after.group(1).lower() if after is not None else ""
    leads = _ONLY_PERSON_BEFORE.get(previous, ())
    lead = _LEAD_BEFORE.search(text, max(0, start - 40), start) if leads else None
    if (
        verb in _ONLY_PERSON_VERBS
        or previous.lower() in _RELATIONS
        or (lead is not None and lead.group(1).lower() in leads)
    ):
        return _ONLY_PERSON
    if previous in _BY or _POSSESSIVE.match(text, end) or verb in _PERSON_VERBS:
        return _PERSON
    return _ANYONE if previous in _BEFORE else _ANYWHERE
