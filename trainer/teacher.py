"""The teacher of a directive signal: the current model, given the user's hint, writes the reply.

A hinted example holds the request's prompt, the reply the user objected to and the user's
words about it ("I use uv, not pip"). What should the model have said? Not the stored
reply (it is the wrong one) and not the user's words (they are a remark, not an answer):
the reply the *current* model writes when it sees the hint — OpenClaw-RL's on-policy
teacher. It is written here, at training time, by the served GGUF with the active adapter
(exactly the model the user talks to), then checked against the hint
(:mod:`app.signals.hints`); only a checked reply teaches, and the student (the same prompt
without the hint) is trained towards it.

The teacher's context is the conversation as it happened (the request, the objected reply)
followed by the hint as the user's next turn, with one worked example of a correction being
followed placed after the system prompt. On the embedded 135M model the hint alone in
the system prompt was followed in 0 of 4 tool-choice cases, and a greedy reply after the
correction in 1 of 4; with the worked example, samples at temperature 0.8 followed it in
most tries (design notes, December 2026). So the greedy reply is tried first and then
``teacher_samples - 1`` seeded samples, and the first that passes the check is kept. When
the hint names a label line (``Summary:``) that a try lacks, the try with the label line
added where the hint wants it, its content written by the model, is checked too. When no
try passes and the hint says "X, not Y" (or "X instead of Y"), the tries with Y replaced
by X are the last candidates (greedy first) — the same hindsight relabelling a command fix gets
(``app.signals.examples.with_command``): on the 135M model no sampled reply ever named a
tool the user asked for in place of another (0 of 28 tries for uv/pip and ripgrep/grep).
A hint that names the user's own thing without what it replaces ("I use the fish shell")
gets one more try that opens with it ("Using fish shell: …") and lets the model go on.
A generation cut by the token limit is kept only up to its last complete line or sentence
(:func:`complete_part`) before it is checked, so a label line the hint wants at the end is
added after a finished answer rather than inside a cut code block, and nothing teaches the
student to stop mid-sentence.

Replies are cached per example, adapter, settings and ``TEACHER_VERSION``
(``cache/trainer/teacher.json``): a resumed or repeated run does not pay for them twice, a
new adapter asks again (the teacher is on-policy) and so does a changed check.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlite_utils
from llama_cpp import Llama

from app.atomic import write_text_atomic
from app.model.prompt import PromptError, render_chat
from app.signals.hint_swap import command_form, swap_terms
from app.signals.hint_terms import HintTerms, hint_terms
from app.signals.hint_words import sub_commands
from app.signals.hints import follows
from app.signals.owning_up import answer_only
from app.skills import said_habit
from app.skills.directive import Directive
from app.skills.synthesize import attach_checked_reply
from app.store.examples import signal_ids_of_example
from trainer.config import TrainConfig
from trainer.data import DataError, Encoder, Example
from trainer.leaks import request_of

CACHE_FILE = "teacher.json"
SAMPLE_TEMPERATURE = 0.8
LABEL_LINE_TOKENS = 32
RELABEL_AFTER = 2  # examples of one "X, not Y" relabelled with no unaided try: stop sampling
LOGGED_CHARS = 240  # of a hint and a reply in the run's live events, never in its metrics
_USER_TEXT = ("hint", "reply")
# Part of every cache key: a hit skips answer_only/degenerate/follows, so a change to what a
# reply must pass bumps this, or replies the new check refuses (or None where it now finds
# one) would be served, and trained on, for as long as the adapter stays the same.
TEACHER_VERSION = 7
_FIRST_SENTENCE = re.compile(r"(.{12,160}?[.!?])(?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?][\"')\]`*]*(?=\s|$)")
_LIST_MARKER = re.compile(r"\s*(?:[-*]\s*)?(?:\d+|[a-zA-Z])[.)]$")  # "2." is no sentence
_LOOP = re.compile(r"([^|]{2,24}?)\1{4,}", re.DOTALL)
_AT_START = re.compile(
    r"\b(?:start|begin|open|first)\w*\b(?!\s+with\b)|\bat the (?:top|start)\b", re.IGNORECASE
)
# Corrections being followed, in the shape of the teacher's own last turn (the user's
# words, then the request again): a tool named instead of another, and a line the user
# wants at the end. A reply that takes the words and answers the request again, without
# apologising or repeating them.
WORKED_EXAMPLE = (
    {"role": "user", "content": "How do I download a file from a URL?"},
    {"role": "assistant", "content": "Use wget:\n```bash\nwget https://example.com/f.zip\n```"},
    {
        "role": "user",
        "content": "I use curl, not wget. How do I download a file from a URL?",
    },
    {
        "role": "assistant",
        "content": "With curl:\n```bash\ncurl -O https://example.com/f.zip\n```\n"
        "It saves the file under its own name.",
    },
    {"role": "user", "content": "What is a variable?"},
    {"role": "assistant", "content": "A variable is a name for a value."},
    {
        "role": "user",
        "content": "always end your answer with a line that starts with Note:. What is a variable?",
    },
    {
        "role": "assistant",
        "content": "A variable is a name that holds a value, so you can use it later."
        "\n\nNote: the value can change.",
    },
)


@dataclass
class TeacherReport:
    """What the teacher did in one run, for the run's events and metrics."""

    asked: int = 0
    checked: int = 0
    failed: int = 0
    unchecked_hint: int = 0
    cached: int = 0
    samples: int = 0
    degenerate: int = 0  # tries that ran into a loop, never kept
    cut: int = 0  # generations cut by the token limit, kept up to their last complete line
    seconds: float = 0.0
    skills_given_examples: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    """Per hinted example: its id, the hint, the kept reply (else the last try) and their
    lengths, whether it followed the hint and how it was found (``greedy``, ``sampled``,
    ``label line``, ``relabelled``, ``opened with what it names``, ``cached``, ``failed``):
    why a lesson said in words did or did not teach. The texts are the user's and stay in
    the run's live events (:meth:`as_event`); the metrics keep the rest (:meth:`as_dict`)."""

    def log(
        self, example: Example, hint: str, found: str | None, how: str, tries: list[str]
    ) -> None:
        shown = found if found is not None else (tries[-1] if tries else "")
        self.examples.append(
            {
                "id": example.id,
                "hint": hint[:LOGGED_CHARS],
                "reply": shown[:LOGGED_CHARS],
                "followed": found is not None,
                "how": how,
                "tries": len(tries),
                "hint_chars": len(hint),
                "reply_chars": len(shown),
            }
        )

    def as_dict(self) -> dict[str, Any]:
        """What a run persists (``training_runs.metrics``, the adapter's ``metrics.json``):
        no user text, which deleting the example would leave behind (a secret in a hint)."""
        examples = [{k: v for k, v in e.items() if k not in _USER_TEXT} for e in self.examples]
        return {**self.__dict__, "examples": examples}

    def as_event(self) -> dict[str, Any]:
        """For the run's ``start`` and ``done`` events, which nothing writes to disk: with
        the hint and reply of each example, to read why a lesson did or did not teach."""
        return {**self.__dict__, "examples": list(self.examples)}


