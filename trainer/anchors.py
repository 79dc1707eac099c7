"""Unrelated chat turns the adapter must keep answering as the base model does.

A topical lesson repeated for dozens of optimizer steps teaches more than the lesson: after
eight corrections that answer file searches with "Use ripgrep: `rg …`", the adapter answered
"How do I rename a file?" with ``rg`` too, and a lesson on installing Python packages put
the install command into a request to list files (issue 19: 5 of 34 unrelated prompts).
:mod:`trainer.replay` keeps general *prose* as the base predicts it, but it is plain text
without the chat template, so it says nothing about how the assistant opens a reply.

Here each optimizer step also takes one everyday request (``assets/anchor_prompts.txt``,
never a benchmark's prompt), rendered exactly as the runtime renders a turn without skills,
followed by the base model's own greedy reply to it, and penalises the KL divergence from the
base's next-token distributions over that reply (:func:`anchor_loss`). The adapter stays free
to change replies to what the user taught; on requests about something else it is pulled
back to what the base would say.

The base replies are generated once per base model and system prompt, then cached in the
trainer's cache folder (a few seconds of generation; a throw-away home pays it once per run).

An anchor must not be about what the user taught: "How do I make a new folder?" would fight
a lesson on making folders. So an anchor request is dropped when it is as close in meaning
to a taught request as that request's nearest other taught request is (it lies inside what
was taught; :func:`unrelated`, sentence embeddings of :mod:`app.model.embedder`). A lesson
that applies to every request (a tone, a closing line: see :class:`trainer.leaks.Lessons`)
belongs in these replies too; the anchors would fight it, so a run whose examples teach one
trains without anchors.

A community lesson needs more than that. Member B of issue 18, taught nothing, trained on a
member's eight "Use fd: …" answers and nothing of its own: with one anchor a step, most of
them about anything but the command line, the adapter answered "How do I move a file into
another folder?" with ``fd`` (5 of 13 leak probes) and the gate refused it. So each community
example in a step is also paired with a *near* anchor (``assets/near_anchors.txt``): an
everyday command-line request outside the lesson, answered by the base's own reply, which
teaches where the lesson stops on the very ground it leaked into. The near anchors are
written apart from the gate's probes (none within cosine 0.8 of one), so the leak check
stays a held-out measure.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import llama_cpp
import numpy as np
import torch
from llama_cpp import Llama

from app.atomic import write_text_atomic
from app.model.prompt import render_chat
from app.paths import assets_dir
from trainer.data import Encoder, TokenSequence
from trainer.frozen import Stack
from trainer.objectives import reply_logits

ANCHORS_FILE = "anchor_prompts.txt"
NEAR_ANCHORS_FILE = "near_anchors.txt"


def read_requests(name: str) -> list[str]:
    """The requests of an assets file: one a line, ``#`` lines and blank lines skipped."""
    text = (assets_dir() / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def unrelated(anchors: list[str], *groups: list[str]) -> list[str]:
    """The anchor requests that lie outside what was taught (all of them when the embedder
    cannot run): outside each group of taught requests, a group being the user's own
    lessons or one community skill's examples, and a group of fewer than two requests
    dropping nothing.

    Each group's reach is measured within it. Measured over all of them at once, a lone
    worked example of a second imported skill, its nearest other taught request far off,
    reached nearly everything: issue 18's member B kept 7 of 20 anchors and 8 of 15 leak
    probes because of one such example.
    """
    from app.model.embedder import EmbedderUnavailableError, load_embedder

    groups = tuple(g for g in (list(dict.fromkeys(group)) for group in groups) if len(g) >= 2)
    if not groups or not anchors:
        return anchors
    try:
        embedder = load_embedder()
    except EmbedderUnavailableError:
        return anchors
    try:
        far = embedder.embed(anchors)
        inside = np.zeros(len(anchors), dtype=bool)
        for taught in groups:
            near = embedder.embed(taught)
            within = near @ near.T
            np.fill_diagonal(within, -np.inf)
            reach = within.max(axis=1)  # each taught request's nearest other in its group
            inside |= (far @ near.T >= reach[None, :]).any(axis=1)
    finally:
        embedder.close()
    return [request for request, drop in zip(anchors, inside, strict=True) if not drop]


def render(request: str, system: str, encoder: Encoder) -> str:
    """``request`` as the runtime renders a new conversation's first turn, without skills."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": request}]
    return render_chat(messages, True, encoder.template, eos_token=encoder.eos_text)


def greedy_replies(
    model_path: Path,
    adapter: Path | None,
    prompts: list[str],
    encoder: Encoder,
    max_tokens: int,
    n_threads: int,
) -> list[str]:
    """The served model's greedy reply to each rendered prompt (with ``adapter`` if given),
    stopped at the end of the turn or after ``max_tokens`` tokens."""
    llm = Llama(
        model_path=str(model_path),
        lora_path=str(adapter) if adapter else None,
        n_ctx=max(encoder.max_len, 256) + max_tokens,
        n_threads=n_threads,
        n_threads_batch=n_threads,
        verbose=False,
    )
    try:
        vocab = llm._model.vocab
        replies = []
        for prompt in prompts:
            llm.reset()
            out: list[int] = []
            for token in llm.generate(encoder.tokens(prompt, prompt=True), temp=0.0):
                if llama_cpp.llama_vocab_is_eog(vocab, token) or llama_cpp.llama_vocab_is_control(
                    vocab, token
                ):
                    break
                out.append(token)
                if len(out) >= max_tokens:
                    break
            replies.append(llm.detokenize(out).decode("utf-8", errors="replace").strip())
        return replies
    finally:
        llm.close()


def base_replies(
    model_path: Path,
    base_sha256: str,
    requests: list[str],
    system: str,
    encoder: Encoder,
    max_tokens: int,
    n_threads: int,
    cache_dir: Path,
) -> dict[str, str]:
    """request → the base model's greedy reply, generated once and cached per base model,
    system prompt, chat template and reply length (any change makes a new cache file)."""
    key = json.dumps([base_sha256, system, encoder.template, max_tokens])
    path = cache_dir / f"base-replies-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    if not isinstance(cached, dict):
        cached = {}
    missing = [r for r in requests if not isinstance(cached.get(r), str)]
    if missing:
        prompts = [render(r, system, encoder) for r in missing]
        made = greedy_replies(model_path, None, prompts, encoder, max_tokens, n_threads)
        cached.update(zip(missing, made, strict=True))
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(cached, indent=1, sort_keys=True))
    return {r: cached[r] for r in requests}


def anchor_sequences(replies: dict[str, str], system: str, encoder: Encoder) -> list[TokenSequence]:
    """Each anchor request with the base's reply, tokenized as training examples are."""
    return [
        encoder.sequence(render(request, system, encoder), reply)
        for request, reply in replies.items()
        if reply
    ]


def anchor_loss(net: Stack, seq: TokenSequence) -> torch.Tensor:
    """Mean per-token KL(base ‖ adapted) over the reply positions of an anchor turn.

    Only the reply positions: they are where the adapter decides what the assistant says
    (the prompt positions would mostly repeat :mod:`trainer.replay`'s work on the system
    prompt). The forward direction weighs the positions where the base is confident, such
    as the reply's first words, which is where a leaked lesson shows first.
    """
    base = net.base_log_probs(seq.ids, seq.n_reply + 1)[:-1]
    adapted = torch.log_softmax(reply_logits(net, seq), -1)
    return (base.exp() * (base - adapted)).sum(-1).mean()
