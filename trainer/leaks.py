"""What a lesson adds, where it belongs, and the gate's check that it stays there.

A correction replaces the model's reply with the user's; a lesson is what recurs in those
replacements: ``rg`` and ``ripgrep`` in eight answers about searching files, "arr" and
"matey" in eight answers about anything. Its *markers* are the words found in the wanted
replies of at least :data:`MIN_SUPPORT` requests and in the replies the user turned down for
fewer than half as many, so words any answer uses ("the", "file") are not markers, while a
lesson the skills layer already got the model to follow in some turned-down replies is.
Where a marker belongs follows from the requests that taught it, decided as the
skills layer decides it (:func:`app.skills.habit.applies`): requests that share a topic make
it *topical*; requests that share none make it *standing* (a tone, a closing line), and a
standing lesson belongs in every reply.

The gate then asks the candidate adapter a few unrelated requests (``assets/leak_probes.txt``,
distinct from the training anchors and from every benchmark scenario) and refuses it when a
reply carries a topical marker that the base model's reply to the same request lacks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.model.prompt import PromptError, render_chat
from app.skills.habit import applies
from app.skills.retrieve import STOP_WORDS, stem
from app.skills.skill import APPLIES_ALWAYS
from trainer.anchors import greedy_replies, read_requests, render
from trainer.data import Encoder, Example

PROBES_FILE = "leak_probes.txt"
MIN_SUPPORT = 3
_WORD = re.compile(r"[a-z0-9_]+(?:[-.][a-z0-9_]+)*")
_SENTINEL = "FLYWHEELREQUESTSENTINEL"


def words(text: str) -> set[str]:
    """The words and command names of ``text``, lower-cased, without stop words."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS}


def request_of(prompt: str, encoder: Encoder) -> str:
    """The user's last message in a rendered prompt (the whole prompt if the chat format
    cannot be told apart): what the request was, for deciding where a lesson belongs."""
    try:
        system = render_chat(
            [{"role": "system", "content": "s"}],
            False,
            encoder.template,
            eos_token=encoder.eos_text,
        )
        turn = render_chat(
            [{"role": "system", "content": "s"}, {"role": "user", "content": _SENTINEL}],
            True,
            encoder.template,
            eos_token=encoder.eos_text,
        )
    except PromptError:
        return prompt
    if not turn.startswith(system) or _SENTINEL not in turn:
        return prompt
    head, tail = turn[len(system) :].split(_SENTINEL, 1)
    if not head or not prompt.endswith(tail):
        return prompt
    body = prompt[: len(prompt) - len(tail)]
    start = body.rfind(head)
    return body[start + len(head) :] if start >= 0 else prompt


@dataclass
class Lessons:
    """The markers of the examples' lessons, split by where they belong."""

    topical: dict[str, list[str]] = field(default_factory=dict)  # marker → its requests
    standing: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"topical": sorted(self.topical), "standing": sorted(self.standing)}


def lessons(
    examples: list[Example], encoder: Encoder, said: dict[str, str] | None = None
) -> Lessons:
    """The markers of what the examples consistently add, topical or standing.

    ``said`` maps a request to what the model says to it (the base's reply): it stands for
    the turned-down reply of an example that has none, such as a community worked example,
    so that words any answer to such requests uses ("files", "command") are not markers.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    turned_down: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        request = request_of(example.prompt_plain or example.prompt, encoder)
        if example.desired:
            wanted[request] |= words(example.desired)
        # a hinted example's reply is the one the user objected to, its desired the teacher's
        texts = [example.rejected, example.reply if example.reply != example.desired else None]
        if not any(texts) and said:
            texts = [said.get(request)]
        for text in texts:
            if text:
                turned_down[request] |= words(text)
    support: dict[str, list[str]] = defaultdict(list)
    refused: dict[str, int] = defaultdict(int)
    for found in turned_down.values():
        for word in found:
            refused[word] += 1
    for request, found in wanted.items():
        for word in found:
            support[word].append(request)
    support = {w: r for w, r in support.items() if refused[w] * 2 < len(r)}
    out = Lessons()
    for word, requests in support.items():
        if len(requests) >= MIN_SUPPORT:
            where = out.standing if applies(requests) == APPLIES_ALWAYS else out.topical
            where[word] = requests
    return out


def with_community(
    own: Lessons, community: list[Example], said: dict[str, str], encoder: Encoder
) -> Lessons:
    """``own`` with the markers of the community examples a run trains on, all topical.

    An imported skill is topical whatever it teaches (only the receiving user can make it
    apply always), so its lesson never belongs in every reply: issue 18's member B, taught
    nothing, trained on a member's eight "Use fd: …" answers and the adapter then answered
    "how much disk space is free?" with ``fd``, while the leak check, asked with markers of
    B's own lessons only, had none and asked nothing. ``said``: the base's replies to the
    community requests, the contrast :func:`lessons` needs.
    """
    theirs = lessons(community, encoder, said)
    return Lessons(
        topical={**theirs.standing, **theirs.topical, **own.topical}, standing=own.standing
    )


def standing(examples: list[Example], encoder: Encoder) -> bool:
    """Whether the examples teach a lesson meant for every reply."""
    return bool(lessons(examples, encoder).standing)


def leaked(
    markers: set[str], requests: list[str], replies: list[str], base: dict[str, str]
) -> list[dict[str, Any]]:
    """The probes whose reply carries a marker the base model's reply to them lacks.

    A marker the probe's request names itself (in any inflection: "lines" for "line") is no
    sign of a leak: a reply about what was asked may use the word whatever the lesson.
    """
    found = []
    for request, reply in zip(requests, replies, strict=True):
        asked = {stem(w) for w in words(request)}
        new = sorted(
            w
            for w in (markers & words(reply)) - words(base.get(request, ""))
            if stem(w) not in asked
        )
        if new:
            found.append({"request": request, "reply": reply, "markers": new})
    return found


def probe(
    model_path: Path,
    candidate: Path,
    topical: set[str],
    base: dict[str, str],
    system: str,
    encoder: Encoder,
    max_tokens: int,
    n_threads: int,
) -> dict[str, Any]:
    """Ask the candidate the probe requests; the leaks found (none asked without markers)."""
    requests = list(base)
    if not topical:
        return {"probes": len(requests), "leaks": []}
    prompts = [render(r, system, encoder) for r in requests]
    replies = greedy_replies(model_path, candidate, prompts, encoder, max_tokens, n_threads)
    return {"probes": len(requests), "leaks": leaked(topical, requests, replies, base)}


def probe_requests() -> list[str]:
    return read_requests(PROBES_FILE)


def judge(verdict: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """The gate's verdict with the leak check applied: a candidate that would be promoted is
    refused when a reply to an unrelated request carries its lesson."""
    out = {**verdict, "leaks": found}
    if verdict["promote"] and found["leaks"]:
        first = found["leaks"][0]
        out["promote"] = False
        out["reason"] = (
            f"the lesson leaks into unrelated replies ({len(found['leaks'])} of "
            f"{found['probes']}; asked {first['request']!r}, the reply carried "
            f"{', '.join(first['markers'])})"
        )
    return out
