"""Remove personal data and secrets from a skill before it leaves the machine.

A shared skill must stay useful (a path stays a path, a command stays a command) while nothing
in it points back to the user or grants access to anything. Each detector proposes spans of the
original text; overlapping spans are merged into one redaction whose kind is the most severe
one involved, and the text is rebuilt with typed placeholders (``<EMAIL>``, ``<IP>`` …, ``~``
for a home folder). The policy is *unsure -> remove*: a false redaction costs a little
readability, a leak cannot be taken back.

Why hand-written patterns rather than Yelp's ``detect-secrets``: measured here, its plugins took
5 s per MB (regex plugins only) to 14 s per MB (defaults), report values rather than spans
(sometimes only a prefix, e.g. ``ghp`` for a GitHub token) and flag ordinary words such as
``curl`` as high-entropy. Every pattern is anchored with a look-behind so that each run of
characters is scanned from its start only, which keeps the work linear on megabyte inputs.

One module per kind of data: :mod:`.credentials`, :mod:`.urls`, :mod:`.network`,
:mod:`.hosts` (private host names, also where they recur), :mod:`.numbers`,
:mod:`.home_paths`, :mod:`.names` (with :mod:`.bare_names` for names no cue announces,
reading the lists of :mod:`.name_words`), :mod:`.identity` (the user's own
identifiers), :mod:`.echoes` (the other spellings of a name found once); :mod:`.redaction`
merges what they find.
"""

from __future__ import annotations

from app.community.anonymize.command_passwords import command_password_spans
from app.community.anonymize.credentials import secret_spans
from app.community.anonymize.echoes import echo_spans
from app.community.anonymize.home_paths import home_path_spans
from app.community.anonymize.hosts import host_echo_spans, host_spans
from app.community.anonymize.identity import LocalIdentity, own_identity_spans
from app.community.anonymize.names import name_spans
from app.community.anonymize.network import email_spans, login_spans, network_id_spans
from app.community.anonymize.numbers import number_spans
from app.community.anonymize.redaction import (
    CARD,
    EMAIL,
    HOST,
    IBAN,
    IP,
    MAC,
    NAME,
    PATH,
    PHONE,
    PROJECT,
    SECRET,
    USER,
    AnonymizedText,
    Redaction,
    merge,
    rebuild,
)
from app.community.anonymize.urls import url_spans

__all__ = [
    "CARD",
    "EMAIL",
    "HOST",
    "IBAN",
    "IP",
    "MAC",
    "NAME",
    "PATH",
    "PHONE",
    "PROJECT",
    "SECRET",
    "USER",
    "AnonymizedText",
    "LocalIdentity",
    "Redaction",
    "anonymize",
]

# The order matters only for ties: equal spans of equal rank keep the first detector's
# placeholder.
_DETECTORS = (
    secret_spans,
    command_password_spans,
    url_spans,
    login_spans,
    email_spans,
    host_spans,
    network_id_spans,
    number_spans,
    home_path_spans,
    name_spans,
)


def anonymize(text: str, identity: LocalIdentity | None = None) -> AnonymizedText:
    """Return ``text`` with personal data and secrets replaced by typed placeholders.

    ``identity`` defaults to the current account's; pass ``LocalIdentity(None, None, None,
    None)`` to anonymize without any local identity (benchmarks do, to stay deterministic).
    """
    if not isinstance(text, str):
        raise TypeError(f"anonymize() expects str, not {type(text).__name__}; decode it first")
    if identity is None:
        identity = LocalIdentity.current()
    spans: list[Redaction] = []
    for detector in _DETECTORS:
        spans.extend(detector(text))
    spans.extend(own_identity_spans(text, identity))
    found = merge(text, spans)
    spans.extend(echo_spans(text, found))
    spans.extend(host_echo_spans(text, found))
    redactions = merge(text, spans)
    return AnonymizedText(rebuild(text, redactions), redactions)
