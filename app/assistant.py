"""One assistant turn, shared by the terminal chat and the desktop window.

Both front ends must record turns the same way (the prompt the model saw, the model and
adapter that answered, speed) because the learning loop later rebuilds training examples
from exactly these rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from app.model.catalog import embedded_model_path
from app.model.prompt import DEFAULT_SYSTEM_PROMPT
from app.model.runtime import ModelRuntime, PrefillProgress
from app.settings import Settings
from app.signals import capture
from app.skills import outcomes
from app.skills.injection import demonstrations, key_terms, skills_prompt_section
from app.skills.learn import learn_from_signals
from app.skills.retrieve import RetrievedSkill, retrieve
from app.skills.synthesize import attach_checked_reply
from app.store import conversations as conv

# A yes/no question needs a word; a few tokens leave room for "Yes." or a leading space.
ASK_TOKENS = 4


def configured_model_path(settings: Settings) -> Path:
    """The GGUF the user chose, or the embedded default when none is set."""
    return Path(settings.model.path).expanduser() if settings.model.path else embedded_model_path()


def configured_system_prompt(settings: Settings) -> str:
    """The user's system prompt, or the shipped default when none is set.

    Every turn records the prompt it rendered with this text, and the trainer trains on those
    recorded prompts, so a custom system prompt reaches training byte for byte.
    """
    return settings.model.system_prompt.strip() or DEFAULT_SYSTEM_PROMPT


def configured_threads(settings: Settings) -> int | None:
    """The thread count the user set; ``None`` (automatic) means the cores free at each turn."""
    return settings.model.threads if settings.model.threads > 0 else None


def runtime_from_settings(settings: Settings) -> ModelRuntime:
    """A runtime configured from settings (not loaded yet: loading is slow, do it off the UI)."""
    return ModelRuntime(
        configured_model_path(settings),
        n_threads=configured_threads(settings),
        n_ctx=settings.model.context_size,
        n_gpu_layers=settings.model.gpu_layers,
    )


def complete(runtime: ModelRuntime, prompt: str, max_tokens: int = 160) -> str:
    """The model's greedy answer to one ``prompt``, with no history, skills or system
    prompt: a question Flywheel itself asks (a habit's wording), not a chat turn."""
    pieces = runtime.stream_chat(
        [{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0.0
    )
    return "".join(pieces)


def chat_messages(
    path: list[dict[str, Any]],
    system_prompt: str,
    examples: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """The model's view of a conversation path: the system prompt, the skills' example
    turns, then each message.

    A corrected reply is shown to the model as corrected: the user said that is what the
    assistant should have said, so later turns build on it.
    """
    messages = [{"role": "system", "content": system_prompt}, *(examples or [])]
    for row in path:
        if row["role"] == "system":
            continue
        content = row["corrected"] if row.get("corrected") else row["content"]
        messages.append({"role": row["role"], "content": content})
    return messages


@dataclass
class TurnResult:
    user_message_id: int
    assistant_message_id: int
    text: str
    stats: dict[str, Any]
    skills: list[RetrievedSkill]


class Turn:
    """Streams one reply to the conversation's current leaf and records it when done.

    Iterate to receive text pieces; ``result`` is set once the iteration ends (also after
    a cancel, so a partial reply is kept rather than lost).
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        runtime: ModelRuntime,
        settings: Settings,
        conversation_id: int,
        *,
        user_text: str | None = None,
        edit_of: int | None = None,
        regenerate_of: int | None = None,
        reply_to: int | None = None,
        cancel: threading.Event | None = None,
        use_skills: bool = True,
        progress: PrefillProgress | None = None,
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.settings = settings
        self.conversation_id = conversation_id
        self.user_text = user_text
        self.edit_of = edit_of
        self.regenerate_of = regenerate_of
        self.reply_to = reply_to  # the reply a new message answers (default: the current leaf)
        self.cancel = cancel or threading.Event()
        self.system_prompt = configured_system_prompt(settings)
        # Off only to measure the LoRA layer alone (bench.learning --layers lora).
        self.use_skills = use_skills
        self.progress = progress  # reading the prompt: (tokens read, tokens to read)
        self.result: TurnResult | None = None
        self.user_id: int | None = None  # the user's message, once recorded
        self.skills: list[RetrievedSkill] = []
        self._verdicts: list[int] = []  # signals this turn's message recorded on the last reply

    def _prepare(self) -> tuple[int, list[dict[str, str]], list[dict[str, str]] | None]:
        """Record the user message (or locate it for a regeneration) and build the prompt,
        and, when skills are in it, the same prompt without them (for the trainer).

        Skills are retrieved on the user's request alone: the history and the system prompt
        would drown the few words that say what this turn is about.
        """
        if self.regenerate_of is not None:
            discarded = conv.get_message(self.db, self.regenerate_of)
            user_id = int(discarded["parent_id"])
        elif self.edit_of is not None:
            user_id = conv.add_message(
                self.db,
                self.conversation_id,
                "user",
                self.user_text or "",
                as_sibling_of=self.edit_of,
            )
        else:
            user_id = conv.add_message(
                self.db, self.conversation_id, "user", self.user_text or "", self.reply_to
            )
        self.user_id = user_id
        if self.regenerate_of is None:
            # The new message is the next state of the previous reply; a lesson learned from
            # it (a verbal correction) is already retrievable for this very turn.
            # A capable served model re-reads a doubtful verdict (off for the embedded one).
            ask = self._ask if self.settings.learning.model_words_skills else None
            signals = capture.after_user_message(
                self.db, user_id, settings=self.settings, ask=ask
            )
            learn_from_signals(self.db, signals)
            self._verdicts = signals
        path = conv.path_to(self.db, user_id)
        request = path[-1]["content"]
        self.skills = retrieve(self.db, request) if self.use_skills else []
        if not self.skills:
            return user_id, chat_messages(path, self.system_prompt), None
        section = skills_prompt_section(self.skills)
        system_prompt = f"{self.system_prompt}\n\n{section}"
        messages = chat_messages(path, system_prompt, demonstrations(self.skills, request))
        return user_id, messages, chat_messages(path, self.system_prompt)

    def _ask(self, prompt: str) -> str:
        """The served model's short answer to one of Flywheel's own yes/no questions."""
        return complete(self.runtime, prompt, max_tokens=ASK_TOKENS)

    def __iter__(self) -> Iterator[str]:
        user_id, messages, without_skills = self._prepare()
        pieces: list[str] = []
        for piece in self.runtime.stream_chat(
            messages,
            max_tokens=self.settings.model.max_reply_tokens,
            temperature=self.settings.model.temperature,
            repeat_penalty=self.settings.model.repeat_penalty,
            cancel=self.cancel,
            progress=self.progress,
            nudge=key_terms(self.skills),
        ):
            pieces.append(piece)
            yield piece
        text = "".join(pieces)
        stats = asdict(self.runtime.last_stats) if self.runtime.last_stats else {}
        prompt = stats.pop("prompt", None)  # stored once, on the message, not in the stats
        prompt_plain = (
            self.runtime.prompt_text(without_skills, self.settings.model.max_reply_tokens)
            if prompt and without_skills
            else None
        )
        adapter = self.runtime.active_adapter
        assistant_id = conv.add_message(
            self.db,
            self.conversation_id,
            "assistant",
            text,
            parent_id=user_id,
            prompt=prompt,
            prompt_plain=prompt_plain,
            model=self.runtime.path.name,
            adapter_version=adapter.parent.name if adapter else None,
            completion_tokens=stats.get("completion_tokens"),
            tok_s=stats.get("decode_tok_s"),
            finish_reason=stats.get("finish_reason"),
            prompt_tokens=stats.get("prompt_tokens"),
            context_size=stats.get("n_ctx"),
            cut_tokens=stats.get("cut_tokens"),
            dropped_messages=stats.get("trimmed_turns"),
            skills_used=[{"id": s.id, "name": s.name} for s in self.skills],
        )
        outcomes.record_uses(self.db, assistant_id, [s.id for s in self.skills])
        for signal_id in self._verdicts:
            # This reply answered the correction with its words in context: if it follows
            # them, it is the worked example the skill made from them was waiting for.
            attach_checked_reply(self.db, signal_id, text)
        if self.regenerate_of is not None:
            signals = capture.record_regenerate(
                self.db, self.regenerate_of, assistant_id, settings=self.settings
            )
            learn_from_signals(self.db, signals)
        self.result = TurnResult(user_id, assistant_id, text, stats, self.skills)
