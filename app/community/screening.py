"""Content checks every community skill must pass: at the hub when it is submitted, and again
on the receiving member's machine when it is imported.

A valid signature and membership token say who sent a skill, not that it is safe: a member
may send text written to steer other members' assistants. Whatever a skill says ends up in a
small model's prompt, and a small model copies what it sees (its worked examples most of
all), so a skill is refused, with the reasons stated, when its text or examples:

- show a command Flywheel's deny list flags (:func:`app.terminal.policy.decide`): in a shell
  code block, an inline code span, or a line of an example answer — anywhere, even as the
  anti-pattern, because a copied anti-pattern runs the same;
- try to steer the assistant: ignore the user, previous instructions or the system prompt,
  run or approve commands on their own, touch allow rules, or forge turns with control
  tokens (ChatML's ``<|im_start|>``, ``<|endoftext|>``, ``[INST]``, ``<start_of_turn>`` …);
- fetch something from the network and run it (``curl … | sh``, ``bash <(wget …)``,
  ``iwr … | iex``);
- carry a secret (the anonymizer's own detector, :func:`secret_spans`);
- hide text with invisible or direction-changing characters.

The text is normalised first (NFKC, so full-width look-alikes become ASCII; invisible
characters removed, so ``cu\u200brl`` reads ``curl``) and the checks run on what a model
would effectively read. Policy is *unsure -> refuse*: a refused skill costs its author an
edit, an accepted hostile one reaches every member who trusts the hub.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from app.community.anonymize.credentials import secret_spans
from app.skills.skill import SkillFormatError, example_pairs, parse_skill
from app.terminal.policy import Approval, decide
from app.terminal.proposals import extract_commands

COMMAND, STEERING, CONTROL_TOKEN, FETCH_AND_RUN, SECRET, HIDDEN = (
    "command", "steering", "control-token", "fetch-and-run", "secret", "hidden")
MAX_FINDINGS = 6
_QUOTE_CHARS = 80

_HIDDEN = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_INLINE_CODE = re.compile(r"(?<!`)(`{1,2})([^`\n]+?)\1(?!`)")
_PROMPT = re.compile(r"^\s*(?:\$|#|>|PS [^>]*>)\s+")
# A program name or path starts a command; `$`, `=$D2<0` (a formula) or `{…}` do not.
_COMMAND_START = re.compile(r"[\w./~]")
_PLACEHOLDER = re.compile(r"<[A-Za-z][\w .:/-]{0,40}>")
_FENCE = re.compile(r"^\s*(```|~~~)")

_I = re.IGNORECASE | re.MULTILINE
_IGNORE = r"(?:ignore|disregard|forget|override|bypass|abandon|set aside)"
_STEERING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_IGNORE}\W+(?:(?:all|any|the|your|every|these|those|its|of)\W+){{0,3}}"
                r"(?:(?:previous|prior|above|earlier|preceding|former|original|initial|other|"
                r"existing|system|safety|developer|user'?s?)\W+)?"
                r"(?:instructions?|prompts?|rules?|directions?|guidelines?|directives?|"
                r"constraints?|guardrails?|polic(?:y|ies))\b", _I),
     "tells the assistant to ignore its instructions"),
    (re.compile(rf"\b{_IGNORE}\W+(?:(?:everything|anything|all)\W+(?:above|before|else|"
                r"prior|previous|you(?:'ve| have| were)? (?:been )?told)|(?:the\W+)?"
                r"(?:above|foregoing)\b)", _I),
     "tells the assistant to ignore what it was told"),
    (re.compile(rf"\b{_IGNORE}\W+(?:what\W+|whatever\W+)?(?:the\W+|your\W+)?(?:user|human)"
                r"(?![\w'-])|\b(?:do not|don'?t|never)\W+(?:tell|inform|warn|show)\W+"
                r"(?:the\W+)?user\b", _I),
     "tells the assistant to ignore the user"),
    (re.compile(r"\bsystem[\s_-]*(?:prompt|message|instructions?)\b", _I),
     "refers to the assistant's system prompt"),
    (re.compile(r"\bauto[\s_-]*(?:run|approve|approval|execute|accept|confirm)|"
                r"\b(?:run|execute|approve|accept|launch)\w*\W+(?:(?:it|them|this|that|these|"
                r"the|all|every|any|commands?|scripts?|following)\W+){0,3}"
                r"(?:automatically|immediately|right away|straight away|unattended|silently|"
                r"without (?:asking|confirm\w*|approv\w*|a click|permission|prompting|"
                r"checking|review\w*))|"
                r"\balways\W+(?:run|execute|approve|accept)\b|"
                r"\bwithout (?:asking|consulting|telling|confirming with) the user\b|"
                r"\b(?:do not|don'?t|never|no need to)\W+(?:ask|wait|check)\w*\W+"
                r"(?:(?:the|user|for|with|before)\W+){0,3}"
                r"(?:confirm\w*|approv\w*|permission|consent)|"
                r"\bskip\w*\W+(?:the\W+)?(?:approval|confirmation|sandbox)", _I),
     "tells the assistant to run or approve commands on its own"),
    (re.compile(r"\ballow[\s_-]*(?:rules?|list(?:ed)?)\b|\ballowlist|\bwhite[\s_-]?list|"
                r"\bflywheel\s*:\s*allow\b|\btrusted[\s_-]*commands?\b", _I),
     "tries to change which commands are allowed to run"),
    (re.compile(r"\byou are now\b|\bnew (?:system )?instructions?\s*:|\bdeveloper mode\b|"
                r"\bjailbreak|\bpretend (?:to be|you are)\b|\bdo anything now\b", _I),
     "tries to give the assistant a new role or new instructions"),
)
_CONTROL_TOKENS = re.compile(
    r"<\|[^|<>\n]{0,40}\|>|<\||\|>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_(?:turn|text)>|</?s>|<\|?eot(?:_id)?\|?>|"
    r"<(?:bos|eos|pad|unk)>|^\s*#{0,4}\s*(?:system|assistant)\s*:|^\s*###\s*(?:instruction|"
    r"response|system)\b", _I)
_DOWNLOADER = (r"(?:curl|wget|fetch|aria2c|iwr|irm|invoke-webrequest|invoke-restmethod|"
               r"lwp-request|nc|ncat|socat)")
_RUNNER = (r"(?:sudo\s+(?:-\S+\s+)*)?(?:\S*/)?(?:(?:ba|z|da|k|c|tc|fi|a|y)?sh|python[0-9.]*|"
           r"perl|ruby|node|php|iex|invoke-expression|pwsh|powershell|source)\b")
_FETCH_AND_RUN = re.compile(
    rf"\b{_DOWNLOADER}\b[^\n|]*\|\s*(?:-\s*)?{_RUNNER}|"
    rf"\b{_RUNNER}\s+(?:-\w+\s+)*[\"']?(?:<|\$)\(\s*{_DOWNLOADER}\b|"
    rf"(?:^|[\s;&(])\.\s+<\(\s*{_DOWNLOADER}\b|"
    rf"\b(?:iex|invoke-expression)\b[^\n]{{0,40}}(?:{_DOWNLOADER}\b|downloadstring|"
    r"net\.webclient)|"
    rf"\b{_DOWNLOADER}\b[^\n]*(?:&&|;|\|\|)\s*(?:{_RUNNER}\s+\S|(?:sudo\s+)?\./\S)|"
    r"\bpipe\w*\W+(?:(?:it|this|that|the|script|output|file)\W+){0,3}(?:in)?to\W+"
    rf"{_RUNNER}", _I)


@dataclass(frozen=True)
class Finding:
    """One reason to refuse a skill: its kind and a sentence a member can act on."""

    kind: str
    reason: str


class ScreeningError(ValueError):
    """A community skill that must not reach anyone's prompt; the message says why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.reasons = "; ".join(f.reason for f in findings)
        super().__init__(f"this skill was refused because {self.reasons}")