def complete_part(text: str) -> str:
    """``text``, cut by the token limit, up to where it could have ended: the last complete
    line outside a code block (or the last sentence end of its cut last line), without the
    lines that only introduced what was cut ("Here is an example:"); "" when nothing is
    complete. A cut reply is no reply to teach: trained on, it taught stopping mid-sentence
    or inside an unclosed code block, and a label line the hint wants at the end
    (``Summary:``), added after the cut, landed inside that code block: on ``say_summary``
    the held-out teacher reply was such a one, and the gate refused the adapter that had
    learned the lesson."""
    lines = text.split("\n")
    kept, at, in_code = 0, 0, False
    for i, line in enumerate(lines):
        if line.count("```") % 2:  # a fence, also one opened mid-line ("Using X: ```bash")
            in_code = not in_code
            if not in_code:
                kept = at + len(line)
        elif not in_code and i < len(lines) - 1:
            kept = at + len(line)
        elif not in_code:  # the line the limit cut: up to its last sentence end
            ends = [
                m.end()
                for m in _SENTENCE_END.finditer(line)
                if not _LIST_MARKER.fullmatch(line[: m.end()])
            ]
            if ends:
                kept = at + ends[-1]
        at += len(line) + 1
    out = text[:kept].rstrip()
    while out and out.splitlines()[-1].rstrip(" *_").endswith(":"):
        out = out[: out.rfind("\n") + 1 if "\n" in out else 0].rstrip()
    return out


