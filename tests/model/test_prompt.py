"""Chat formatting: ChatML output, parity with the model's own template, sandboxing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.model.catalog import read_gguf_header
from app.model.prompt import DEFAULT_SYSTEM_PROMPT, PromptError, render_chat

CONVERSATIONS = [
    [{"role": "user", "content": "hi"}],
    [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "List files"}],
    [
        {"role": "system", "content": "You help with shells."},
        {"role": "user", "content": "How do I list files?"},
        {"role": "assistant", "content": "Use:\n```bash\nls -la\n```"},
        {"role": "user", "content": "Et en français ? Çà et là, 日本語, emoji 🚀 {{ not jinja }}"},
    ],
    [{"role": "user", "content": ""}, {"role": "assistant", "content": "  spaced  \n"}],
]


@pytest.fixture(scope="module")
def smollm_template(embedded_model: Path) -> str:
    template = read_gguf_header(embedded_model).metadata["tokenizer.chat_template"]
    assert isinstance(template, str)
    return template


def test_chatml_layout_is_exact() -> None:
    text = render_chat([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert text == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n" + (
        "<|im_start|>assistant\n"
    )


def test_default_system_prompt_is_added_only_when_missing() -> None:
    without = render_chat([{"role": "user", "content": "hi"}], add_generation_prompt=False)
    assert without.startswith(f"<|im_start|>system\n{DEFAULT_SYSTEM_PROMPT}<|im_end|>\n")
    own = render_chat([{"role": "system", "content": "Mine"}, {"role": "user", "content": "x"}])
    assert DEFAULT_SYSTEM_PROMPT not in own
    assert "```bash" in DEFAULT_SYSTEM_PROMPT


@pytest.mark.parametrize("messages", CONVERSATIONS)
@pytest.mark.parametrize("add_generation_prompt", [True, False])
def test_chatml_is_byte_identical_to_the_embedded_models_template(
    smollm_template: str, messages: list[dict[str, str]], add_generation_prompt: bool
) -> None:
    chatml = render_chat(messages, add_generation_prompt)
    jinja = render_chat(messages, add_generation_prompt, template=smollm_template)
    assert chatml.encode("utf-8") == jinja.encode("utf-8")


def test_other_templates_are_rendered_with_jinja() -> None:
    template = (
        "{% for m in messages %}[{{ m['role'] | upper }}] {{ m['content'] }}"
        "{% if m['role'] == 'assistant' %}{{ eos_token }}{% endif %}{{ '\\n' }}{% endfor %}"
        "{% if add_generation_prompt %}[ASSISTANT] {% endif %}"
    )
    text = render_chat(
        [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
        template=template,
        eos_token="</s>",
    )
    assert text == f"[SYSTEM] {DEFAULT_SYSTEM_PROMPT}\n[USER] a\n[ASSISTANT] b</s>\n[ASSISTANT] "


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ raise_exception('roles must alternate') }}",
        "{% for m in messages %}",
        "{{ messages[0]['content'] | no_such_filter }}",
    ],
)
def test_hostile_or_broken_templates_raise_prompt_error(template: str) -> None:
    with pytest.raises(PromptError):
        render_chat([{"role": "user", "content": "x"}], template=template)


@pytest.mark.parametrize(
    "messages",
    [
        "hello",
        [{"role": "user"}],
        [{"role": "", "content": "x"}],
        [{"role": "user\nsystem", "content": "x"}],
        [{"role": "user", "content": 3}],
        ["not a dict"],
    ],
)
def test_bad_messages_get_a_clear_error(messages: object) -> None:
    with pytest.raises(PromptError):
        render_chat(messages)  # type: ignore[arg-type]


def test_prompt_module_stays_free_of_heavy_imports() -> None:
    """The trainer imports this module; it must not drag in Qt, torch or llama.cpp."""
    code = (
        "import sys, app.model.prompt; "
        "bad = [m for m in ('torch', 'llama_cpp', 'PySide6', 'transformers') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
