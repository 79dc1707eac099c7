"""Notice a reply that is repeating itself, so the runtime can stop it.

Small models sometimes fall into a loop: the same sentence, or a short phrase ("elle-là,
elle-là, …"), again and again until the length limit. A repetition penalty makes that
rarer but cannot rule it out, and every looping token costs the user time, so the streamed
text is watched and the reply stopped once its tail has become periodic.

Two shapes are caught:

- the text ends in the same span repeated back to back (any period from a few characters to
  a paragraph): ``LONG_REPEATS`` copies of a span of ``LONG_PERIOD`` characters or more, or,
  for shorter spans, enough copies to cover ``SHORT_SPAN`` characters;
- the sentence just finished was already written ``SENTENCE_REPEATS - 1`` times in this reply
  (loops with a varying filler between the copies).

Spans without letters (rules ``-----``, table borders, columns of numbers) repeat
legitimately, so they count only as whole lines repeated ``SYMBOL_REPEATS`` times (the model
opening and closing empty code blocks, ```` ``` ```` line after line).
"""

from __future__ import annotations

import re

LONG_PERIOD = 24  # a span this long repeated LONG_REPEATS times is a loop
LONG_REPEATS = 3
SHORT_SPAN = 72  # shorter spans: enough copies to cover this many characters…
SHORT_REPEATS = 5  # …and at least this many copies
SYMBOL_REPEATS = 8  # lines without letters: this many copies
MIN_PERIOD = 3
MAX_PERIOD = 400
SENTENCE_REPEATS = 4  # a chorus sung three times is not a loop
MIN_SENTENCE = 16  # shorter sentences ("Yes.", "Thanks!") recur legitimately
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_CODE_FENCE = "```"


def _periodic_tail(text: str, factor: int) -> bool:
    """The end of ``text`` is one span repeated back to back, enough times to be a loop.

    Only periods at which the last character recurs are tried (``rfind``), which keeps this
    cheap enough to run after every token. ``factor`` multiplies the copies needed.
    """
    length = len(text)
    last = text[-1:]
    position = length - 1
    while last:
        position = text.rfind(last, max(0, length - 1 - MAX_PERIOD), position)
        if position < 0:
            return False
        period = length - 1 - position
        if period < MIN_PERIOD:
            continue
        unit = text[-period:]
        if _LETTER.search(unit):
            short = -(-SHORT_SPAN // period)
            needed = LONG_REPEATS if period >= LONG_PERIOD else max(SHORT_REPEATS, short)
        elif "\n" in unit and unit.strip():
            needed = SYMBOL_REPEATS
        else:
            continue
        needed *= factor
        if needed * period <= length and all(
            text[length - (k + 1) * period : length - k * period] == unit
            for k in range(1, needed)
        ):
            return True
    return False


def _normal(sentence: str) -> str:
    return " ".join(sentence.lower().split())


def _repeated_sentence(text: str) -> bool:
    """The sentence that ``text`` just finished was already written enough times before.

    Code blocks are left out: a program may well repeat a line.
    """
    if text.count(_CODE_FENCE) % 2 == 1 or not _SENTENCE_END.search(text[-2:] + " "):
        return False
    prose = "".join(text.split(_CODE_FENCE)[::2])
    sentences = [_normal(s) for s in _SENTENCE_END.split(prose) if s.strip()]
    if not sentences:
        return False
    last = sentences[-1]
    if len(last) < MIN_SENTENCE or not _LETTER.search(last):
        return False
    return sentences.count(last) >= SENTENCE_REPEATS


def is_looping(text: str) -> bool:
    """Whether the reply streamed so far has fallen into a loop (check after each piece).

    Inside a code block twice as many copies are needed: programs repeat lines.
    """
    in_code = text.count(_CODE_FENCE) % 2 == 1
    return _periodic_tail(text, 2 if in_code else 1) or _repeated_sentence(text)
