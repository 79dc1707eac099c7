"""Cues of the next message that say *how* a reply should change, without saying "no".

Why a module of its own: :mod:`app.signals.nextmsg` reads the generic shape of a next message
(overlap with the request, a question, a thanks); users also correct without rejecting:
they ask again naming another tool ("… with uv instead?"), state a preference ("I prefer
ripgrep, always use rg"), paste the error the reply caused ("wget: command not found"),
point at an omission ("you forgot the -r"), state the right fact ("JST is +9"), or thank and
then instruct ("thanks, but use rg next time"). Each cue here is one named feature in [0, 1];
the weights that combine them are fitted with the others by ``python -m bench.signals_fit``.
Texts arrive normalised (lowercase, one space, plain quotes) by the caller.
"""

from __future__ import annotations

import re

# Why a list: "a tool the reply did not use" needs to know which words name tools; a user
# naming one the reply did not use is the commonest correction after "no, …".
_TOOLS = frozenset(
    re.findall(
        r"\S+",
        """
        uv pip pipx poetry conda pdm npm yarn pnpm bun deno node nvm brew apt apt-get dnf
        yum pacman flatpak choco winget cargo rustup gem composer mvn gradle rg ripgrep grep
        ag ack fd fzf jq yq sed awk perl curl wget httpie aria2c ssh scp rsync sftp rclone
        git hg svn docker podman kubectl helm nerdctl vim nvim neovim nano emacs bat tmux
        zsh bash fish powershell pwsh cmd ls exa eza lsd du ncdu df dust htop btop ps pkill
        killall ss netstat ip ifconfig systemctl journalctl cron crontab tar zip unzip 7z
        gzip xz zstd cmake ninja gcc clang python python3 python2 ipython pytest unittest
        nose tox nox ruff black flake8 mypy pylint isort pandas polars numpy csv json urllib
        requests httpx aiohttp axios jquery react vue svelte typescript javascript bash sh
        sqlite sqlite3 psql mysql postgres imagemagick ffmpeg magick pillow argparse typer
        celsius fahrenheit km miles kilometers kilometres metric imperial utc
        """,
    )
)
_TOOL_WORD = re.compile(r"[a-z0-9][a-z0-9+._-]*")
_FLAG = re.compile(r"(?:^|\s)(--?[a-z][a-z0-9-]*)\b")

_PREFERENCE = re.compile(
    r"\b(?:instead|rather than|i'?d rather|i would rather|i(?: much)? prefer|prefer(?:ably)?|"
    r"always (?:use|give|include|answer|write|show|keep)|from now on|next time|in (?:the )?future|"
    r"by default|i always (?:use|want|prefer|work|run|have)|i only (?:use|have|want)|"
    r"i (?:like|want) it)\b"
)
_ERROR_SHAPE = re.compile(
    r"command not found|not found:|no module named|\b\w*(?:error|exception):|npm err!|"
    r"permission denied|no such file|not a regular file|\bnot installed\b|isn'?t installed|"
    r"\bnot available\b|isn'?t available|syntax error|traceback|^[\w.-]+: [\w.-]+:"
)
_FORGOT = re.compile(
    r"\b(?:you (?:forgot|missed|omitted|skipped|left out|dropped)|forgot (?:the|to|a|an|about)|"
    r"left out|(?:is|are|'s) missing|missing (?:the|a|an)|^missing)\b"
)
_TOLD_YOU = re.compile(
    r"\b(?:i (?:already |just )?(?:told you|mentioned)|as i (?:said|mentioned|told you)|"
    r"like i (?:said|told you)|i said (?:before|already|earlier))\b"
)
_EXCLUSION = re.compile(
    r"\b(?:without|no (?:third[- ]party|extra|external|more) \w+|don'?t use|do not use|"
    r"not using|avoid(?:ing)?|(?:just|only) (?:the )?(?:stdlib|standard library|plain|vanilla|"
    r"built-?in))\b|^no \w+(?: \w+)?,"
)
_STATEMENT_OF_FACT = re.compile(
    r"^(?:it'?s|it is|it was|its|they'?re|they are|that'?s|there are|there is|"
    r"(?!(?:i|we|you|my|our|your)\b)[\w+.-]+ (?:is|are|was|were|has|have))\b"
)
_THANKS_BUT = re.compile(
    r"\b(?:thanks?|thank you|thx|cheers|great|nice|cool|perfect|good)\b"
    r"[\s,!.]*(?:\w+[\s,!.]+){0,2}?(?:but|though|however|although)\b"
)
_THANKS_THEN_ASK = re.compile(
    r"^(?:ok(?:ay)?[\s,!.]*)?(?:thanks?|thank you|thx|cheers|great|nice|cool|perfect|awesome)"
    r"\b[\s,!.:]*(?:(?:and|now|next|so|also)\b[\s,:]*)?(?:how|what|which|can|could|is|are|"
    r"do|does|why|where|when|now|and|next|write|make|show|give|tell)\b"
)
_TOPIC_SWITCH = re.compile(
    r"\b(?:different (?:thing|question|topic)|another (?:thing|question)|new question|unrelated|"
    r"separate question|on another note|by the way|btw|change of (?:topic|subject))\b"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def tools_in(text: str) -> set[str]:
    """Tool, library and unit names, and command-line flags, that ``text`` mentions."""
    words = {w.strip("._-") for w in _TOOL_WORD.findall(text)}
    return {w for w in words if w in _TOOLS} | set(_FLAG.findall(text))


def cue_features(
    prev: str, reply: str, nxt: str, asks: bool, related: bool
) -> dict[str, float]:
    """The change-request cues of next message ``nxt`` about ``reply`` to request ``prev``.

    ``asks`` says whether the next message is a question, ``related`` whether it shares a
    word with the request or the reply: a new number in a question asks for something new,
    stated flatly about the same thing it contradicts the reply; "without …" in a question
    is a follow-up, in a statement a change; a preference about neither the request, the
    reply nor a tool is small talk ("I prefer tea").
    """
    named = tools_in(nxt)
    new_tool = bool(named - tools_in(reply))
    switch = bool(_TOPIC_SWITCH.search(nxt))
    reply_numbers = {n.replace(",", "") for n in _NUMBER.findall(reply + " " + prev)}
    next_numbers = {n.replace(",", "") for n in _NUMBER.findall(nxt)}
    thanks_but = bool(_THANKS_BUT.search(nxt))
    fact = bool(_STATEMENT_OF_FACT.search(nxt)) and not asks
    return {
        "preference": float(bool(_PREFERENCE.search(nxt)) and (related or new_tool)),
        "new_tool": float(new_tool),
        "error_shape": float(bool(_ERROR_SHAPE.search(nxt)) and not switch),
        "forgot": 1.0 if _FORGOT.search(nxt) else 0.0,
        "told_you": 1.0 if _TOLD_YOU.search(nxt) else 0.0,
        "exclusion": float(bool(_EXCLUSION.search(nxt)) and not asks),
        "contradicts_number": float(
            bool(reply_numbers and next_numbers - reply_numbers) and not asks and (related or fact)
        ),
        "fact_statement": float(fact),
        "thanks_but": float(thanks_but and not asks),
        "thanks_then_ask": float(bool(_THANKS_THEN_ASK.search(nxt)) and not thanks_but),
        "topic_switch": float(switch),
    }


# Cues that, alone,  a statement  likely a correction than a new topic.
CHANGE_CUES = (
    "preference", "error_shape", "forgot", "told_you", "exclusion", "contradicts_number",
    "thanks_but",
)
