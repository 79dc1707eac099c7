"""The loaded model: streaming chat, KV-cache reuse, context fitting and LoRA hot swap.

Plain Python on purpose: the GUI wraps it in a Qt worker thread, the CLI and the benchmarks
use it directly. One generation runs at a time (a lock); adapter swaps take the same lock so
they happen between turns, never under a running generation.

Only llama-cpp-python's ``Llama`` object is used for weights, tokenizer and sampling; prompt
prefill and adapter handling go one level lower because that is where the speed is: the
prefill is chunked so a cancel is honoured within a fraction of a second, and adapters are
attached to the existing context so a swap costs milliseconds instead of a model reload.
"""

from __future__ import annotations

import codecs
import collections
import ctypes
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
from llama_cpp import Llama

from app import cpu
from app.model import catalog
from app.model.catalog import ModelFileError
from app.model.loops import is_looping
from app.model.nudge import Nudge
from app.model.prompt import render_chat

# Tokens evaluated per prefill step: small enough that cancel reacts in ~0.1 s on a laptop
# CPU, large enough that batched matrix products stay efficient.
PREFILL_CHUNK = 128
MAX_REPEAT_PENALTY = 2.0  # beyond this the penalty garbles ordinary text
TRUNCATION_MARKER = "\n[… middle of the message removed to fit the context window …]\n"
_GGML_LOG_ERROR = 4  # ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5


# Called as the prompt is read: (prompt tokens evaluated so far, tokens to evaluate).
PrefillProgress = Callable[[int, int], None]


class AdapterError(ModelFileError):
    """A LoRA adapter that cannot be applied to the loaded base model."""


@dataclass
class GenerationStats:
    """What one ``stream_chat`` call did; the app stores it beside the reply."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reused_prefix_tokens: int = 0
    ttft_s: float | None = None
    decode_tok_s: float = 0.0
    trimmed_turns: int = 0  # the oldest messages left out to fit the context
    cut_tokens: int = 0  # tokens left out of the middle of the latest message to fit it
    n_ctx: int = 0
    finish_reason: str = "stop"
    n_threads: int = 0  # the threads this turn ran on (chosen at its start when automatic)
    # finish_reason: "stop" (the model ended its turn), "length" (max_tokens), "cancelled",
    # or "loop" (stopped because the reply was repeating itself, see app.model.loops)
    prompt: str = ""  # the exact text the model saw, after fitting the context window


@dataclass
class _Fitted:
    """A prompt fitted to the context: its text, tokens, and what was left out."""

    text: str
    tokens: list[int]
    dropped: int = 0
    cut_tokens: int = 0


class _LlamaLog:
    """Routes llama.cpp's log into memory instead of the terminal.

    llama.cpp prints every load step to stderr, which would spill into the user's terminal
    pane. Errors are kept (briefly) because they are the only place llama.cpp explains *why*
    a file was rejected, and that explanation belongs in our exception message.
    """

    def __init__(self) -> None:
        self._errors: collections.deque[str] = collections.deque(maxlen=16)
        self._lock = threading.Lock()
        self._callback = llama_cpp.llama_log_callback(self._receive)

    def _receive(self, level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        if level == _GGML_LOG_ERROR and text:
            with self._lock:
                self._errors.append(text.decode("utf-8", errors="replace").strip())

    def install(self) -> None:
        llama_cpp.llama_log_set(self._callback, ctypes.c_void_p(0))

    def take_errors(self) -> str:
        with self._lock:
            text = "; ".join(line for line in self._errors if line)
            self._errors.clear()
        return text


_LOG = _LlamaLog()


def _ends_turn(vocab: llama_cpp.llama_vocab_p, token: int) -> bool:
    """End of generation, or any control token: a reply never contains ``<|im_start|>``."""
    return bool(
        llama_cpp.llama_vocab_is_eog(vocab, token) or llama_cpp.llama_vocab_is_control(vocab, token)
    )


def default_threads() -> int:
    """All usable cores on small machines; half of them on big ones, which are usually SMT."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count() or 1
    return available if available <= 4 else available // 2