def degenerate(reply: str) -> bool:
    """Whether ``reply`` runs into a loop: a short piece with two letters or more in it and
    no ``|`` written five times or more in a row ("httpx-dev-pip-pip-pip-pip-pip…"; a
    table row "| yes | yes | yes |…" is none). A small model's replies often end that way
    at the token limit; a teacher reply with such a loop taught it to the student and, as
    the skill's worked example, to the skills layer."""
    return any(sum(c.isalpha() for c in m.group(1)) >= 2 for m in _LOOP.finditer(reply))


def _split(template: str | None, eos: str, messages: list[dict[str, str]]) -> tuple[str, str]:
    """(text before, text after) a sentinel content in the last of ``messages``, rendered."""
    sentinel = "FLYWHEELTEACHERSENTINEL"
    last = {**messages[-1], "content": sentinel}
    rendered = render_chat([*messages[:-1], last], False, template, eos_token=eos)
    if rendered.count(sentinel) != 1:
        raise DataError("cannot place the teacher's turns into this chat format")
    before, after = rendered.split(sentinel)
    return before, after


def teacher_context(prompt: str, reply: str, hint: str, encoder: Encoder) -> str:
    """The prompt the teacher answers: the recorded one with the worked examples after the
    system prompt, the objected ``reply`` as the assistant's turn, and the user's ``hint``
    followed by the request again as the next user turn (asked after the hint alone, the
    small model talks about the hint instead of answering: "Yes, always end with …").
    Built on the recorded text, so everything else stays as the model saw it."""
    template, eos = encoder.template, encoder.eos_text
    system = {"role": "system", "content": "s"}
    head, system_end = _split(template, eos, [system])
    before_user, after_user = _split(template, eos, [system, {"role": "user", "content": "u"}])
    user_open = before_user[len(head) + 1 + len(system_end) :]
    user = {"role": "user", "content": "u"}
    closed = render_chat([system, user], False, template, eos_token=eos)
    generation = render_chat([system, user], True, template, eos_token=eos)[len(closed) :]
    if not prompt.startswith(head) or not prompt.endswith(after_user + generation):
        raise DataError("cannot place the teacher's turns into this prompt's chat format")
    if system_end not in prompt or not user_open or user_open not in prompt:
        raise DataError("cannot place the teacher's turns into this prompt's chat format")
    request_at = prompt.rindex(user_open) + len(user_open)
    request = prompt[request_at : len(prompt) - len(after_user + generation)]
    shot = render_chat([system, *WORKED_EXAMPLE], False, template, eos_token=eos)
    shot_turns = shot[len(render_chat([system], False, template, eos_token=eos)) :]
    after_system = prompt.index(system_end, len(head)) + len(system_end)
    again = f"{hint.rstrip('.!')}. {request}".strip()
    follow_up = render_chat(
        [system, user, {"role": "assistant", "content": reply}, {"role": "user", "content": again}],
        True,
        template,
        eos_token=eos,
    )[len(closed) + len(generation) :]
    return prompt[:after_system] + shot_turns + prompt[after_system:] + follow_up


def _swap_key(terms: HintTerms) -> tuple[tuple[str, str], ...]:
    """The hint's "X, not Y" pairs, as one lesson however it is worded."""
    return tuple(sorted((old.lower(), new.lower()) for old, new in terms.swaps))


