"""Lessons of any shape: what a user adds, removes or replaces, correction after correction.

One correction says how one reply should have read; it cannot tell the lesson from the
rewrite around it. A lesson is what recurs: the edit (corrected reply against the reply it
replaced) that at least :data:`MIN_SUPPORT` corrections make. Each reply is read as a set
of *features* — its words and code words, its phrases of two to four words, its opening
words, its closing words (a sign-off), the label of its closing line, the unit after each
number, and whether it is a single sentence — and each correction as the features it added
and the ones it took out. One general rule then names every shape: the feature added (or
taken out) in the most corrections. A substitution is an added feature whose corrections
took out the same other one each time (`grep` → `rg`, miles → km).

No rule per shape decides which lesson wins: support does, then how specific the feature
is (an opening says where the words go, a phrase says more than one of its words). A
feature counts only when the user *added* it, and it must be added in at least half of the
corrected replies that carry it, so words the model writes anyway ("file", "command") are
no lesson however often they recur. A lesson the rules cannot put in words still has its
examples: the skill made of it shows them.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.skills.retrieve import STOP_WORDS

MIN_SUPPORT = 3
MAX_LEAD_WORDS = 6
MAX_PHRASE_WORDS = 4
MIN_PRECISION = 0.5
MAX_SENTENCE_WORDS = 30
MIN_EDIT_SIMILARITY = 0.5

# How much a kind says when two features have the same support: where the words go, then
# a unit, the reply's form (short corrections are often one sentence whatever they teach),
# a phrase over a single word, a removal last.
_PRIORITY = {
    "lead": 6, "close": 6, "end": 6, "unit": 5, "form": 4, "phrase": 3, "word": 2, "drop": 1
}
MAX_ALSO = 2
# The shape of a whole reply: key -> (the lesson, what goes against it, the word naming it).
_FORMS = {
    "one sentence": ("Answer in one sentence.", "Answering in several sentences.", "sentence"),
    "numbered list": ("Answer as a numbered list.", "Answering without a numbered list.", "list"),
    "bullet list": ("Answer as a bulleted list.", "Answering without a bulleted list.", "list"),
    "code block": (
        "Put the command or code in a code block.",
        "Giving a command or code outside a code block.",
        "code block",
    ),
}
_NUMBERED = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*•]\s", re.MULTILINE)
_REPLACEABLE = ("word", "unit")

_TOKEN = re.compile(r"\w[\w.+#/-]*\w|\w|[^\w\s`.,;:!?]{2,}")
_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]+`", re.DOTALL)
_NUMBER_UNIT = re.compile(r"\d(?:[\d,.]*\d)?\s?([A-Za-z°%µ][\w/°²³]*)")
_LABEL = re.compile(r"^\W*([A-Za-z][\w ]{0,30}?):")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")

Feature = tuple[str, str]  # (kind, normalised key)


@dataclass(frozen=True)
class Lesson:
    """One recurring edit. ``text`` is the feature as the user wrote it; ``old`` what it
    replaces (a substitution), ``code`` whether it is written as code; ``also``: other
    edits the very same corrections made (a unit and one sentence), said with it."""

    kind: str
    key: str
    text: str
    old: str = ""
    code: bool = False
    also: tuple[Lesson, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lesson | None:
        """The lesson a skill file keeps; ``None`` for one that is not a lesson (hand-edited)."""
        kind, key, text = data.get("kind"), data.get("key"), data.get("text")
        if kind not in _PRIORITY or not isinstance(key, str) or not isinstance(text, str):
            return None
        also = data.get("also") if isinstance(data.get("also"), list) else []
        more = tuple(x for x in (cls.from_dict(d) for d in also if isinstance(d, dict)) if x)
        return cls(kind, key, text, str(data.get("old") or ""), bool(data.get("code")), more)

    def present(self, reply: str) -> bool:
        """Whether ``reply`` carries the lesson's feature (for ``drop``: the unwanted one)."""
        return (self._feature_kind, self.key) in features(reply)

    @property
    def _feature_kind(self) -> str:
        if self.kind != "drop":
            return self.kind
        return "phrase" if " " in self.key else "word"

    def shown_by(self, original: str, corrected: str) -> bool:
        """Whether a correction follows the lesson: takes the unwanted feature out, or ends
        with the wanted one (and without what it replaces; a command only as code: "to find
        them, run `fd`" follows `fd` instead of `find`)."""
        if self.kind == "drop":
            return self.present(original) and not self.present(corrected)
        if (self.kind, self.key) not in features(corrected):
            return False
        if not self.old:
            return True
        if self.code:
            return self.old.lower() not in _code_words(corrected)
        return ("word", self.old.lower()) not in features(corrected)

    def contradicted_by(self, original: str, corrected: str) -> bool:
        """Whether a correction goes against the lesson: takes out a reply's wanted feature,
        or puts the unwanted one in."""
        if self.kind == "drop":
            return not self.present(original) and self.present(corrected)
        return self.present(original) and not self.present(corrected)

    @property
    def _shown(self) -> str:
        return f"`{self.text}`" if self.code else f"“{self.text}”"

    @property
    def _old_shown(self) -> str:
        return f"`{self.old}`" if self.code else f"“{self.old}”"

    @property
    def summary(self) -> str:
        """The lesson in a sentence or two (the skill's description starts with it)."""
        return " ".join(lesson.sentence for lesson in (self, *self.also))

    @property
    def sentence(self) -> str:
        """This edit alone as one sentence."""
        instead = f" instead of {self._old_shown}" if self.old else ""
        if self.kind == "lead":
            return f"Start the reply with {self._shown}."
        if self.kind == "close":
            return f"End the reply with one line that starts with {self._shown}."
        if self.kind == "end":
            return f"End the reply with {self._shown}."
        if self.kind == "form":
            return _FORMS[self.key][0]
        if self.kind == "unit":
            return f"Give quantities in {self.text}{instead}."
        if self.kind == "drop":
            return f"Leave out {self._shown}."
        if self.kind == "phrase":
            return f"Include {self._shown}{instead}."
        if self.text[:1].isupper() and not self.code:
            return f"Say {self._shown}{instead}: the user's own word for it."
        return f"Use {self._shown}{instead}."

    @property
    def named(self) -> str:
        """The word any sentence stating the lesson must contain."""
        return _FORMS[self.key][2] if self.kind == "form" else self.text

    @property
    def lesson(self) -> str:
        """The Lesson section: a line per edit."""
        lines = [f"- {self.sentence}"]
        return "\n".join(lines + [f"- {lesson.sentence}" for lesson in self.also])

    @property
    def anti_pattern(self) -> str:
        if self.kind == "lead":
            return f"Answering without starting with {self._shown}."
        if self.kind == "close":
            return f"Ending the reply without the {self._shown} line."
        if self.kind == "end":
            return f"Ending the reply without {self._shown}."
        if self.kind == "form":
            return _FORMS[self.key][1]
        if self.kind == "drop":
            return f"Replying with {self._shown}."
        if self.old:
            return f"Using {self._old_shown}."
        return f"Answering without {self._shown}."

    @property
    def name(self) -> str:
        """A skill name that says the lesson (``start-with-use-ripgrep``, ``use-rg-not-grep``)."""
        words = re.sub(r"\W+", " ", self.text).strip()
        verb = {
            "lead": "start-with",
            "close": "end-with",
            "end": "end-with",
            "unit": "give",
            "drop": "leave-out",
            "phrase": "include",
        }
        if self.kind == "form":
            return _FORMS[self.key][0].rstrip(".")
        if not words:
            return "code-style" if self.code else f"{self.kind}-habit"
        return f"{verb.get(self.kind, 'use')} {words}" + (f" not {self.old}" if self.old else "")


