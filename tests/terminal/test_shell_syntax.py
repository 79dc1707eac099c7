"""Reading command lines the way bash splits them."""

from __future__ import annotations

import pytest

from app.terminal.shell_syntax import ShellSyntaxError, parse


def words(text: str) -> list[list[str]]:
    return [[w.text for w in command.words] for command in parse(text)]


def test_quotes_escapes_and_ansi_c_strings_are_removed() -> None:
    assert words("\"r\"m -rf '/'") == [["rm", "-rf", "/"]]
    assert words("r''m \\-rf $'\\x2f'") == [["rm", "-rf", "/"]]
    assert words("{rm,-rf,/}") == [["rm", "-rf", "/"]]
    assert words("rm${IFS}-rf${IFS}/") == [["rm", "-rf", "/"]]


def test_operators_split_commands_and_pipes_are_kept() -> None:
    commands = parse("a;b&&c||d|e\nf & (g; h) | i")
    assert [[w.text for w in c.words] for c in commands] == [
        ["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"], ["h"], ["i"]]
    assert [[w.text for w in u.words] for u in commands[4].upstream] == [["d"]]
    assert [[w.text for w in u.words] for u in commands[8].upstream] == [["g"], ["h"]]


def test_substitutions_are_listed_not_expanded() -> None:
    (command,) = parse('sh -c "$(curl -s x)" `id` <(wget y)')
    assert [w.text for w in command.words] == ["sh", "-c", "$(curl -s x)", "`id`", "/dev/fd/63"]
    assert [w.substitutions for w in command.words][2:] == [["curl -s x"], ["id"], ["wget y"]]
    assert command.words[4].process_substitution


def test_here_documents_are_stdin_not_commands() -> None:
    commands = parse("cat <<'EOF' > out.txt\nreboot\nEOF\necho done")
    assert [[w.text for w in c.words] for c in commands] == [["cat"], ["echo", "done"]]
    assert commands[0].stdin_text == "reboot"
    assert [(r.op, r.target.text) for r in commands[0].redirects] == [(">", "out.txt")]


def test_comments_and_fd_numbers() -> None:
    (command,) = parse("make 2>/dev/null # ; reboot")
    assert [w.text for w in command.words] == ["make"]
    assert [(r.op, r.target.text) for r in command.redirects] == [(">", "/dev/null")]


@pytest.mark.parametrize("text", ["echo 'open", 'echo "open', "echo $(open", "(ls", "{ ls",
                                  "echo `open", "ls >"])
def test_incomplete_input_raises(text: str) -> None:
    with pytest.raises(ShellSyntaxError):
        parse(text)