def _cache_key(
    example: Example,
    adapter: Path | None,
    config: TrainConfig,
    forms: dict[str, str],
    swaps: tuple[tuple[str, str], ...] = (),
) -> str:
    digest = hashlib.sha256(example.dedup_key.encode())
    adapter_id = f"{adapter}:{adapter.stat().st_mtime_ns}" if adapter else "base"
    settings = f"{config.teacher_samples}|{config.teacher_tokens}"
    run = f"{sorted(forms.items())}" + (f"|{list(swaps)}" if swaps else "")
    digest.update(f"{TEACHER_VERSION}|{adapter_id}|{settings}|{run}".encode())
    return digest.hexdigest()


def _as_directive(example: Example, encoder: Encoder) -> Directive:
    """A hinted example as the spoken correction it came from."""
    request = request_of(example.prompt_plain or example.prompt, encoder)
    return Directive("verbal_correction", request, example.reply or "", hint=example.hint or "")


def run_swaps(examples: list[Example], encoder: Encoder) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per hinted example (by ``dedup_key``), the "X, not Y" of the spoken habit its words
    belong to (:mod:`app.skills.said_habit`): "trash-put, not rm" said twice holds for
    "use trash-put: `trash-put *.log`" too, whose words state no swap, as the habit skill's
    worked replies already take it. On ``say_trash`` the teacher checked 2 of 7 replies
    with each hint's own swaps alone."""
    said = {e.dedup_key: _as_directive(e, encoder) for e in examples if e.kind == "hinted"}
    shared = said_habit.key(list(said.values()))
    swaps = said_habit.habit_swaps(list(said.values()), shared)
    found = {}
    for key, directive in said.items():  # only its own habit's: doas and uv in one run
        own = tuple(p for p in swaps if said_habit.terms(p[1]) & said_habit.said(directive))
        if own:
            found[key] = own
    return found


def command_forms(
    examples: list[Example],
    encoder: Encoder,
    habits: dict[str, tuple[tuple[str, str], ...]] | None = None,
) -> dict[str, str]:
    """The command forms the user's own words show for each tool a hint of the run asks
    for in place of another (tool → ``uv add``): from the code of the hints and of the
    corrections (:func:`app.signals.hint_swap.command_form`). A relabelled reply runs the tool
    the way the user does, and never with a sub-command nobody wrote."""
    swaps = {
        (old.lower(), new.lower())
        for e in examples
        if e.kind == "hinted"
        for old, new in hint_terms(e.hint or "", e.reply or "").swaps
    } | {pair for swaps in (habits or {}).values() for pair in swaps}
    forms: dict[str, str] = {}
    for example in examples:
        text = example.hint if example.kind == "hinted" else example.target
        if not text or example.kind not in ("hinted", "sft") or example.origin is not None:
            continue
        request = request_of(example.prompt_plain or example.prompt, encoder)
        for old, tool in sorted(swaps):
            ran = sub_commands(example.reply or "", old)
            if tool not in forms and (form := command_form(text, tool, request, ran)):
                forms[tool] = form
    return forms