def _tokens(text: str) -> list[str]:
    return [t.lower().rstrip(".") or t for t in _TOKEN.findall(text)]


def _meaningful(words: Iterable[str]) -> bool:
    return any(w not in STOP_WORDS and not w.replace(",", "").isdigit() for w in words)


def _lead(text: str) -> dict[Feature, str]:
    """The reply's first one to :data:`MAX_LEAD_WORDS` words (code ends an opening: the same
    command in two replies is the same answer, not a habit), when more words follow."""
    words = text.split()
    found: dict[Feature, str] = {}
    for size in range(1, min(MAX_LEAD_WORDS, len(words) - 1) + 1):
        if "`" in words[size - 1]:
            break
        key = [re.sub(r"[^\w]", "", w.lower()) for w in words[:size]]
        if not key[-1] or not _meaningful(key):
            continue
        found[("lead", " ".join(key))] = " ".join(words[:size]).rstrip(",;")
    return found


def _ending(text: str) -> dict[Feature, str]:
    """The reply's last one to :data:`MAX_LEAD_WORDS` words (a sign-off, "Happy hacking!"),
    when more words come before them; code ends them, as it ends an opening."""
    words = text.split()
    found: dict[Feature, str] = {}
    for size in range(1, min(MAX_LEAD_WORDS, len(words) - 1) + 1):
        if "`" in words[-size]:
            break
        key = [re.sub(r"[^\w]", "", w.lower()) for w in words[-size:]]
        if not key[0] or not _meaningful(key):
            continue
        found[("end", " ".join(k for k in key if k))] = " ".join(words[-size:])
    return found


