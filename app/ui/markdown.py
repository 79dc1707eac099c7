"""Model replies as HTML for Qt's rich-text widgets: Markdown, highlighted code, nothing unsafe.

Why not hand the text to ``QTextDocument.setMarkdown``: it passes raw HTML in the model's
output straight through, has no syntax highlighting, and loads images from local paths. The
model's text is untrusted, so here raw HTML is escaped (``html=False``), images become plain
links (Qt would read ``![](/any/local/file)`` from disk) and only web/mail links stay
clickable. The HTML sticks to the subset ``QTextDocument`` renders: inline styles, ``<pre>``
with ``white-space: pre-wrap`` so long code lines wrap instead of widening the chat, and a
one-cell table for the code block's background, which Qt paints reliably on tables only.

Every code block gets a *Copy* link above it. Its address is ``flywheel-copy:N``, N counting
the reply's code blocks in order; the message widget answers it with :func:`code_blocks`,
which parses the same text with the same parser, so the link copies exactly that block. The
model cannot forge such a link: its own links keep only web and mail addresses.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it and Pygments load at the first render, not at start-up
    from markdown_it.token import Token
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

    Tokens = Sequence[Token]

SAFE_SCHEMES = ("http://", "https://", "mailto:")
COPY_SCHEME = "flywheel-copy"
CODE_TOKENS = ("fence", "code_block")
COMMON_LANGUAGES = (
    "python", "bash", "sh", "shell", "console", "json", "yaml", "toml", "javascript",
    "typescript", "html", "css", "sql", "c", "cpp", "rust", "go", "java", "diff", "text",
)  # fmt: skip


@dataclass(frozen=True)
class Palette:
    """The few colours the HTML needs, chosen by the theme (light or dark)."""

    code_background: str
    code_border: str
    inline_code_background: str
    quote_text: str
    link: str
    pygments_style: str


LIGHT = Palette("#f6f8fa", "#d0d7de", "#eff1f3", "#57606a", "#0969da", "friendly")
DARK = Palette("#161b22", "#30363d", "#2d333b", "#9198a1", "#58a6ff", "monokai")


@lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style, noclasses=True, nowrap=True)


def highlight_code(code: str, language: str, palette: Palette) -> str:
    """Highlighted HTML spans for ``code``; blocks without a known language stay plain.

    No guessing: Pygments' guesser is slow (it asks every lexer) and often wrong on short
    snippets, and a streaming reply re-renders its code block many times.
    """
    from pygments import highlight

    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return html.escape(code)
    return highlight(code, lexer, _formatter(palette.pygments_style)).rstrip("\n")


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    """Lexer look-up is slow (it scans Pygments' registry); replies reuse a few languages."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _code_block(code: str, language: str, palette: Palette, index: int) -> str:
    body = highlight_code(code.rstrip("\n"), language, palette)
    label = f'<span style="color:{palette.quote_text};">{html.escape(language)}</span> &nbsp; '
    copy = (
        f'<a href="{COPY_SCHEME}:{index}" style="color:{palette.link}; text-decoration:none;">'
        "Copy</a>"
    )
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" '
        f'style="background-color:{palette.code_background}; '
        f'border: 1px solid {palette.code_border}; margin-top:4px; margin-bottom:4px;">'
        f'<tr><td><p align="right" style="margin:0;">{label if language else ""}{copy}</p>'
        f'<pre style="white-space: pre-wrap; margin:0;">{body}</pre></td></tr></table>'
    )


