"""Chat formatting shared by the app and the trainer.

The trainer formats its training prompts with :func:`render_chat` and the runtime feeds the
model the output of the same function, so what a LoRA adapter learns to continue is exactly
what it will see when serving (train/serve parity). For that reason this module must stay
importable from both processes: no Qt, no torch, no llama_cpp.

Two rendering paths exist. ChatML (``<|im_start|>role\\ncontent<|im_end|>\\n``) is written out
in plain Python because it is the format of the embedded SmolLM2 model and of most small
instruct models; the tests prove it is byte-identical to what SmolLM2's own Jinja template
produces. Any other model brings its template in its GGUF metadata
(``tokenizer.chat_template``), which is rendered with a sandboxed Jinja environment so that a
hostile model file cannot execute code.

Message content is text, never markup: the runtime (and the trainer) tokenize the whole
rendered prompt with special tokens parsed, so a ``<|im_end|>`` a user pastes, or that a
command printed, would otherwise close the turn and let the text open a forged ``system``
turn. :func:`neutralize_special_tokens` breaks every ``<|`` in content with an invisible
joiner before rendering, on both paths, so the app and the trainer see the same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.paths import assets_dir

SYSTEM_PROMPT_FILE = "system_prompt.txt"
ZERO_WIDTH_JOINER = "\u200d"
SPECIAL_TOKEN_OPENING = "<|"


class PromptError(ValueError):
    """A conversation or chat template that cannot be rendered into a prompt."""


def _load_default_system_prompt() -> str:
    """Read the shipped system prompt once; it is text, not code, so users can restyle it."""
    return (assets_dir() / SYSTEM_PROMPT_FILE).read_text(encoding="utf-8").strip()


DEFAULT_SYSTEM_PROMPT: str = _load_default_system_prompt()


def neutralize_special_tokens(content: str) -> str:
    """``content`` with no ``<|`` left, so no tokenizer can read a special token in it.

    ChatML's turn markers and the control tokens of most chat models (``<|endoftext|>``,
    ``<|eot_id|>``, ``<|user|>`` …) all open with ``<|``; a zero-width joiner between the two
    characters keeps the text as the user wrote it on screen while the tokenizer sees plain
    ``<``, joiner and ``|``. Applying it twice changes nothing more.
    """
    return content.replace(SPECIAL_TOKEN_OPENING, f"<{ZERO_WIDTH_JOINER}|")


def _checked(messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Validate messages, neutralise special tokens in their content, and make sure the
    conversation starts with a system message.

    Adding the default system prompt here (rather than in each caller) keeps the app and the
    trainer from drifting apart, and stops templates such as SmolLM2's from silently
    injecting their own built-in system prompt.
    """
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise PromptError("messages must be a list of {'role': ..., 'content': ...} dicts")
    checked: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise PromptError(f"message {index} is {type(message).__name__}, expected a dict")
        role, content = message.get("role"), message.get("content")
        if not isinstance(role, str) or not role or "\n" in role or SPECIAL_TOKEN_OPENING in role:
            raise PromptError(f"message {index} has an invalid role: {role!r}")
        if not isinstance(content, str):
            raise PromptError(f"message {index} ({role}) has non-text content")
        checked.append({"role": role, "content": neutralize_special_tokens(content)})
    if not checked or checked[0]["role"] != "system":
        checked.insert(0, {"role": "system", "content": DEFAULT_SYSTEM_PROMPT})
    return checked


def _render_chatml(messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
    parts = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    if add_generation_prompt:
        parts.append("<|im_start|>assistant\n")
    return "".join(parts)


def _raise_exception(message: str) -> None:
    """Templates call ``raise_exception`` to reject conversations they cannot format."""
    raise PromptError(f"chat template rejected the conversation: {message}")


@functools.lru_cache(maxsize=8)
def _compiled(template: str) -> jinja2.Template:
    """Compile a template once; a conversation re-renders it on every turn."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True
    )
    env.globals["raise_exception"] = _raise_exception
    try:
        return env.from_string(template)
    except jinja2.TemplateError as exc:
        raise PromptError(f"the model's chat template does not compile: {exc}") from exc


def render_chat(
    messages: Sequence[Mapping[str, str]],
    add_generation_prompt: bool = True,
    template: str | None = None,
    *,
    eos_token: str = "",
) -> str:
    """Render a conversation into the exact text the model is given.

    ``template`` is a model's Jinja chat template; ``None`` means ChatML. A missing system
    message is replaced by :data:`DEFAULT_SYSTEM_PROMPT`. ``bos_token`` renders as empty
    because the tokenizer adds BOS itself when the model wants one; ``eos_token`` is only
    needed by templates that close assistant turns with it.
    """
    checked = _checked(messages)
    if template is None:
        return _render_chatml(checked, add_generation_prompt)
    compiled = _compiled(template)
    try:
        return compiled.render(
            messages=checked,
            add_generation_prompt=add_generation_prompt,
            bos_token="",
            eos_token=eos_token,
        )
    except PromptError:
        raise
    except Exception as exc:  # a model's template is untrusted input: any failure is its fault
        raise PromptError(f"the model's chat template failed to render: {exc}") from exc