class ModelRuntime:
    """One GGUF model loaded through llama.cpp, ready to chat.

    ``n_threads=None`` (the default) chooses the threads at the start of every turn from the
    cores other programs leave free (:mod:`app.cpu`): a thread whose core is taken stalls
    all the others, so a fixed count that is right on an idle machine crawls on a busy one.
    ``busy_sampler`` is how busy cores are measured (tests pass a fake one).
    """

    def __init__(
        self,
        path: Path,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        n_gpu_layers: int = 0,
        busy_sampler: cpu.BusySampler = cpu.busy_cores,
    ) -> None:
        self.path = Path(path)
        self.threads = n_threads or None
        self.n_threads = n_threads or default_threads()
        self._busy_sampler = busy_sampler
        self.n_ctx = n_ctx
        self.n_gpu_layers = n_gpu_layers
        self.last_stats: GenerationStats | None = None
        self._llm: Llama | None = None
        self._template: str | None = None
        self._eos_text = ""
        self._pieces: dict[int, bytes] = {}
        self._adapter: tuple[Path, llama_cpp.llama_adapter_lora_p, float] | None = None
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------

    def load(self) -> None:
        """Validate and load the model; a damaged file raises :class:`ModelFileError`."""
        with self._lock:
            if self._llm is not None:
                return
            header = catalog.read_gguf_header(self.path)
            if header.metadata.get("general.type") == "adapter":
                raise ModelFileError(self.path, "is a LoRA adapter, not a model")
            _LOG.install()
            _LOG.take_errors()
            try:
                llm = Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_gpu_layers=self.n_gpu_layers,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                reason = _LOG.take_errors() or str(exc)
                raise ModelFileError(self.path, f"llama.cpp could not load it: {reason}") from exc
            template = header.metadata.get("tokenizer.chat_template")
            self._template = template if isinstance(template, str) and template else None
            self._llm = llm
            self._eos_text = self._piece(llm.token_eos(), special=True).decode("utf-8", "replace")

    def close(self) -> None:
        """Free the adapter before the model: llama.cpp's model owns adapters it still knows."""
        with self._lock:
            if self._llm is None:
                return
            self._detach_adapter()
            self._llm.close()
            self._llm = None
            self._pieces.clear()

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def llama(self) -> Llama:
        """The underlying ``Llama`` (benchmarks and tests compare against it)."""
        if self._llm is None:
            raise RuntimeError("the model is not loaded; call load() first")
        return self._llm

    @property
    def chat_template(self) -> str | None:
        """The model's own Jinja template, or ``None`` when it has none (ChatML is used)."""
        return self._template

    def info(self) -> dict[str, object]:
        """Everything a bug report needs to reproduce a generation."""
        return {
            "model_path": str(self.path),
            "sha256": catalog.file_sha256(self.path),
            "n_ctx": self.n_ctx,
            "n_threads": self.threads or f"auto (last turn: {self.n_threads})",
            "n_gpu_layers": self.n_gpu_layers,
            "active_adapter": str(self.active_adapter) if self.active_adapter else None,
            "llama_cpp_python": llama_cpp.__version__,
            "system_info": llama_cpp.llama_print_system_info().decode("utf-8", "replace"),
        }

    # -- prompts and context fitting -------------------------------------------------------

    def prompt_text(self, messages: Sequence[Mapping[str, str]], max_tokens: int = 512) -> str:
        """The exact text the model sees for ``messages``, after fitting the context window."""
        return self._fit(messages, self._checked_max_tokens(max_tokens)).text

    def _render(self, messages: Sequence[Mapping[str, str]]) -> str:
        return render_chat(messages, template=self._template, eos_token=self._eos_text)

    def _tokens(self, text: str, *, prompt: bool) -> list[int]:
        """Prompts are tokenized with special tokens parsed (``<|im_start|>``…) and BOS added
        when the model wants one; message bodies are tokenized as plain text."""
        return self.llama.tokenize(text.encode("utf-8"), add_bos=prompt, special=prompt)

    def _checked_max_tokens(self, max_tokens: int) -> int:
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
        if max_tokens > self.n_ctx // 2:
            raise ValueError(
                f"max_tokens={max_tokens} leaves too little room for the prompt "
                f"in a context of {self.n_ctx} tokens (at most {self.n_ctx // 2})"
            )
        return max_tokens

    def _fit(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> _Fitted:
        """Render and tokenize, dropping the oldest turns until prompt + reply fit ``n_ctx``.

        The system prompt and the latest message always stay; if they alone are too long the
        latest message (then the system prompt) loses its middle, which keeps both the
        question's framing and its end. What was left out is reported, so the user is told.
        """
        budget = self.n_ctx - max_tokens
        text = self._render(messages)
        tokens = self._tokens(text, prompt=True)
        if len(tokens) <= budget:
            return _Fitted(text, tokens)
        messages = [dict(m) for m in messages]
        head = messages[:1] if messages and messages[0].get("role") == "system" else []
        body = messages[len(head) :]
        history, latest = body[:-1], body[-1:]
        dropped = 0
        while history and len(tokens) > budget:
            history.pop(0)
            dropped += 1
            while history and history[0].get("role") != "user":  # keep turns whole
                history.pop(0)
                dropped += 1
            text = self._render(head + history + latest)
            tokens = self._tokens(text, prompt=True)
        cut = 0
        for target in (latest, head):
            if len(tokens) <= budget or not target:
                continue
            excess = len(tokens) - budget
            target[0]["content"], removed = self._cut_middle(target[0]["content"], excess)
            cut += removed if target is latest else 0
            text = self._render(head + history + latest)
            tokens = self._tokens(text, prompt=True)
        if len(tokens) > budget:
            raise ValueError(f"the prompt cannot be made to fit {budget} tokens; lower max_tokens")
        return _Fitted(text, tokens, dropped, cut)

    def _cut_middle(self, content: str, excess: int) -> tuple[str, int]:
        """Remove at least ``excess`` tokens from the middle of ``content``, with a marker.

        Returns the shortened content and how many of its tokens were removed.
        """
        pieces = self._tokens(content, prompt=False)
        marker = len(self._tokens(TRUNCATION_MARKER, prompt=False))
        keep = max(0, len(pieces) - excess - marker - 8)  # slack for re-tokenization drift
        head = b"".join(self._piece(t) for t in pieces[: keep - keep // 2])
        tail = b"".join(self._piece(t) for t in pieces[len(pieces) - keep // 2 :])
        shortened = head.decode("utf-8", "ignore") + TRUNCATION_MARKER
        return shortened + tail.decode("utf-8", "ignore"), len(pieces) - keep

    # -- generation ------------------------------------------------------------------------

    def stream_chat(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int = 512,
        temperature: float = 0.7,
        top_p: float = 0.95,
        seed: int | None = None,
        cancel: threading.Event | None = None,
        repeat_penalty: float = 1.0,
        progress: PrefillProgress | None = None,
        nudge: Sequence[str] = (),
    ) -> Iterator[str]:
        """Stream the assistant's reply as text pieces; ``last_stats`` is set when it ends.

        ``progress`` is called while the prompt is read (a long paste takes a while), from
        the thread iterating; ``last_stats`` already says what was cut to fit by then.

        ``repeat_penalty`` (1.0 = none) discourages tokens of the reply's last 64 tokens;
        the prompt is not penalised, so a reply may still quote the question. A reply that
        loops anyway is stopped (``finish_reason == "loop"``). ``nudge`` lists the terms of
        the lessons retrieved for this request, given a head start until the reply names
        them (:mod:`app.model.nudge`).

        Arguments are checked here, before the first ``next()``, so bad input fails at the
        call site. Close (or exhaust) the iterator: it holds the generation lock meanwhile.
        """
        max_tokens = self._checked_max_tokens(max_tokens)
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
        if not 0 < repeat_penalty <= MAX_REPEAT_PENALTY:
            raise ValueError(
                f"repeat_penalty must be in (0, {MAX_REPEAT_PENALTY}], got {repeat_penalty}"
            )
        self.llama  # noqa: B018 - not loaded: fail here rather than at the first next()
        self._render(messages)  # bad messages or a broken template fail here, not mid-stream
        sampling = {"temp": temperature, "top_p": top_p, "repeat_penalty": repeat_penalty}
        return self._generate(messages, max_tokens, sampling, seed, cancel, progress, nudge)

    def _generate(
        self,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        sampling: dict[str, float],
        seed: int | None,
        cancel: threading.Event | None,
        progress: PrefillProgress | None,
        nudge: Sequence[str],
    ) -> Iterator[str]:
        cancel = cancel or threading.Event()
        with self._lock:
            llm = self.llama
            started = time.perf_counter()
            self._choose_threads()
            fitted = self._fit(messages, max_tokens)
            tokens = fitted.tokens
            stats = GenerationStats(
                prompt_tokens=len(tokens),
                trimmed_turns=fitted.dropped,
                cut_tokens=fitted.cut_tokens,
                n_ctx=self.n_ctx,
                prompt=fitted.text,
                n_threads=self.n_threads,
            )
            self.last_stats = stats
            stats.reused_prefix_tokens = self._prefill(tokens[:-1], cancel, progress)
            if cancel.is_set():
                stats.finish_reason = "cancelled"
                return
            llm.set_seed(llama_cpp.LLAMA_DEFAULT_SEED if seed is None else seed)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            vocab = llm._model.vocab
            stats.finish_reason = "length"
            first_at = last_at = started
            reply = ""
            processors = None
            if nudge:
                tokenize = functools.partial(self._tokens, prompt=False)
                processors = llama_cpp.LogitsProcessorList(
                    [Nudge(nudge, tokenize, self._piece, len(tokens))]
                )
            tokens_out = llm.generate(tokens, logits_processor=processors, **sampling)
            try:
                for token in tokens_out:
                    now = time.perf_counter()
                    if stats.ttft_s is None:
                        stats.ttft_s, first_at = now - started, now
                    if _ends_turn(vocab, token):
                        stats.finish_reason = "stop"
                        break
                    stats.completion_tokens += 1
                    last_at = now
                    text = decoder.decode(self._piece(token))
                    if text:
                        yield text
                        reply += text
                        if is_looping(reply):
                            stats.finish_reason = "loop"
                            break
                    if cancel.is_set():
                        stats.finish_reason = "cancelled"
                        break
                    if stats.completion_tokens >= max_tokens:
                        break
            finally:
                tokens_out.close()
                if stats.completion_tokens > 1 and last_at > first_at:
                    stats.decode_tok_s = (stats.completion_tokens - 1) / (last_at - first_at)
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail

    def _choose_threads(self) -> None:
        """Use the configured thread count, or (automatic) the cores free right now.

        llama.cpp reads the count from the context at every decode, so changing it between
        turns costs nothing: no reload, the KV cache stays.
        """
        wanted = self.threads or cpu.free_threads(
            default_threads(), cpu.TURN_SAMPLE_S, self._busy_sampler
        )
        llama_cpp.llama_set_n_threads(self.llama.ctx, wanted, wanted)
        self.n_threads = wanted

    def _prefill(
        self, tokens: list[int], cancel: threading.Event, progress: PrefillProgress | None
    ) -> int:
        """Bring the KV cache to ``tokens``, reusing the longest cached prefix.

        ``Llama.generate`` would do the same prefix match, but evaluates the remainder in one
        uninterruptible call; doing it here in chunks lets a cancel land mid-prompt and lets
        ``progress`` say how far the reading is. The cache then holds all but the prompt's
        last token, which ``generate`` evaluates itself to get fresh logits. Returns how many
        prompt tokens came from the cache.
        """
        llm = self.llama
        cached = llm.input_ids[: llm.n_tokens].tolist()
        reused = Llama.longest_token_prefix(cached, tokens)
        llm.n_tokens = reused  # eval() drops everything after n_tokens from the KV cache
        total = len(tokens) - reused
        if progress is not None:
            progress(0, total)
        for start in range(reused, len(tokens), PREFILL_CHUNK):
            if cancel.is_set():
                break
            llm.eval(tokens[start : start + PREFILL_CHUNK])
            if progress is not None:
                progress(min(len(tokens), start + PREFILL_CHUNK) - reused, total)
        return reused

    def _piece(self, token: int, special: bool = False) -> bytes:
        """Bytes of one token; cached, and not limited to 32 bytes like ``Llama.detokenize``."""
        key = token if not special else -token - 1
        piece = self._pieces.get(key)
        if piece is None:
            vocab = self.llama._model.vocab
            size = 64
            buffer = ctypes.create_string_buffer(size)
            n = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, special)
            if n < 0:
                size = -n
                buffer = ctypes.create_string_buffer(size)
                n = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, special)
            piece = buffer.raw[: max(n, 0)]
            self._pieces[key] = piece
        return piece

    # -- LoRA adapters ---------------------------------------------------------------------

    @property
    def active_adapter(self) -> Path | None:
        return self._adapter[0] if self._adapter else None

    def apply_adapter(self, path: Path, scale: float = 1.0) -> None:
        """Switch to the LoRA adapter at ``path`` without reloading the base model.

        Waits for a running generation to finish. On any failure the previous adapter (or
        none) stays active and :class:`AdapterError` explains why.
        """
        path = Path(path)
        header = catalog.read_gguf_header(path)
        kind = (header.metadata.get("general.type"), header.metadata.get("adapter.type"))
        if kind != ("adapter", "lora"):
            raise AdapterError(path, f"not a LoRA adapter (general.type={kind[0]!r})")
        with self._lock:
            llm = self.llama
            _LOG.take_errors()
            handle = llama_cpp.llama_adapter_lora_init(llm.model, str(path).encode("utf-8"))
            if not handle:
                reason = _LOG.take_errors() or "llama.cpp rejected it"
                raise AdapterError(path, f"cannot be applied to this model: {reason}")
            adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle)
            scales = (ctypes.c_float * 1)(scale)
            if llama_cpp.llama_set_adapters_lora(llm.ctx, adapters, 1, scales) != 0:
                llama_cpp.llama_adapter_lora_free(handle)
                self._restore_adapter()
                raise AdapterError(path, "llama.cpp could not attach it to the context")
            previous = self._adapter
            self._adapter = (path, handle, scale)
            if previous is not None:
                llama_cpp.llama_adapter_lora_free(previous[1])
            self._clear_kv()

    def remove_adapter(self) -> None:
        """Go back to the bare base model (waits for a running generation)."""
        with self._lock:
            if self._adapter is None:
                return
            self._detach_adapter()
            self._clear_kv()

    def _detach_adapter(self) -> None:
        if self._adapter is None or self._llm is None:
            return
        llama_cpp.llama_set_adapters_lora(self._llm.ctx, None, 0, None)
        llama_cpp.llama_adapter_lora_free(self._adapter[1])
        self._adapter = None

    def _restore_adapter(self) -> None:
        """Re-attach the current adapter after a failed swap (the context may have changed)."""
        if self._adapter is None:
            llama_cpp.llama_set_adapters_lora(self.llama.ctx, None, 0, None)
            return
        adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(self._adapter[1])
        scales = (ctypes.c_float * 1)(self._adapter[2])
        llama_cpp.llama_set_adapters_lora(self.llama.ctx, adapters, 1, scales)

    def reset_cache(self) -> None:
        """Start the next generation from an empty KV cache (benchmarks measure cold starts).

        Waits for a running generation.
        """
        with self._lock:
            self._clear_kv()

    def _clear_kv(self) -> None:
        """Forget the KV cache, e.g. because it was computed under other adapter weights."""
        llm = self.llama
        llm.reset()
        memory = llama_cpp.llama_get_memory(llm.ctx)
        if memory is not None:
            llama_cpp.llama_memory_clear(memory, True)
