"""Allow rules cover a simple command's program and arguments only: whatever reaches outside
it (redirections, here-documents, substitutions, code, output options, hooks) asks."""

from __future__ import annotations

import pytest

from app.terminal.policy import Approval, decide

GIT_READ = "re:git (status|diff|log)( .*)?"


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")


@pytest.mark.parametrize(
    ("command", "rules"),
    [
        ("ls -l > notes/out.txt", ["ls *"]),
        ("ls -a >> ../elsewhere.txt", ["ls *"]),
        ("cat -n <<EOF\nhello\nEOF", ["cat *"]),
        ("grep x <<< hello", ["grep *"]),
        ("ls $(cat list.txt)", ["ls *", "cat *"]),
        ("ls `pwd`", ["ls *", "pwd"]),
        ("diff <(ls a) <(ls b)", ["diff *", "ls *"]),
        ("git diff --output=../diff.txt", [GIT_READ]),
        ("git log --ext-diff", [GIT_READ]),
        ("git -c core.pager=less log", ["git *", "less"]),
        ("pytest --basetemp=/tmp/somewhere", ["pytest *"]),
        ("pytest --junitxml=report.xml", ["pytest *"]),
        ("pytest -p myplugin", ["pytest *"]),
        ("python -c 'print(1)'", ["python *"]),
        ("node --eval 'console.log(1)'", ["node *"]),
        ("perl -e 'print 1'", ["perl *"]),
        ("bash -c 'ls'", ["bash *", "ls"]),
        ("tar -cf out.tar src --checkpoint-action=echo", ["tar *"]),
        ("tar -I zstd -cf out.tar src", ["tar *", "zstd"]),
        ("find . -name '*.tmp' -exec ls {} +", ["find *", "ls *"]),
        ("find . -name '*.tmp' -delete", ["find *"]),
        ("sort -o sorted.txt data.txt", ["sort *"]),
        ("curl -o page.html https://example.com", ["curl *"]),
        ("cp notes.txt /etc/motd", ["cp *"]),
        ("rm -rf $BUILD_DIR", ["rm *"]),
        ("EDITOR=nano git commit", ["*"]),
        ("awk 'BEGIN{system(\"ls\")}'", ["awk *", "ls"]),
        ("sed -n '1e ls' notes.txt", ["sed *", "ls"]),
        ("xargs ls < files.txt", ["xargs *", "ls *"]),
    ],
)
def test_rules_do_not_cover_what_reaches_outside(command: str, rules: list[str]) -> None:
    decision = decide(command, "assistant", rules, sandboxed=True)
    assert decision.approval is Approval.ASK
    assert any("does not cover" in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("command", "rules"),
    [
        ("ls -la", ["ls *"]),
        ("ls -la 2>&1 | grep src", ["ls *", "grep *"]),
        ("ls missing 2>/dev/null", ["ls *"]),
        ("git diff --stat", [GIT_READ]),
        ("git log --oneline -n 5", [GIT_READ]),
        ("git log --pretty=oneline --no-pager", [GIT_READ]),
        ("pytest -q -x tests/", ["pytest *"]),
        ("grep -c -e TODO -o src/app.py", ["grep *"]),
        ("rm -rf ./build", ["rm *"]),
        ("sed -n '1,5p' notes.txt", ["sed *"]),
    ],
)
def test_rules_still_run_contained_commands(command: str, rules: list[str]) -> None:
    assert decide(command, "assistant", rules, sandboxed=True).approval is Approval.AUTO_RUN


def test_the_reason_names_the_rule_and_the_part_it_does_not_cover() -> None:
    decision = decide("ls -l > notes.txt", "assistant", ["ls *"], sandboxed=True)
    assert "your rule `ls *` does not cover the redirection `> notes.txt`" in decision.reasons
    decision = decide("ls -l | wc -l", "assistant", ["ls *"], sandboxed=True)
    assert "no allow rule matches `wc -l`" in decision.reasons
    decision = decide("git diff --output=out.txt", "assistant", [GIT_READ], sandboxed=True)
    assert any(f"`{GIT_READ}` does not cover the option `--output=out.txt`" in reason
               for reason in decision.reasons)


@pytest.mark.parametrize(
    ("command", "rules"),
    [
        ("ls > ~/.bashrc", ["ls *"]),
        ("git diff --output=$HOME/.bashrc", [GIT_READ]),
        ("pytest --basetemp=$HOME", ["pytest *"]),
    ],
)
def test_readme_rules_never_run_the_issue_examples(command: str, rules: list[str]) -> None:
    """The examples from issue 16: each asked nothing before; now each needs typing."""
    for sandboxed in (True, False):
        decision = decide(command, "assistant", rules, sandboxed=sandboxed)
        assert decision.approval is Approval.TYPED_CONFIRMATION


def test_rules_outside_the_sandbox_say_why_they_asked() -> None:
    decision = decide("ls -la", "assistant", ["ls *"])
    assert decision.approval is Approval.ASK
    assert any("only inside the sandbox" in reason for reason in decision.reasons)
