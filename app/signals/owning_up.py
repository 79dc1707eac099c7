"""A reply to a correction, without its owning up to the correction ("You're right, …").

A reply written with the user's correction in context (the trainer's teacher reply, or the
model's own answer to the correction in the chat) often opens by agreeing with it: "You're
right, I'm using the fish shell. …". That opening answers the correction, not the request.
Such a reply teaches the request answered without the correction (the adapter's student, the
skill's worked example for the next similar request), so the opening must go: kept, the
student learned to open fresh answers by agreeing with a correction nobody made, and a
skill whose worked example opened that way made the model answer "Where is my shell
configuration file?" with "You're right, I'm using the fish shell."

Pure Python: the GUI process and the trainer both use it.
"""

from __future__ import annotations

import re

# Words that answer the correction rather than the request ("You're right, I use…").
_OWNING_UP = re.compile(
    r"^\s*(?:(?:you'?re|you are) (?:right|correct)|(?:i'?m )?sorry|i apologi[sz]e|"
    r"(?:my )?apologies|my (?:mistake|bad)|thanks? (?:you )?for (?:the |your )?correct\w*)\b",
    re.IGNORECASE,
)
_SENTENCE_REST = re.compile(r"[^\n.!?]*[.!?]*\s*")
_CLAUSE_REST = re.compile(r"[^\n.!?,:;\u2013\u2014]*?(?:[,:;\u2013\u2014]|\s-\s)\s*")
# What follows the owning up still talks about the correction ("…, I'm using fish.").
_ABOUT_ITSELF = re.compile(r"(?:i|we|my|thanks?)\b|(?:i|we)'", re.IGNORECASE)


def answer_only(reply: str) -> str:
    """``reply`` without the sentences that open it by owning up to the correction ("You're
    right, I'm using the fish shell."). When the same sentence goes on with the answer
    ("You're right, use `rg` instead."), only the owning up, up to the first comma, colon
    or dash, goes."""
    while match := _OWNING_UP.match(reply):
        sentence = _SENTENCE_REST.match(reply, match.end())
        clause = _CLAUSE_REST.match(reply, match.end())
        end = sentence.end() if sentence else match.end()
        rest = reply[clause.end() : end] if clause else ""
        if clause and rest.strip(" .!?\n") and not _ABOUT_ITSELF.match(rest):
            reply = reply[clause.end() :]
            reply = reply[:1].upper() + reply[1:]
        else:
            reply = reply[end:]
    return reply.strip()