def _closing(text: str) -> dict[Feature, str]:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    match = _LABEL.match(lines[-1]) if len(lines) >= 2 else None
    if not match:
        return {}
    label = f"{match.group(1).strip()}:"
    return {("close", label.lower()): label}


def _one_sentence(text: str) -> bool:
    """A reply of one short sentence of prose (code and lists are never "one sentence")."""
    flat = text.strip()
    if not flat or "\n" in flat or "`" in flat or len(flat.split()) > MAX_SENTENCE_WORDS:
        return False
    return len(_SENTENCE_END.findall(flat)) <= 1


@functools.lru_cache(maxsize=256)
def features(text: str) -> Mapping[Feature, str]:
    """Every feature of a reply, each with the words it was written in (cached: a reply is
    read again for every correction that might share its lesson; do not change it)."""
    found: dict[Feature, str] = {}
    raw = _TOKEN.findall(text)
    words = _tokens(text)
    for token, word in zip(raw, words, strict=True):
        if word not in STOP_WORDS and not word.replace(",", "").isdigit():
            found.setdefault(("word", word), token.rstrip("."))
    for size in range(2, MAX_PHRASE_WORDS + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if _meaningful(gram) and all(w[:1].isalnum() for w in gram):
                found.setdefault(("phrase", " ".join(gram)), " ".join(raw[start : start + size]))
    for match in _NUMBER_UNIT.finditer(_CODE.sub(" ", text)):
        unit = match.group(1).rstrip(".")
        if unit.lower() not in STOP_WORDS:
            found.setdefault(("unit", unit.lower()), unit)
    found.update(_lead(text))
    found.update(_ending(text))
    found.update(_closing(text))
    found.update({("form", form): form for form in _forms(text)})
    return found


def _forms(text: str) -> list[str]:
    """The shapes of a whole reply: one sentence, a numbered or bulleted list (two items or
    more), a code block."""
    forms = ["one sentence"] if _one_sentence(text) else []
    if len(_NUMBERED.findall(text)) >= 2:
        forms.append("numbered list")
    if len(_BULLET.findall(text)) >= 2:
        forms.append("bullet list")
    if "```" in text:
        forms.append("code block")
    return forms


def edit(
    original: str, corrected: str, taught: Iterable[Feature] = ()
) -> tuple[dict[Feature, str], dict[Feature, str]]:
    """What one correction added and what it took out (features, with their words).

    A feature the user added in an earlier correction (``taught``) counts as added again
    when the reply already had it: the reply most likely copied it from the skill that
    earlier correction made, and the user kept it.
    """
    before, after = features(original), features(corrected)
    kept = set(taught)
    added = {k: v for k, v in after.items() if k not in before or k in kept}
    removed = {k: v for k, v in before.items() if k not in after and k[0] in ("word", "phrase")}
    return added, removed


def _edited(original: str, corrected: str) -> bool:
    """Whether the user edited the reply rather than rewrote it (most of its words kept, by
    :class:`difflib.SequenceMatcher`). Only an edit says a word was taken out on purpose: a
    rewrite drops every word of the reply, and the model's own filler would pass for a
    lesson."""
    matcher = difflib.SequenceMatcher(a=_tokens(original), b=_tokens(corrected), autojunk=False)
    return matcher.ratio() >= MIN_EDIT_SIMILARITY


def _code_words(text: str) -> set[str]:
    return {t for span in _CODE.findall(text) for t in _tokens(span.strip("`"))}


def _longest_phrase(key: str, replies: list[str]) -> str:
    """``key`` grown word by word while every reply has the same word next to it (phrases
    are indexed up to :data:`MAX_PHRASE_WORDS` words; "as always, check the label first" is
    one lesson, not three), as a reply writes it mid-sentence."""
    size = len(key.split())
    spans: list[tuple[list[str], int, int]] = []
    for reply in replies:
        words = _tokens(reply)
        start = next(i for i in range(len(words)) if " ".join(words[i : i + size]) == key)
        spans.append((words, start, start + size))

    def next_word(words: list[str], start: int, end: int, step: int) -> str | None:
        at = start - 1 if step < 0 else end
        return words[at] if 0 <= at < len(words) and words[at][:1].isalnum() else None

    for step in (-1, 1):
        while True:
            found = {next_word(*span, step) for span in spans}
            if len(found) != 1 or None in found:
                break
            spans = [(w, s - (step < 0), e + (step > 0)) for w, s, e in spans]
    written = []
    for reply, (_, start, end) in zip(replies, spans, strict=True):
        tokens = list(_TOKEN.finditer(reply))
        written.append(reply[tokens[start].start() : tokens[end - 1].end()])
    return next((w for w in written if w[:1].islower()), written[0])


def _removed_units(original: str, corrected: str) -> dict[Feature, str]:
    after = features(corrected)
    return {k: v for k, v in features(original).items() if k[0] == "unit" and k not in after}


def _substitute(
    feature: Feature,
    supporters: list[int],
    pairs: Sequence[tuple[str, str]],
    edits: Sequence[tuple[dict, dict]],
    code: bool,
) -> str:
    """What the supporting corrections took out in place of ``feature``: one of its kind
    removed by at least :data:`MIN_SUPPORT` of them — for a command, a word the replies
    wrote as code (`find`, not the "command" around it); for a unit, a unit (miles, not the
    "approximately" a rewrite also dropped)."""
    if feature[0] not in _REPLACEABLE:
        return ""
    counts: Counter[Feature] = Counter()
    shown: dict[Feature, str] = {}
    for i in supporters:
        in_code = _code_words(pairs[i][0]) if code else set()
        gone = edits[i][1] if feature[0] == "word" else _removed_units(*pairs[i])
        for removed, text in gone.items():
            if removed[0] == feature[0] and removed[1] != feature[1]:
                if code and removed[1] not in in_code:
                    continue
                counts[removed] += 1
                shown[removed] = text
    best = [f for f, n in counts.most_common() if n >= MIN_SUPPORT]
    return shown[best[0]] if best else ""


def find_lesson(
    pairs: Sequence[tuple[str, str]], new: tuple[str, str] | None = None
) -> tuple[Lesson, list[int]] | None:
    """The edit at least :data:`MIN_SUPPORT` of the ``(original, corrected)`` pairs (oldest
    first) make, with the indexes of those pairs; ``new`` (one of them) must make it.

    ``None`` when nothing recurs: two unrelated corrections teach no lesson, and neither do
    two related ones (two are a coincidence as often as a habit).
    """
    edits: list[tuple[dict[Feature, str], dict[Feature, str]]] = []
    taught: set[Feature] = set()
    for original, corrected in pairs:  # oldest first: what earlier corrections taught
        edits.append(edit(original, corrected, taught))
        taught |= set(edits[-1][0])
    carried: Counter[Feature] = Counter(f for _, c in pairs for f in features(c))
    added: Counter[Feature] = Counter(f for a, _ in edits for f in a)
    dropped: Counter[str] = Counter(
        f[1] for (_, r), pair in zip(edits, pairs, strict=True) if _edited(*pair) for f in r
    )
    candidates: dict[Feature, str] = {}
    mine = [edits[len(pairs) - 1 - pairs[::-1].index(new)]] if new is not None else edits
    for a, r in mine:
        candidates.update(a)
        candidates.update({("drop", k[1]): v for k, v in r.items()})

    def support(feature: Feature) -> int:
        if feature[0] == "drop":
            return dropped[feature[1]]
        if added[feature] < MIN_PRECISION * carried[feature]:
            return 0
        return added[feature]

    def rank(feature: Feature) -> tuple[bool, int, int, int]:
        """Support first, but a removal only when nothing added recurs (a long reply cut
        short loses many words; the lesson is what the user put in its place)."""
        return (feature[0] != "drop", support(feature), _PRIORITY[feature[0]], len(feature[1]))

    recurring = [f for f in candidates if support(f) >= MIN_SUPPORT]
    if not recurring:
        return None
    best = max(recurring, key=rank)
    if best[0] == "drop":
        source = [
            i
            for i, (_, r) in enumerate(edits)
            if any(f[1] == best[1] for f in r) and _edited(*pairs[i])
        ]
    else:
        source = [i for i, (a, _) in enumerate(edits) if best in a]
    code = any(best[1] in _code_words(pairs[i][best[0] != "drop"]) for i in source)
    old = _substitute(best, source, pairs, edits, code)
    side = 0 if best[0] == "drop" else 1
    phrase = " " in best[1] and best[0] in ("phrase", "drop")
    text = _longest_phrase(best[1], [pairs[i][side] for i in source]) if phrase else ""
    lesson = Lesson(best[0], best[1], text or candidates[best], old, code)
    also = []
    for other in sorted(recurring, key=rank, reverse=True):
        if len(also) == MAX_ALSO or other == best or support(other) < support(best):
            continue
        other_code = any(other[1] in _code_words(pairs[i][1]) for i in source)
        other_old = _substitute(other, source, pairs, edits, other_code)
        said = " ".join(x.text.lower() for x in (lesson, *also))
        if (other[0] in ("lead", "close", "end", "unit", "form") or other_old) and (
            candidates[other].lower() not in said
        ):
            also.append(Lesson(other[0], other[1], candidates[other], other_old, other_code))
    lesson = Lesson(lesson.kind, lesson.key, lesson.text, lesson.old, lesson.code, tuple(also))
    shown = [i for i, (before, after) in enumerate(pairs) if lesson.shown_by(before, after)]
    return lesson, shown