class _Renderer:
    """A markdown-it instance whose risky and Qt-unfriendly rules are replaced."""

    def __init__(self, palette: Palette) -> None:
        from markdown_it import MarkdownIt

        self.palette = palette
        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        # Set directly: ``add_render_rule`` would re-bind these methods to the renderer.
        md.renderer.rules.update(
            fence=self._fence,
            code_block=self._fence,
            code_inline=self._code_inline,
            image=self._image,
            link_open=self._link_open,
            blockquote_open=self._blockquote_open,
            table_open=self._table_open,
        )
        self.md = md

    def _fence(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        token = tokens[idx]
        language = token.info.strip().split(" ")[0] if token.info else ""
        index = sum(1 for t in tokens[:idx] if t.type in CODE_TOKENS)
        return _code_block(token.content, language, self.palette, index)

    def _code_inline(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        return (
            f'<code style="background-color:{self.palette.inline_code_background};">'
            f"{html.escape(tokens[idx].content)}</code>"
        )

    def _image(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        label = html.escape(token.content or src)
        if src.lower().startswith(SAFE_SCHEMES):
            return f'<a href="{html.escape(src)}">[image: {label}]</a>'
        return f"[image: {label}]"

    def _link_open(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        if not href.lower().startswith(SAFE_SCHEMES):
            return f'<a style="color:{self.palette.link};">'
        return f'<a href="{html.escape(href)}" style="color:{self.palette.link};">'

    def _table_open(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        return (
            f'<table border="1" cellspacing="0" cellpadding="4" '
            f'style="border-color:{self.palette.code_border};">'
        )

    def _blockquote_open(self, tokens: Tokens, idx: int, options: object, env: object) -> str:
        return f'<blockquote style="color:{self.palette.quote_text};">'


@lru_cache(maxsize=2)
def _renderer(palette: Palette) -> _Renderer:
    return _Renderer(palette)


def to_html(text: str, palette: Palette = LIGHT) -> str:
    """Render a reply (Markdown from an untrusted model) as safe Qt rich-text HTML."""
    return _renderer(palette).md.render(text)


def code_blocks(text: str) -> list[str]:
    """The code of each block in ``text``, in the order of their *Copy* links.

    Without the final line break: pasted into a shell, it would run the command at once.
    """
    tokens = _renderer(LIGHT).md.parse(text)
    return [t.content.rstrip("\n") for t in tokens if t.type in CODE_TOKENS]


@lru_cache(maxsize=512)
def cached_html(text: str, palette: Palette = LIGHT) -> str:
    """:func:`to_html` for finished messages, which are shown again and again (switching
    conversations, rebuilding after a theme change); a streaming reply is not cached."""
    return to_html(text, palette)


def warm_up() -> None:
    """Load what the first replies will need, off the UI thread.

    Pygments imports each lexer and style module on first use (tens of milliseconds, more on
    a busy machine): done lazily, the first streamed code block would stall the window.
    """
    for palette in (LIGHT, DARK):
        _formatter(palette.pygments_style)
        to_html("*warm* `up`\n\n```python\npass\n```", palette)
    for language in COMMON_LANGUAGES:
        _lexer(language)


def _user_fences(text: str) -> Iterator[Token]:
    """The closed, top-level fenced code blocks of a user's message, in order."""
    if "```" not in text and "~~~" not in text:
        return  # most messages: no parse at all
    from markdown_it import MarkdownIt

    lines = text.split("\n")
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or token.level != 0 or token.map is None:
            continue
        first, end = token.map
        closing = lines[end - 1].strip() if end - first >= 2 else ""
        if re.fullmatch(f"{re.escape(token.markup[0])}{{{len(token.markup)},}}", closing):
            yield token  # (an unclosed fence is just text)


def user_code_blocks(text: str) -> list[str]:
    """:func:`code_blocks` for a user's message, whose only code is its closed fences."""
    return [token.content.rstrip("\n") for token in _user_fences(text)]


def user_to_html(text: str, palette: Palette = LIGHT) -> str:
    """A user's own message: verbatim, except that its closed fenced code blocks show as code
    ("Ask to fix" sends a command and its output that way, and pasted code reads better)."""
    lines = text.split("\n")
    parts: list[str] = []
    start = 0
    for index, token in enumerate(_user_fences(text)):
        assert token.map is not None  # checked by _user_fences
        first, end = token.map
        before = "\n".join(lines[start:first]).strip("\n")
        if before:
            parts.append(plain_to_html(before))
        language = token.info.strip().split(" ")[0] if token.info else ""
        parts.append(_code_block(token.content, language, palette, index))
        start = end
    if not parts:
        return plain_to_html(text)
    after = "\n".join(lines[start:]).strip("\n")
    return "".join(parts) + (plain_to_html(after) if after else "")


def plain_to_html(text: str) -> str:
    """A user's own message: shown verbatim (no Markdown surprises), line breaks kept."""
    return '<p style="white-space: pre-wrap;">' + html.escape(text) + "</p>"