def normalise(text: str) -> str:
    """What a model effectively reads: NFKC, invisible and direction characters removed."""
    return _HIDDEN.sub("", unicodedata.normalize("NFKC", text))


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1] + "…"


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _answer_lines(answer: str) -> list[str]:
    """Each line of an example answer as a model would copy it (fences and prompts gone)."""
    lines = []
    for line in answer.splitlines():
        if _FENCE.match(line) or not line.strip():
            continue
        lines.append(_PROMPT.sub("", line).strip())
    return lines


def _commands(text: str) -> list[str]:
    """Every command-like piece of ``text``: shell code blocks, and the inline code spans and
    lines of example answers that start like a command (a program name or a path)."""
    pieces = [match.group(2).strip() for match in _INLINE_CODE.finditer(text)]
    try:
        examples = parse_skill(text, "<community skill>").examples
    except SkillFormatError:
        examples = example_pairs(text)
    for _request, answer in examples:
        pieces += _answer_lines(answer)
    found = [proposed.command for proposed in extract_commands(text)]
    found += [piece for piece in pieces if _COMMAND_START.match(piece)]
    return [command for command in dict.fromkeys(found) if command]


def _command_findings(text: str) -> list[Finding]:
    """One finding per deny-list reason (a code span and the line around it say the same).

    Placeholders (``<url>``, ``<HOST>``, as people and the anonymizer write them) are read as
    plain words: as shell they would be redirections the deny list cannot read."""
    findings: dict[str, Finding] = {}
    for command in _commands(text):
        try:
            decision = decide(_PLACEHOLDER.sub("placeholder", command), "assistant", [])
        except ValueError:
            continue
        reason = decision.reasons[0] if decision.reasons else ""
        if decision.approval is Approval.TYPED_CONFIRMATION and reason not in findings:
            findings[reason] = Finding(COMMAND, f"it proposes the command `{_quote(command)}`, "
                                                f"which Flywheel's deny list flags ({reason})")
    return list(findings.values())


