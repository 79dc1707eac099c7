"""m4's shell calls as `console_escapes` reads them (issue 16): every call, the inner ones
taken on their own, read in one pass whatever the nesting."""

from __future__ import annotations

from app.terminal.console_escapes import console_code
from app.terminal.deny_list import analyse


def test_an_inner_call_is_its_own_command_and_leaves_the_outer_one() -> None:
    _, commands = console_code("m4", [], "syscmd(echo syscmd(`rm -rf ~') (a) b)x", {})
    assert commands == ["rm -rf ~", "echo  (a) b"]


def test_a_call_left_open_runs_to_the_end_of_the_text() -> None:
    assert console_code("gm4", [], "esyscmd(ls (x", {})[1] == ["ls (x"]


def test_a_deep_nest_is_read_and_its_innermost_call_judged() -> None:
    line = "m4 <<< '" + "syscmd(" * 1000 + "rm -rf ~" + ")" * 1000 + "'"
    assert analyse(line).reasons
    quiet = "m4 <<< '" + "syscmd(" * 1000 + "ls" + ")" * 1000 + "'"
    assert not analyse(quiet).reasons and analyse(quiet).certain
