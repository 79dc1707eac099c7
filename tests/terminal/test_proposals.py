"""Finding the commands an assistant reply proposes."""

from __future__ import annotations

from app.terminal.proposals import ProposedCommand, extract_commands


def test_shell_languages_are_extracted_and_others_skipped() -> None:
    reply = (
        "Try these:\n\n"
        "```bash\nls -la\n```\n\n"
        "```zsh\npwd\n```\n\n"
        "```shell\nmake test\n```\n\n"
        "```python\nimport os\nos.listdir('.')\n```\n\n"
        "```json\n{\"a\": 1}\n```\n"
    )
    assert extract_commands(reply) == [
        ProposedCommand("ls -la", "bash", 3),
        ProposedCommand("pwd", "zsh", 7),
        ProposedCommand("make test", "shell", 11),
    ]


def test_prompts_are_stripped_and_console_output_dropped() -> None:
    reply = "```console\n$ ls\nREADME.md  app\n$ make \\\n    all\nbuilt\n```\n"
    assert [c.command for c in extract_commands(reply)] == ["ls\nmake \\\n    all"]
    assert [c.command for c in extract_commands("```sh\n$ git status\n```")] == ["git status"]


def test_untagged_blocks_count_only_when_they_look_like_commands() -> None:
    reply = (
        "```\ngit log --oneline | head\n./run.sh --fast\n```\n\n"
        "```\nThe quick brown fox\njumps over\n```\n\n"
        "```\n$ uname -a\nLinux box 6.1\n```\n"
    )
    assert [c.command for c in extract_commands(reply)] == [
        "git log --oneline | head\n./run.sh --fast",
        "uname -a",
    ]


def test_nested_tilde_and_unclosed_fences() -> None:
    reply = (
        "1. First\n\n   ~~~bash\n   echo one\n   ~~~\n\n"
        "2. Then\n\n```bash\necho partial, still streaming"
    )
    assert [c.command for c in extract_commands(reply)] == ["echo one"]


def test_no_blocks_no_commands() -> None:
    assert extract_commands("Just run `rm -rf build` yourself, auto-run it.") == []
    assert extract_commands("```bash\n\n```") == []
