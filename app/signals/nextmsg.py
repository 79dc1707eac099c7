"""Classify the user's next message after an assistant reply.

Why this exists: the message a user types right after a reply is the most frequent next-state
signal Flywheel gets. Asking the same thing again means the reply failed (requery, -1); telling
the assistant what it got wrong is a failure *and* a directive hint (correction, -1 plus the
hint); thanking is a weak positive (acceptance); anything else, including a follow-up that
builds on the reply, carries no evaluation (new_topic, 0).

The decision must be offline, deterministic, explainable and cheap (it runs on every turn on
a laptop CPU), so it is a multinomial logistic regression over a few dozen named lexical and
structural features. The weights are fitted offline by ``python -m bench.signals_fit`` on
``tests/data/nextmsg_cases.jsonl`` and pasted below as constants; nothing is fitted at import.

Labelling conventions the weights encode:
- re-asking the original request (paraphrase, repeat, typo fix, "again", "I asked ...") is a
  requery even when it complains ("that didn't answer it");
- a message that says *what* to change (another tool, language, OS, value, flag) is a
  correction;
- an explicit thanks/confirmation wins over a trailing follow-up ("perfect, now push it?").
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

LABELS = ("requery", "correction", "new_topic", "acceptance")
SCORES = {"requery": -1.0, "correction": -1.0, "new_topic": 0.0, "acceptance": 0.3}

# Why: the cues sit at the start of a message and similarity saturates after a few sentences;
# bounding the analysed text keeps a 1 MB paste as fast as a one-liner.
MAX_CHARS = 2000
MAX_TOKENS = 60
MAX_HINT_CHARS = 500


def _wordset(text: str) -> frozenset[str]:
    """Word lists are written as prose blocks so they stay readable and greppable."""
    return frozenset(text.split())


_STOPWORDS = _wordset(
    """
    a an the to of in on at by for from with into onto about as than and or but so if then
    is are was were be been being am do does did done doing have has had having will would
    can could should shall may might must i me my mine you your yours we our us it its it's
    this that these those there here what whats what's which who whom whose when where why
    how hi hey yo hello ok okay please pls plz just again also some any all one ones thing
    things way ways something anything s t d ll re ve m no not nope nah yes yeah yep
    """
)

# Common paraphrase pairs in chat requests, folded to one form so that a re-ask with a
# synonym still overlaps with the original request.
_SYNONYMS = {
    "folder": "directory",
    "dir": "directory",
    "create": "make",
    "generate": "make",
    "remove": "delete",
    "erase": "delete",
    "rm": "delete",
    "quit": "exit",
    "big": "large",
    "bigger": "large",
    "larger": "large",
    "huge": "large",
    "see": "show",
    "display": "show",
    "view": "show",
    "search": "find",
    "locate": "find",
    "dictionary": "dict",
    "integer": "int",
    "string": "str",
    "js": "javascript",
    "py": "python",
    "author": "write",
    "wrote": "write",
    "writer": "write",
    "kb": "kilobyte",
    "env": "environment",
    "var": "variable",
    "mins": "minute",
}

# Multi-word names with a common one-word form, folded before tokenising.
_PHRASES = {
    "virtual environment": "venv",
    "symbolic link": "symlink",
    "environment variable": "envvar",
    "regular expression": "regex",
}
_PHRASE = re.compile("|".join(rf"\b{re.escape(p)}s?\b" for p in _PHRASES))

_POSITIVE_EMOJI = frozenset("👍🙏😍🎉❤😀😃😄😁🙂😊👌✅💯🔥🥳🤩")
_NEGATIVE_EMOJI = frozenset("👎😡😠🤦🙄❌")

_NEG_START = re.compile(
    r"^(?:no+(?! (?:problem|worries|need))|nope|nah|nay|nein|wrong|incorrect|not|"
    r"u+h+,? no|h+m+,? no|that'?s (?:wrong|incorrect|not (?:right|correct|it|true))|"
    r"that is (?:wrong|incorrect|not (?:right|correct)))\b"
)
_CHALLENGE = re.compile(
    r"^(?:isn'?t (?:it|that|there)|wasn'?t (?:it|that)|aren'?t (?:they|there)|"
    r"shouldn'?t (?:it|that)|don'?t you mean|didn'?t you mean|are you sure|"
    r"i thought (?:it|that|you))\b"
)
_ERROR_CLAIM = re.compile(
    r"\b(?:wrong|incorrect|mistake|typo|forgot|forgotten|missing|missed|dropped|"
    r"isn'?t|is not|aren'?t|are not|won'?t|will not|doesn'?t|does not|don'?t|can'?t|"
    r"that'?s not|that is not|not (?:right|correct|true|valid))\b"
)
# A negated success ("doesn't work") must not read as acceptance, and a negated failure
# ("ran without errors") must not read as a complaint, so both are rewritten before matching.
_NEGATED_SUCCESS = re.compile(
    r"\b(?:doesn'?t|does not|didn'?t|did not|don'?t|do not|won'?t|isn'?t|is not|not|never)"
    r"\s+(?:\w+\s+)?(?:work\w*|good|right|correct|great|perfect|fix\w*|help\w*)\b"
)
_NEGATED_FAILURE = re.compile(
    r"\b(?:without (?:any )?errors?|no (?:more )?errors?|0 errors?|error[- ]free|"
    r"exit code 0|exit status 0)\b"
)
_FAILURE = re.compile(
    r"\b(?:(?:doesn'?t|does not|didn'?t|did not|won'?t|still)\s+(?:\w+\s+)?"
    r"(?:work|run|compile|build|start|help|change|fix)\w*|not working|fails?|failed|"
    r"errors?|broken|crash\w*)\b"
)
_CONTRAST = re.compile(r"\b(?:instead|rather|not|only|actually)\b")
_MEANT = re.compile(
    r"\b(?:(?<!what )i (?:meant|mean|wanted)|should (?:be|have|use|return|start)|"
    r"supposed to|you need|needs|has to be|must be|i'?m (?:on|using)|i use|"
    r"(?:[,.;:!-]|but) i (?:want|need)|is what (?:i|you) (?:want|need)(?:ed)?)\b"
)
_IMPERATIVE_FIX = re.compile(
    r"(?:^|[.!;,] )(?:use|make it|add|change|switch|start|put|replace|set it|do it|give it|"
    r"write it|try (?!again))\b"
)
_REQUERY_CUE = re.compile(
    r"\b(?:again|please|pls|plz|i (?:asked|said)|just (?:tell|give|answer|show)|"
    r"(?:didn'?t|doesn'?t|did not|does not) answer|not what i asked|once more|though|"
    r"answer the question|my question)\b"
    r"|\?\?"
)
_FOLLOWUP_START = re.compile(
    r"^(?:and|also|plus|what about|how about|what if|now|then|so|next|one more|"
    r"ok(?:ay)?,? (?:now|so|and|then))\b"
)
_PRONOUN_REF = re.compile(r"\b(?:it|them|those|these|one of them|he|she|they|there)\b")
_QUESTION_START = re.compile(
    r"(?:^|[.!;:,] )(?:how|what|what's|whats|which|who|when|where|why|can|could|would|is|are|"
    r"do|does|did|should|will|may|shall)\b"
)
_REQUEST_START = re.compile(
    r"^(?:write|tell|give|show|make|explain|set|remind|find|list|create|help|translate|"
    r"convert|generate|draw|summari[sz]e|recommend|suggest|compose|draft|open|play|search)\b"
)
_THANKS = re.compile(
    r"\b(?:thanks?|thx|thnx|ty|tysm|thank (?:you|u)|cheers|appreciated?|merci|danke|"
    r"gracias|grazie|arigato)\b"
)
_POSITIVE = re.compile(
    r"\b(?:perfect|great|awesome|nice|cool|excellent|brilliant|wonderful|lovely|sweet|"
    r"amazing|fantastic|superb|neat|exactly|spot on|works?|worked|fixed|solved|"
    r"did the trick|lifesaver|got it|makes sense|that'?s (?:it|the one|right|correct)|good|"
    r"that was it|sorted it|nailed it|bingo|"
    r"love|yes|yep|yeah|yup|correct|confirmed|finally|ok|okay|alright|passes|compiles)\b"
)
_ACCEPT_CORE = _wordset(
    """
    thanks thank thx thnx ty tysm cheers appreciate appreciated merci danke gracias grazie
    perfect great awesome nice cool excellent brilliant wonderful lovely sweet amazing
    fantastic superb neat exactly spot works worked working fixed solved trick lifesaver
    got sense good love yes yep yeah yup correct right confirmed finally ok okay alright
    """
)
# Words that pad an acceptance ("thank you so much for the help") without changing it; they
# count towards the acceptance share only when a core acceptance word is present.
_ACCEPT_FILLER = _wordset(
    """
    that thats s it is this the one did a lot so much very you u for help mate haha
    ahh ah oh of course now makes on me was just really
    """
)
# What a correction opens with before it says what to do instead; stripped to get the hint.
_HINT_LEAD = re.compile(
    r"^\s*(?:(?:no+|nope|nah|nay|nein|wrong|incorrect|h+m+|u+h+|u+m+|ugh|actually|but|"
    r"(?:thanks?|thank you|ok(?:ay)?|sure|yes|yeah|right),? but|not quite|not really|"
    r"that'?s (?:wrong|incorrect|not (?:right|correct|it|true))|"
    r"that is (?:wrong|incorrect|not (?:right|correct))|"
    r"that'?s not what i (?:asked|wanted|meant|said)(?: for)?)\b[\s,.;:!?-]*)+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class NextMessageVerdict:
    """What the next user message says about the previous assistant reply."""

    label: str
    confidence: float
    score: float
    hint: str | None
    features: dict[str, float]
    probabilities: dict[str, float]

    @property
    def failed(self) -> float:
        """How likely the message says the reply failed (re-asked or corrected it), 0..1."""
        return self.probabilities["requery"] + self.probabilities["correction"]


def _normalize(text: str) -> str:
    """Lowercase, unify quotes and whitespace, bound the length."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    text = text.replace("\u2019", "'").replace("`", "")
    return " ".join(text.split())


