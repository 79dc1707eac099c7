"""Whether a shell command may run at once, needs a click, or needs a typed confirmation.

Why this shape: the model proposes commands, and nothing it writes may approve itself. So
`decide` takes allow rules only from its caller (the user's settings), never from the reply;
the built-in deny list (`deny_list`) outranks every allow rule; and a command Flywheel cannot
read with certainty is never run without a click.

Allow rules are written by the user, one per line in settings:
- a glob (`fnmatch`, case-sensitive, `*` matches anything including spaces), e.g.
  `git status`, `ls *`, `pytest *`;
- or a regular expression when prefixed with `re:`, matched against the whole command, e.g.
  `re:git (status|diff|log)( .*)?`.
A rule is checked against every simple command in the line separately, program and
arguments only, so `ls *` allows `ls -la` but not `ls; rm -rf build`. A rule never covers
what reaches outside the command (`containment`): a redirection (`ls > ~/.bashrc`), a
here-document, `$( )` or backticks, code given with `-c`/`-e`/`--eval`, output options
(`--output`, `-o`, `--basetemp`), hooks and pagers (`-c core.pager=`, `--checkpoint-action`,
`-exec`); such a command asks, and the reason names the part the rule does not cover.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase

from app.terminal.deny_list import analyse
from app.terminal.inspection import Segment

ORIGINS = ("assistant", "user")
REGEX_PREFIX = "re:"


class Approval(Enum):
    """How much the user has to do before a command runs."""

    AUTO_RUN = "auto"
    ASK = "ask"
    TYPED_CONFIRMATION = "typed"


@dataclass(frozen=True)
class Decision:
    """The approval needed and the plain-language reasons to show next to the command."""

    approval: Approval
    reasons: tuple[str, ...]


def allow_rule_error(rule: str) -> str | None:
    """Why an allow rule is unusable (for the settings dialog), or None when it is fine."""
    if not rule.strip():
        return "the rule is empty"
    if rule.startswith(REGEX_PREFIX):
        try:
            re.compile(rule[len(REGEX_PREFIX):])
        except re.error as exc:
            return f"not a valid regular expression: {exc}"
    return None


def _matching_rule(segment: str, rules: Sequence[str]) -> str | None:
    for rule in rules:
        if allow_rule_error(rule):
            continue
        if rule.startswith(REGEX_PREFIX):
            if re.fullmatch(rule[len(REGEX_PREFIX):], segment):
                return rule
        elif fnmatchcase(segment, rule.strip()):
            return rule
    return None


def decide(command: str, origin: str, allow_rules: Sequence[str], *,
           sandboxed: bool = False) -> Decision:
    """Decides how `command` may run.

    `origin` is "assistant" (proposed by the model: needs a click unless every part matches
    an allow rule and the run is `sandboxed`) or "user" (typed or edited by the user: runs
    at once). Allow rules never auto-run a command outside the sandbox. The deny list
    yields TYPED_CONFIRMATION whatever the origin and the rules. Invalid rules are ignored
    (they match nothing); use `allow_rule_error` to report them.
    """
    if origin not in ORIGINS:
        raise ValueError(f"unknown command origin {origin!r}; expected one of {ORIGINS}")
    if not command.strip():
        raise ValueError("the command is empty")
    analysis = analyse(command)
    if analysis.reasons:
        return Decision(Approval.TYPED_CONFIRMATION, analysis.reasons)
    if origin == "user":
        return Decision(Approval.AUTO_RUN, ("you wrote this command yourself",))
    if not analysis.certain:
        return Decision(Approval.ASK, ("Flywheel could not read every part of this command",))
    return _by_rules(analysis.segments, allow_rules, sandboxed)


def _by_rules(segments: Sequence[Segment], allow_rules: Sequence[str],
              sandboxed: bool) -> Decision:
    """AUTO_RUN when every segment matches a rule that may cover it and the run is sandboxed;
    otherwise ASK, saying which part no rule matches or which part a rule cannot cover."""
    matched = [_matching_rule(segment.text, allow_rules) for segment in segments]
    reasons = ["proposed by the assistant"]
    for segment, rule in zip(segments, matched, strict=True):
        if rule and segment.uncovered:
            reasons.append(f"your rule `{rule}` does not cover {', '.join(segment.uncovered)}")
        elif not rule and any(matched):
            reasons.append(f"no allow rule matches `{segment.text}`")
    if not matched or len(reasons) > 1 or not all(matched):
        return Decision(Approval.ASK, tuple(dict.fromkeys(reasons)))
    rules = ", ".join(f"`{rule}`" for rule in dict.fromkeys(rule for rule in matched if rule))
    if not sandboxed:
        return Decision(Approval.ASK, (
            *reasons, f"your allow rule {rules} runs commands without a click only inside "
                      "the sandbox"))
    return Decision(Approval.AUTO_RUN, (f"matches your allow rule {rules}",))
