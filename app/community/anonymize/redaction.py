"""What a detector reports, and how overlapping reports become one redaction.

Detectors only propose spans of the original text; they never edit it. Spans may overlap (an
email inside a URL, a token inside an assignment), so they are fused here into one redaction
whose kind is the most severe one involved: the more severe placeholder tells the reader more
about what was removed, and a less severe one could make a secret look harmless.
"""

from __future__ import annotations

from dataclasses import dataclass

SECRET, CARD, IBAN, EMAIL, PATH, IP, MAC = "SECRET", "CARD", "IBAN", "EMAIL", "PATH", "IP", "MAC"
PHONE, HOST, USER, PROJECT, NAME = "PHONE", "HOST", "USER", "PROJECT", "NAME"
# When spans overlap, the merged redaction takes the kind ranked highest here.
_RANK = {
    SECRET: 9,
    CARD: 8,
    IBAN: 8,
    EMAIL: 7,
    PATH: 6,
    IP: 5,
    MAC: 5,
    PHONE: 4,
    HOST: 3,
    USER: 2,
    PROJECT: 1,
    NAME: 1,
}


@dataclass(frozen=True)
class Redaction:
    """One removed span: where it was in the original text, what it was and what replaced it."""

    start: int
    end: int
    kind: str
    original: str
    placeholder: str


@dataclass(frozen=True)
class AnonymizedText:
    """The shareable text and the list of redactions, so the consent preview can show them."""

    text: str
    redactions: list[Redaction]


def hit(text: str, start: int, end: int, kind: str, placeholder: str | None = None) -> Redaction:
    """A span of ``text`` to remove, shown as ``<KIND>`` unless ``placeholder`` says otherwise."""
    return Redaction(start, end, kind, text[start:end], placeholder or f"<{kind}>")


def merge(text: str, spans: list[Redaction]) -> list[Redaction]:
    """Fuse overlapping spans into one redaction carrying the most severe kind's placeholder."""
    groups: list[tuple[int, int, Redaction]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if groups and span.start < groups[-1][1]:
            start, end, best = groups[-1]
            best = best if _RANK[best.kind] >= _RANK[span.kind] else span
            groups[-1] = (start, max(end, span.end), best)
        else:
            groups.append((span.start, span.end, span))
    return [
        Redaction(start, end, best.kind, text[start:end], best.placeholder)
        for start, end, best in groups
    ]


def rebuild(text: str, redactions: list[Redaction]) -> str:
    """``text`` with each (sorted, disjoint) redaction replaced by its placeholder."""
    pieces, cursor = [], 0
    for red in redactions:
        pieces += [text[cursor : red.start], red.placeholder]
        cursor = red.end
    pieces.append(text[cursor:])
    return "".join(pieces)