def _canon(token: str) -> str:
    """Fold synonyms and crude plural/verb suffixes so paraphrases share tokens."""
    token = _SYNONYMS.get(token, token)
    if len(token) > 4 and token.endswith("ies"):
        token = token[:-3] + "y"
    elif len(token) > 5 and token.endswith("ing"):
        token = token[:-3]
    elif len(token) > 4 and token.endswith("ed"):
        token = token[:-2]
    elif len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    return _SYNONYMS.get(token, token)


def _content_tokens(norm: str) -> list[str]:
    """Distinct content words in order of appearance, at most ``MAX_TOKENS``."""
    norm = _PHRASE.sub(lambda m: _PHRASES[m.group(0).rstrip("s")], norm)
    seen: dict[str, None] = {}
    raw: set[str] = set()
    for word in _WORD.findall(norm):
        if word in raw or word in _STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        raw.add(word)
        seen.setdefault(_canon(word), None)
        if len(seen) >= MAX_TOKENS:
            break
    return list(seen)


def _one_edit_apart(a: str, b: str) -> bool:
    """True for one insertion, deletion, adjacent swap or (long words) substitution: typos."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            # Why: on short words one substitution is usually another word (build/built).
            return len(a) >= 6
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and (
            a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _covered(tokens: list[str], pool: list[str]) -> float:
    """Share of ``tokens`` found in ``pool``, allowing one-edit typos on words of 4+ letters."""
    if not tokens:
        return 0.0
    exact = set(pool)
    fuzzy = [p for p in pool if len(p) >= 4]
    hits = 0
    for tok in tokens:
        if tok in exact or (len(tok) >= 4 and any(_one_edit_apart(tok, p) for p in fuzzy)):
            hits += 1
    return hits / len(tokens)


def _trigrams(norm: str) -> set[str]:
    text = " " + " ".join(_WORD.findall(norm)) + " "
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _flag(pattern: re.Pattern[str], text: str) -> float:
    return 1.0 if pattern.search(text) else 0.0


def extract_features(previous_user: str, assistant: str, next_user: str) -> dict[str, float]:
    """Compute the named features, each in [0, 1], that the model weighs."""
    prev, reply, nxt = (_normalize(t) for t in (previous_user, assistant, next_user))
    prev_tok, reply_tok, next_tok = (_content_tokens(t) for t in (prev, reply, nxt))
    words = _WORD.findall(nxt)
    known = set(prev_tok) | set(reply_tok)
    novel = [t for t in next_tok if t not in known]
    related = len(novel) < len(next_tok)
    asks = "?" in nxt or bool(_QUESTION_START.search(nxt))
    numbers_prev = set(_NUMBER.findall(prev))
    new_numbers = [n for n in _NUMBER.findall(nxt) if n not in numbers_prev]
    core = sum(w in _ACCEPT_CORE for w in words)
    filler = sum(w in _ACCEPT_FILLER for w in words)
    accept_share = (core + filler) / len(words) if core else 0.0
    success_text = _NEGATED_SUCCESS.sub(" ", nxt)
    failure_text = _NEGATED_FAILURE.sub(" ", nxt)
    emoji_pos = not _POSITIVE_EMOJI.isdisjoint(nxt)
    emoji_neg = not _NEGATIVE_EMOJI.isdisjoint(nxt)
    positive = _POSITIVE.search(success_text) or emoji_pos or failure_text != nxt
    features = {
        "sim_prev_chars": _dice(_trigrams(prev), _trigrams(nxt)),
        "prev_covered": _covered(prev_tok, next_tok),
        "next_in_prev": _covered(next_tok, prev_tok),
        "next_in_reply": _covered(next_tok, reply_tok),
        "next_novel": len(novel) / len(next_tok) if next_tok else 0.0,
        "reply_covers_prev": _covered(prev_tok, reply_tok),
        "reply_has_code": 1.0 if "`" in assistant[:MAX_CHARS] else 0.0,
        "neg_start": _flag(_NEG_START, nxt),
        "challenge": _flag(_CHALLENGE, nxt),
        "error_claim": max(_flag(_ERROR_CLAIM, nxt), 1.0 if emoji_neg else 0.0),
        "failure": _flag(_FAILURE, failure_text),
        "contrast": _flag(_CONTRAST, nxt),
        "meant": _flag(_MEANT, nxt),
        "imperative_fix": _flag(_IMPERATIVE_FIX, nxt),
        "new_number": float(bool(new_numbers and _NUMBER.search(reply) and related and not asks)),
        "requery_cue": _flag(_REQUERY_CUE, nxt),
        "followup_start": _flag(_FOLLOWUP_START, nxt),
        "pronoun_ref": _flag(_PRONOUN_REF, nxt),
        "question": float(asks),
        "request_start": _flag(_REQUEST_START, nxt),
        "thanks": _flag(_THANKS, nxt),
        "positive": 1.0 if positive else 0.0,
        "accept_share": accept_share,
        "short": 1.0 if len(words) <= 3 else 0.0,
        "next_len": min(len(words), 30) / 30,
        "empty": 0.0 if words or emoji_pos or emoji_neg else 1.0,
    }
    # Why: a plain statement with none of these cues is usually a new topic ("my daughter
    # turns 7"), one with any of them usually a correction; a linear model cannot express
    # that "any of" on its own.
    features["correction_cue"] = max(features[name] for name in _CORRECTION_CUES)
    features["unrelated_statement"] = float(
        not related and not features["question"] and not features["correction_cue"]
    )
    return features


# Fitted on tests/data/nextmsg_cases.jsonl by `python -m bench.signals_fit --emit-python`
# (multinomial logistic regression, L2). A positive weight pushes towards that label.
_BIAS = {"requery": -0.32, "correction": 0.46, "new_topic": 0.45, "acceptance": -0.59}
_WEIGHTS: dict[str, dict[str, float]] = {
    "requery": {
        "accept_share": -0.15, "challenge": -0.01, "contrast": -0.26, "correction_cue": -0.44,
        "error_claim": -0.07, "failure": -0.03, "followup_start": -0.13, "imperative_fix": 0.1,
        "meant": -0.23, "neg_start": -0.04, "new_number": -0.13, "next_in_prev": 1.3,
        "next_in_reply": 0.26, "next_len": 0.08, "next_novel": -0.99, "positive": -0.17,
        "prev_covered": 1.21, "pronoun_ref": -0.41, "question": 0.72, "reply_covers_prev": -0.19,
        "reply_has_code": -0.61, "requery_cue": 0.34, "request_start": -0.03, "short": -0.07,
        "sim_prev_chars": 1.06, "thanks": -0.1, "unrelated_statement": -0.27,
    },
    "correction": {
        "accept_share": -0.56, "challenge": 0.28, "contrast": 0.27, "correction_cue": 1.56,
        "error_claim": 0.35, "failure": 0.11, "followup_start": -0.27, "imperative_fix": 0.19,
        "meant": 0.56, "neg_start": 0.27, "new_number": 0.23, "next_in_prev": -0.17,
        "next_in_reply": 0.29, "next_len": 0.08, "next_novel": 0.07, "positive": -0.65,
        "prev_covered": -0.1, "pronoun_ref": 0.6, "question": -1.3, "reply_covers_prev": 0.38,
        "reply_has_code": 0.07, "requery_cue": 0.17, "request_start": -0.28, "short": 0.05,
        "sim_prev_chars": -0.29, "thanks": -0.36, "unrelated_statement": -0.44,
    },
    "new_topic": {
        "accept_share": -0.71, "challenge": -0.26, "contrast": 0.14, "correction_cue": -0.74,
        "error_claim": -0.23, "failure": -0.02, "followup_start": 0.57, "imperative_fix": -0.21,
        "meant": -0.23, "neg_start": -0.17, "new_number": -0.08, "next_in_prev": -0.87,
        "next_in_reply": -0.53, "next_len": 0.09, "next_novel": 0.77, "positive": -0.68,
        "prev_covered": -0.76, "pronoun_ref": -0.19, "question": 1.29, "reply_covers_prev": 0.11,
        "reply_has_code": 0.27, "requery_cue": -0.38, "request_start": 0.58, "short": -0.4,
        "sim_prev_chars": -0.5, "thanks": -0.52, "unrelated_statement": 0.09,
    },
    "acceptance": {
        "accept_share": 1.41, "challenge": -0.01, "contrast": -0.15, "correction_cue": -0.37,
        "error_claim": -0.06, "failure": -0.05, "followup_start": -0.17, "imperative_fix": -0.07,
        "meant": -0.1, "neg_start": -0.07, "new_number": -0.03, "next_in_prev": -0.26,
        "next_in_reply": -0.03, "next_len": -0.25, "next_novel": 0.15, "positive": 1.51,
        "prev_covered": -0.35, "pronoun_ref": -0.01, "question": -0.71, "reply_covers_prev": -0.3,
        "reply_has_code": 0.27, "requery_cue": -0.13, "request_start": -0.27, "short": 0.42,
        "sim_prev_chars": -0.27, "thanks": 0.97, "unrelated_statement": 0.63,
    },
}


_CORRECTION_CUES = (
    "neg_start", "challenge", "error_claim", "contrast", "meant", "imperative_fix", "new_number"
)


def _probabilities(features: dict[str, float]) -> dict[str, float]:
    logits = {
        label: _BIAS[label]
        + sum(w * features.get(name, 0.0) for name, w in _WEIGHTS[label].items())
        for label in LABELS
    }
    top = max(logits.values())
    exp = {label: math.exp(v - top) for label, v in logits.items()}
    total = sum(exp.values())
    return {label: v / total for label, v in exp.items()}


def extract_hint(next_user: str) -> str | None:
    """The corrective part of a message: what is left after the leading rejection.

    "no, I meant in bash" -> "I meant in bash". None when nothing beyond the rejection is
    left ("nope."), since an empty directive would teach nothing.
    """
    text = " ".join(next_user[: MAX_CHARS * 2].split())
    # A trailing colon stays: "… a line starting with Summary:" names the label itself.
    text = _HINT_LEAD.sub("", text).lstrip(" ,.;:!-").rstrip(" ,.;!-")
    if not _WORD.search(text):
        return None
    return text[:MAX_HINT_CHARS].rstrip()


def classify_next_message(previous_user: str, assistant: str, next_user: str) -> NextMessageVerdict:
    """Decide what ``next_user`` says about ``assistant``'s reply to ``previous_user``.

    ``None`` is read as an empty message (rows from the store may hold NULLs); any other
    non-string raises ``TypeError`` naming the argument.
    """
    texts = []
    for name, value in (
        ("previous_user", previous_user),
        ("assistant", assistant),
        ("next_user", next_user),
    ):
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, not {type(value).__name__}")
        texts.append(value)
    features = extract_features(*texts)
    if features["empty"]:
        probs = {label: 0.0 for label in LABELS} | {"new_topic": 1.0}
    else:
        probs = _probabilities(features)
    label = max(LABELS, key=lambda lab: probs[lab])
    return NextMessageVerdict(
        label=label,
        confidence=round(probs[label], 4),
        score=SCORES[label],
        hint=extract_hint(texts[2]) if label == "correction" else None,
        features={name: round(value, 4) for name, value in features.items()},
        probabilities={name: round(probs[name], 4) for name in LABELS},
    )