class Teacher:
    """The served model (with the active adapter) writing hint-following replies."""

    def __init__(
        self,
        model_path: Path,
        adapter: Path | None,
        encoder: Encoder,
        config: TrainConfig,
        cache_file: Path,
        n_threads: int,
    ) -> None:
        self.model_path, self.adapter, self.encoder = model_path, adapter, encoder
        self.config, self.cache_file, self.n_threads = config, cache_file, n_threads
        self._llm: Llama | None = None
        try:
            self._cache: dict[str, Any] = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._cache = {}
        self._used: set[str] = set()
        self._natural: dict[tuple[tuple[str, str], ...], list[bool]] = {}
        """Per "X, not Y" of this run: whether each example's reply followed it unaided."""
        self.forms: dict[str, str] = {}
        """How the user runs each tool asked for in place of another (:func:`command_forms`)."""
        self.swaps: dict[str, tuple[tuple[str, str], ...]] = {}
        """Per hinted example, the swaps of the spoken habit it belongs to (:func:`run_swaps`)."""
        self.report = TeacherReport()

    def _model(self) -> Llama:
        if self._llm is None:
            self._llm = Llama(
                model_path=str(self.model_path),
                lora_path=str(self.adapter) if self.adapter else None,
                n_ctx=2048,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
            )
        return self._llm

    def _generate(
        self, context: str, attempt: int, max_tokens: int, stop: list[str] | None = None
    ) -> str:
        llm = self._model()
        tokens = self.encoder.tokens(context, prompt=True)[-(2048 - max_tokens) :]
        out = llm.create_completion(
            tokens,
            max_tokens=max_tokens,
            temperature=0.0 if attempt == 0 else SAMPLE_TEMPERATURE,
            top_k=40,
            top_p=0.95,
            seed=self.config.seed + attempt,
            stop=[*([self.encoder.eot] if self.encoder.eot else []), *(stop or [])],
        )
        self.report.samples += 1
        choice = out["choices"][0]
        text = str(choice["text"]).strip()
        if choice.get("finish_reason") == "length":
            self.report.cut += 1
            return complete_part(text)
        return text

    def _guided(self, context: str, reply: str, terms: HintTerms) -> str | None:
        """``reply`` with the hint's labels (``Summary:``) written as lines where the
        hint puts them (first when it says start/begin, else last), each line finished by
        the model. A small model that does not place a format label on its own often
        writes the line's content once the label is there; when it ends the reply at the
        label instead, the line holds the reply's own first sentence."""
        labels = [t for t in terms.literal if t.endswith(":")]
        if not labels:
            return None
        at_start = _AT_START.search(terms.hint) is not None
        own = _FIRST_SENTENCE.match(" ".join(reply.split()))
        fallback = own.group(1) if own else ""
        for label in labels:
            if at_start:
                line = self._generate(context + label, 0, LABEL_LINE_TOKENS, ["\n"])
                reply = f"{label} {line or fallback}\n\n{reply}"
            else:
                body = f"{reply}\n\n{label}"
                line = self._generate(context + body, 0, LABEL_LINE_TOKENS, ["\n"])
                reply = f"{body} {line or fallback}"
        return reply.strip()

    def _tries(self, terms: HintTerms) -> int:
        """How many tries to ask before relabelling: ``teacher_samples``, but only the
        greedy one once ``RELABEL_AFTER`` examples of this run with the same "X, not Y"
        were all relabelled, none followed unaided. On ``say_uv`` no sample ever named uv:
        24 of the teacher's 32 generations (about 160 of its 217 s) were samples that could
        only end relabelled, and the greedy reply is the one relabelled first anyway."""
        history = self._natural.get(_swap_key(terms), [])
        if terms.swaps and len(history) >= RELABEL_AFTER and not any(history):
            return 1
        return self.config.teacher_samples

    def _write(self, context: str, terms: HintTerms) -> tuple[str | None, str, list[str]]:
        """(the first reply that follows the hint or ``None``, how it was found, every try)."""
        found, how, tries = self._search(context, terms)
        if terms.swaps:
            natural = how in ("greedy", "sampled", "label line")
            self._natural.setdefault(_swap_key(terms), []).append(natural)
        return found, how, tries

    def _search(self, context: str, terms: HintTerms) -> tuple[str | None, str, list[str]]:
        tries: list[str] = []
        for attempt in range(self._tries(terms)):
            text = answer_only(self._generate(context, attempt, self.config.teacher_tokens))
            if not text:  # cut before anything was complete, or only owning up
                continue
            if degenerate(text):  # not a reply to teach, even relabelled
                self.report.degenerate += 1
                continue
            tries.append(text)
            if follows(text, terms):
                return text, "greedy" if attempt == 0 else "sampled", tries
            guided = self._guided(context, text, terms)
            if guided is not None and follows(guided, terms):
                return guided, "label line", tries
        relabelled = (swap_terms(text, terms, self.forms) for text in tries)
        found = next((t for t in relabelled if t and follows(t, terms)), None)
        if found is not None:
            return found, "relabelled", tries
        if terms.named:
            opening = f"Using {terms.named}: "
            text = opening + self._generate(context + opening, 0, self.config.teacher_tokens)
            tries.append(text)
            for opened in (text, swap_terms(text, terms, self.forms)):  # Y may follow "X:"
                if opened and follows(opened, terms):
                    return opened, "opened with what it names", tries
        return None, "failed", tries

    def reply(self, example: Example) -> tuple[str, str] | None:
        """(checked reply, the context it was written in), or ``None`` when no try of the
        teacher followed the hint (or the hint names nothing to check)."""
        hint, original = example.hint or "", example.reply or ""
        swaps = self.swaps.get(example.dedup_key, ())
        # the check reads the words and the reply they corrected, not the request
        terms = said_habit.wish(Directive("verbal_correction", original=original, hint=hint),
                                swaps)
        if not terms.checkable:
            self.report.unchecked_hint += 1
            self.report.log(example, hint, None, "the hint names nothing to check", [])
            return None
        context = teacher_context(example.prompt, original, hint, self.encoder)
        key = _cache_key(example, self.adapter, self.config, self.forms, swaps)
        self.report.asked += 1
        self._used.add(key)
        if key in self._cache:
            self.report.cached += 1
            found, how, tries = self._cache[key], "cached", []
        else:
            found, how, tries = self._write(context, terms)
            self._cache[key] = found
        self.report.log(example, hint, found, how, tries)
        if found is None:
            self.report.failed += 1
            return None
        self.report.checked += 1
        return found, context

    def teach(self, examples: list[Example]) -> list[Example]:
        """The examples with each hinted one given its checked teacher reply (``target``) and
        teacher context (``hint_context``); hinted ones without a checked reply are left out."""
        began = time.perf_counter()
        out: list[Example] = []
        self.swaps = run_swaps(examples, self.encoder)
        self.forms = command_forms(examples, self.encoder, self.swaps)
        try:
            for example in examples:
                if example.kind != "hinted":
                    out.append(example)
                    continue
                try:
                    taught = self.reply(example)
                except (DataError, PromptError) as exc:  # logged, not lost without a word
                    self.report.log(example, example.hint or "", None, f"no context: {exc}", [])
                    taught = None
                if taught is not None:
                    out.append(replace(example, target=taught[0], hint_context=taught[1]))
        finally:
            self.report.seconds += time.perf_counter() - began
        return out

    def close(self) -> None:
        """Free the model and keep this run's replies for the next run (only those: an
        example deleted since, or an adapter replaced, leaves nothing behind)."""
        if self._llm is not None:
            self._llm.close()
            self._llm = None
        kept = {key: self._cache[key] for key in self._used if key in self._cache}
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.cache_file, json.dumps(kept))


