"""The other spellings of a name found somewhere in the same text.

A skill repeats the words it learned from: its description lists a request's words in lower
case (``…; also file, colleague, jonas, lindqvist, sent…``) while its example keeps "Jonas
Lindqvist". The name detector recognises the second (a known first name before a surname)
but cannot tell the first from ordinary words. Measured with ``bench.community``: a member's
correction naming a colleague left the colleague's first name and surname at the hub, in the
shared skill's description. So once a name is found anywhere in a text, each of its words is
removed wherever it stands in that text, in any letter case.

Only words of the name lists (Faker's, and :mod:`.name_words`' first names and surnames, but
not those the text also writes as code) are echoed, and not those that are also ordinary words
(a first name such as "Grace" or "Will", which the name detector only takes before a surname or
after a cue): a value after ``To:`` may be a team rather than a person, and removing every
"will" of a skill would cost more readability than it protects.

The account name of a home folder is echoed the same way: the path becomes ``~/…``, but a
description's keyword list splits ``/home/tomas.berg/webshop`` into "tomas", "berg" and
"webshop" (measured with ``bench.community``: the first two reached the hub). Its pieces of
four letters or more are removed wherever they stand, unless they are ordinary English words
and no known name (an account called ``build.server`` keeps "build" and "server").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.community.anonymize.bare_names import code_words
from app.community.anonymize.home_paths import home_owners
from app.community.anonymize.name_words import name_words
from app.community.anonymize.names import known_name_words
from app.community.anonymize.redaction import NAME, Redaction, hit

_WORD = re.compile(r"[^\W\d_]{3,}")


def echo_spans(text: str, found: list[Redaction]) -> Iterator[Redaction]:
    """Every whole-word occurrence, in any case, of a word of a name in ``found``."""
    known, listed = known_name_words(), name_words()
    words = {
        word.lower()
        for red in found
        if red.kind == NAME
        for word in _WORD.findall(red.original)
        if word.lower() in known or word.title() in listed.first or word.title() in listed.last
    }
    # names-dataset's lists hold programs too: a word the text writes as code stays there
    # (`nano ~/.bashrc` after "Jetson Nano" was taken for a name), unless Faker lists it.
    words -= code_words(text) - known
    words |= _owner_words(text, known, listed.ordinary)
    if not words:
        return
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", re.IGNORECASE)
    for match in pattern.finditer(text):
        yield hit(text, match.start(), match.end(), NAME)


def _owner_words(text: str, known: frozenset[str], ordinary: frozenset[str]) -> set[str]:
    """The pieces of home-folder account names in ``text`` that point to someone."""
    pieces = {w.lower() for owner in home_owners(text) for w in _WORD.findall(owner)}
    return {w for w in pieces if w in known or (len(w) >= 4 and w not in ordinary)}