def screen_text(text: str) -> list[Finding]:
    """Why the SKILL.md ``text`` must not be shared or imported; ``[]`` when it may be."""
    findings: list[Finding] = []
    hidden = _HIDDEN.search(text)
    if hidden:
        findings.append(Finding(HIDDEN, f"it hides text with an invisible character "
                                        f"(U+{ord(hidden.group()):04X}, line "
                                        f"{_line(text, hidden.start())})"))
    plain = normalise(text)
    for pattern, reason in _STEERING:
        match = pattern.search(plain)
        if match:
            findings.append(Finding(STEERING, f"it {reason} (“{_quote(match.group())}”, "
                                              f"line {_line(plain, match.start())})"))
    token = _CONTROL_TOKENS.search(plain)
    if token:
        findings.append(Finding(CONTROL_TOKEN, f"it contains a chat control token "
                                               f"(“{_quote(token.group())}”, line "
                                               f"{_line(plain, token.start())}) that could "
                                               "forge a turn of the conversation"))
    fetch = _FETCH_AND_RUN.search(plain)
    if fetch:
        findings.append(Finding(FETCH_AND_RUN, f"it downloads something and runs it "
                                               f"(“{_quote(fetch.group())}”, line "
                                               f"{_line(plain, fetch.start())})"))
    findings += _command_findings(plain)
    secret = next(iter(secret_spans(plain)), None)
    if secret is not None:
        findings.append(Finding(SECRET, f"it contains what looks like a secret (a key, token "
                                        f"or password, line {_line(plain, secret.start)}); a "
                                        "shared skill must not carry credentials"))
    return list({f.reason: f for f in findings}.values())[:MAX_FINDINGS]


@functools.lru_cache(maxsize=256)
def admissible(text: str) -> bool:
    """Whether an imported skill's text (its description and body) still passes the checks.

    Imports are screened already; this is asked again wherever community text is used (a
    prompt, a training run), so a skill imported before a check existed, or edited since,
    never reaches the model whatever way it entered the library. Each text is checked once.
    """
    return not screen_text(text)


def skill_text(description: str, body: str) -> str:
    """What :func:`admissible` is asked about a library skill."""
    return f"{description}\n\n{body}"


def check_text(text: str) -> None:
    """Raise :class:`ScreeningError` with every reason found (see :func:`screen_text`)."""
    findings = screen_text(text)
    if findings:
        raise ScreeningError(findings)