def teach_all(
    examples: list[Example],
    model_path: Path,
    adapter: Path | None,
    encoder: Encoder,
    config: TrainConfig,
    cache_file: Path,
    n_threads: int,
) -> tuple[list[Example], TeacherReport]:
    """The examples taught by the served model with ``adapter`` (see :meth:`Teacher.teach`),
    and what the teacher did. Run before the held-out split, so that the split sees only
    hinted examples that have a checked reply (``trainer.data.split_holdout``)."""
    teacher = Teacher(model_path, adapter, encoder, config, cache_file, n_threads)
    try:
        return teacher.teach(examples), teacher.report
    finally:
        teacher.close()


def write_back(db: sqlite_utils.Database, examples: list[Example]) -> int:
    """Give the skills made from these hinted examples' signals their checked teacher reply
    as a worked example (:func:`app.skills.synthesize.attach_checked_reply`); returns how
    many skills changed.

    The chat already offers the model's own answer to a correction as the example, but a
    small model often misses the hint in one greedy try; the teacher tries several times,
    so a skill whose lesson was said in words gets its real reply here at the latest.
    """
    changed = 0
    for example in examples:
        if example.kind != "hinted" or not example.target:
            continue
        for signal_id in signal_ids_of_example(db, example.id):
            if attach_checked_reply(db, signal_id, example.target) is not None:
                changed += 1
    return changed
