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

from app.signals.nextmsg_features import CHANGE_CUES, cue_features
from app.signals.nextmsg_hint import extract_hint

LABELS = ("requery", "correction", "new_topic", "acceptance")
SCORES = {"requery": -1.0, "correction": -1.0, "new_topic": 0.0, "acceptance": 0.3}

# Why: the cues sit at the start of a message and similarity saturates after a few sentences;
# bounding the analysed text keeps a 1 MB paste as fast as a one-liner.
MAX_CHARS = 2000
MAX_TOKENS = 60


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
    # "yes"/"no" when a capable served model re-read a doubtful verdict (nextmsg_confirm).
    model_answer: str | None = None

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
    features.update(cue_features(prev, reply, nxt, asks, related))
    # Why: "instead" in a re-ask of the same request changes it ("… with uv instead?"); in a
    # new question it rarely does ("when should I use merge instead?").
    features["reask_with_change"] = features["preference"] * features["prev_covered"]
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
_BIAS = {"requery": -0.43, "correction": 0.39, "new_topic": 0.74, "acceptance": -0.69}
_WEIGHTS: dict[str, dict[str, float]] = {
    "requery": {
        "accept_share": -0.2, "challenge": -0.01, "contradicts_number": -0.21, "contrast": -0.54,
        "correction_cue": -0.78, "error_claim": -0.04, "error_shape": -0.01, "exclusion": -0.01,
        "fact_statement": -0.45, "failure": -0.01, "followup_start": -0.15, "forgot": -0.01,
        "imperative_fix": 0.33, "meant": -0.43, "neg_start": -0.17, "new_number": -0.21,
        "new_tool": -0.08, "next_in_prev": 1.63, "next_in_reply": 0.25, "next_len": 0.22,
        "next_novel": -1.2, "positive": -0.66, "preference": -0.13, "prev_covered": 1.54,
        "pronoun_ref": -0.51, "question": 0.95, "reask_with_change": -0.07,
        "reply_covers_prev": -0.21, "reply_has_code": -0.86, "requery_cue": 0.53,
        "request_start": -0.2, "short": -0.05, "sim_prev_chars": 1.36, "thanks": -0.16,
        "thanks_but": -0.01, "thanks_then_ask": -0.52, "unrelated_statement": -0.28,
    },
    "correction": {
        "accept_share": -0.72, "challenge": 0.48, "contradicts_number": 0.1, "contrast": 0.41,
        "correction_cue": 2.22, "error_claim": 0.48, "error_shape": 0.14, "exclusion": 0.07,
        "fact_statement": 1.13, "failure": 0.01, "followup_start": -0.33, "forgot": 0.19,
        "imperative_fix": 0.03, "meant": 0.42, "neg_start": 0.48, "new_number": 0.34,
        "new_tool": 0.58, "next_in_prev": -0.12, "next_in_reply": 0.48, "next_len": 0.09,
        "next_novel": 0.14, "positive": -1.08, "preference": 0.74, "prev_covered": -0.24,
        "pronoun_ref": 0.9, "question": -1.7, "reask_with_change": 0.39, "reply_covers_prev": 0.29,
        "reply_has_code": 0.16, "requery_cue": 0.4, "request_start": -0.45, "short": -0.01,
        "sim_prev_chars": -0.3, "thanks": -0.46, "thanks_but": 0.52, "thanks_then_ask": -0.28,
        "told_you": 0.14, "topic_switch": -0.12, "unrelated_statement": -0.47,
    },
    "new_topic": {
        "accept_share": -0.9, "challenge": -0.46, "contradicts_number": -0.07, "contrast": 0.32,
        "correction_cue": -1.05, "error_claim": -0.36, "error_shape": -0.1, "exclusion": -0.11,
        "fact_statement": -0.6, "failure": 0.03, "followup_start": 0.69, "forgot": -0.14,
        "imperative_fix": -0.27, "meant": -0.13, "neg_start": -0.23, "new_number": -0.07,
        "new_tool": 0.01, "next_in_prev": -1.15, "next_in_reply": -0.83, "next_len": 0.06,
        "next_novel": 0.92, "positive": -0.35, "preference": -0.55, "prev_covered": -0.79,
        "pronoun_ref": -0.28, "question": 1.7, "reask_with_change": -0.3, "reply_covers_prev": 0.2,
        "reply_has_code": 0.27, "requery_cue": -0.63, "request_start": 1.02, "short": -0.41,
        "sim_prev_chars": -0.62, "thanks": -0.6, "thanks_but": -0.06, "thanks_then_ask": 1.47,
        "told_you": -0.11, "topic_switch": 0.16, "unrelated_statement": 0.06,
    },
    "acceptance": {
        "accept_share": 1.82, "challenge": -0.01, "contradicts_number": 0.19, "contrast": -0.18,
        "correction_cue": -0.39, "error_claim": -0.08, "error_shape": -0.03, "exclusion": 0.06,
        "fact_statement": -0.07, "failure": -0.03, "followup_start": -0.21, "forgot": -0.04,
        "imperative_fix": -0.09, "meant": 0.15, "neg_start": -0.08, "new_number": -0.05,
        "new_tool": -0.51, "next_in_prev": -0.36, "next_in_reply": 0.1, "next_len": -0.37,
        "next_novel": 0.14, "positive": 2.09, "preference": -0.06, "prev_covered": -0.51,
        "pronoun_ref": -0.11, "question": -0.95, "reask_with_change": -0.02,
        "reply_covers_prev": -0.27, "reply_has_code": 0.43, "requery_cue": -0.3,
        "request_start": -0.37, "short": 0.46, "sim_prev_chars": -0.44, "thanks": 1.22,
        "thanks_but": -0.46, "thanks_then_ask": -0.66, "told_you": -0.03, "topic_switch": -0.04,
        "unrelated_statement": 0.69,
    },
}


_CORRECTION_CUES = (
    "neg_start", "challenge", "error_claim", "contrast", "meant", "imperative_fix", "new_number",
    *CHANGE_CUES,
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
