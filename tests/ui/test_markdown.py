"""Model output is untrusted: rendered as Markdown, never as live HTML or local file access."""

from __future__ import annotations

from app.ui.markdown import DARK, LIGHT, plain_to_html, to_html


def test_raw_html_is_escaped() -> None:
    html = to_html('Hi <script>alert(1)</script> <img src="x" onerror="y"> <b>bold</b>')
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_code_block_is_highlighted_and_escaped() -> None:
    html = to_html("```python\ndef f(x):\n    return x < 2  # small\n```")
    assert "<pre" in html and "pre-wrap" in html
    assert 'style="color:' in html, "keywords carry inline colours Qt can render"
    assert "&lt;" in html and "< 2" not in html
    assert LIGHT.code_background in html
    assert DARK.code_background in to_html("```\nplain\n```", DARK)


def test_unknown_language_stays_plain() -> None:
    html = to_html("```klingon\nQapla'\n```")
    code = html.split("<pre", 1)[1]
    assert "Qapla&#x27;" in code and "<span" not in code


def test_images_become_text_and_unsafe_links_lose_their_target() -> None:
    html = to_html(
        "![secret](/etc/passwd) ![web](https://example.org/a.png) [x](file:///etc/passwd)"
    )
    assert "<img" not in html
    assert "[image: secret]" in html and 'href="https://example.org/a.png"' in html
    assert "file://" not in html.replace("[x](file:///etc/passwd)", "")
    assert 'href="file:' not in html


def test_markdown_structure_survives() -> None:
    html = to_html("# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`x`")
    assert "<h1>Title</h1>" in html and "<li>one</li>" in html
    assert '<table border="1"' in html and "<code" in html


def test_user_text_is_verbatim() -> None:
    assert plain_to_html("**not bold** <b>\nline") == (
        '<p style="white-space: pre-wrap;">**not bold** &lt;b&gt;\nline</p>'
    )


def test_user_text_shows_closed_fences_as_code_and_the_rest_verbatim() -> None:
    from app.ui.markdown import user_to_html

    html = user_to_html("**keep** this:\n```bash\nls <dir>\n```\nand `that`")
    assert "**keep** this:" in html and "and `that`" in html
    assert "```" not in html and "<pre" in html and "&lt;dir&gt;" in html
    assert user_to_html("```\nnot closed") == plain_to_html("```\nnot closed")
