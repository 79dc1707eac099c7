"""The hint of a correction: the instruction part of the user's next message.

Why a module of its own: the classifier (:mod:`app.signals.nextmsg`) decides *whether* a
message corrects the reply; what the trainer's teacher and the skills are told to follow is
only the part that says what to do, without the rejection or thanks around it ("thanks, but
use rg next time" -> "use rg next time") and, for a request asked again with a change
inside, only the change ("how do I install requests with uv instead?" -> "with uv
instead").
"""

from __future__ import annotations

import re

# A hint longer than this is a paste, not an instruction; the start is what matters.
MAX_HINT_CHARS = 500
SCAN_CHARS = 4000

# What a correction opens with before it says what to do instead; stripped to get the hint.
# "no" is a rejection only before a pause or a new clause: in "no matplotlib please" it is
# part of the instruction, and stripping it would turn the hint around.
_HINT_LEAD = re.compile(
    r"^\s*(?:(?:no+(?=\s*(?:[,.;:!?\u2014\u2013-]|$)|\s+(?:i|i'm|it|it's|that|that's|you|use|"
    r"not|just|actually|wait|this)\b)|nope|nah|nay|nein|wrong|incorrect|h+m+|u+h+|u+m+|ugh|"
    r"actually|but|"
    r"(?:(?:ok(?:ay)?,? )?(?:thanks?|thank you|thx|cheers)|ok(?:ay)?|sure|yes|yeah|right|great|"
    r"nice|cool|perfect|good)[,!.]? (?:but|though|however)|not quite|not really|"
    r"i (?:already |just )?told you(?: before| already| earlier)?|(?:as|like) i (?:said|told you)|"
    r"that'?s (?:wrong|incorrect|not (?:right|correct|it|true))|"
    r"that is (?:wrong|incorrect|not (?:right|correct))|"
    r"that'?s not what i (?:asked|wanted|meant|said)(?: for)?)\b[\s,.;:!?\u2014\u2013-]*)+",
    re.IGNORECASE,
)
# A request asked again with the change inside ("how do I install requests with uv
# instead?"): the change is the phrase around "instead"/"rather than", not the whole re-ask.
_CHANGE_PHRASE = re.compile(
    r"\b(?:with|using|via|in|through|on|from|by|as)\s+(?:[^\s,;.?!]+\s+){1,4}?"
    r"(?:instead(?:\s+of\s+[^\s,;.?!]+)?|rather than\s+[^\s,;.?!]+)(?:,?\s+not\s+[^\s,;.?!]+)?",
    re.IGNORECASE,
)
_REASK_START = re.compile(
    r"^(?:how|can|could|would|will|what|which|is there|please|pls|"
    r"(?:\w+\s+){1,6}?(?=(?:with|using|via|in|through|on|from|by|as)\s))",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")


def extract_hint(next_user: str) -> str | None:
    """The corrective part of a message: what is left after the leading rejection or
    thanks, or the change phrase of a request asked again.

    "no, I meant in bash" -> "I meant in bash". None when nothing beyond the rejection is
    left ("nope."), since an empty directive would teach nothing.
    """
    text = " ".join(next_user[:SCAN_CHARS].split())
    # A trailing colon stays: "… a line starting with Summary:" names the label itself.
    stripped = _HINT_LEAD.sub("", text)
    change = _CHANGE_PHRASE.search(stripped) if stripped == text else None
    if change and change.start() > 0 and _REASK_START.match(text):
        text = change.group(0)
    else:
        text = stripped
    text = text.lstrip(" ,.;:!-\u2014\u2013").rstrip(" ,.;!-\u2014\u2013")
    if not _WORD.search(text):
        return None
    return text[:MAX_HINT_CHARS].rstrip()
