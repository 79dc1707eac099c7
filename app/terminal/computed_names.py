"""Works out command words that are computed on the line, and flags those it cannot.

Why: the program a simple command runs is its first word, and that word need not be written
out: `s=xreboot; ${s:1}`, `v=cmd; cmd=reboot; ${!v}`, `s=POWEROFF; ${s,,}`, `set -- rm -rf
~; "$@"`, `printf -v c mkfs.ext4; $c /dev/sda1`, `f(){ rm -rf "$1"; }; f ~`, `cp /bin/rm
/tmp/x && /tmp/x -rf ~` or a pattern such as `/s?in/re?oot`. Values set earlier on the same
line are computed here the way bash computes them, so the deny list judges the program that
really runs; a name that still cannot be known is itself a reason for the typed confirmation
(nobody can read which program it is), except the conventional tool variables a user sets
(`$EDITOR`, `$PYTHON`).
"""

from __future__ import annotations

import posixpath
import re
from fnmatch import translate

from app.terminal import risky_paths as paths
from app.terminal.command_words import (
    CODE_RUNNERS,
    Resolved,
    expand_variables,
    options,
    program_name,
)
from app.terminal.pipe_checks import PIPE_DOWNLOAD, fetches, scrambled
from app.terminal.shell_syntax import Command, Word
from app.terminal.static_text import printf_output, static_output

# Variables people set to choose a tool; running `$EDITOR file` is their own choice.
CONVENTIONAL = frozenset({"EDITOR", "VISUAL", "PAGER", "BROWSER", "SHELL", "PYTHON", "PIP",
                          "CC", "CXX", "MAKE", "GIT", "NODE", "NPM", "JAVA", "GO", "CARGO",
                          "DOCKER", "KUBECTL", "TERMINAL", "SUDO", "RUSTC"})
COPIERS = frozenset({"cp", "ln", "install", "mv", "rsync"})
_PARAMETER = re.compile(r"\$\{(!?)([A-Za-z_]\w*|[0-9@*])([^}]*)\}")
_POSITIONAL = re.compile(r"\$([0-9@*#])")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^]]*\])?\+?=")
_GLOB = re.compile(r"(?<!\\)[*?]|\[[^]]+\]")
# Words that make a line Flywheel cannot parse worth a second look before it runs.
_SUSPICIOUS = frozenset({"rm", "dd", "shred", "wipefs", "fdisk", "parted", "shutdown", "reboot",
                         "halt", "poweroff", "init", "systemctl", "kill", "chmod", "chown", "curl",
                         "wget", "eval", "history", "unset", "truncate", "crontab", "mv",
                         "HISTFILE", "sh", "bash", "base64"})


def _pattern(glob: str, anchored_end: bool = True) -> re.Pattern[str]:
    """A shell pattern (`X`, `*/`) as a regular expression, unanchored at the end if asked."""
    expression = translate(glob)  # `(?s:…)\Z`
    return re.compile(expression if anchored_end else expression.removesuffix(r"\Z"))


def _trim(value: str, op: str, glob: str) -> str:
    """`${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`: the shortest or longest match cut off."""
    pattern = _pattern(glob)
    cuts = range(len(value) + 1)
    if op[0] == "#":
        order = reversed(cuts) if op == "##" else cuts
        return next((value[i:] for i in order if pattern.fullmatch(value[:i])), value)
    order = cuts if op == "%%" else reversed(cuts)
    return next((value[:i] for i in order if pattern.fullmatch(value[i:])), value)


def _operate(value: str, rest: str) -> str | None:
    """Applies the operator part of `${name…}` to a known value; None when not understood."""
    if not rest or rest in ("[@]", "[*]"):
        return value
    if match := re.fullmatch(r"\[(\d+)\]", rest):  # an array's element
        items = value.split()
        return items[int(match.group(1))] if int(match.group(1)) < len(items) else ""
    if match := re.fullmatch(r":(-?\d+)(?::(-?\d+))?", rest.replace(" ", "")):
        start = int(match.group(1))
        start = max(0, len(value) + start) if start < 0 else start
        piece = value[start:]
        if match.group(2) is not None:
            length = int(match.group(2))
            piece = piece[:length] if length >= 0 else piece[:max(0, len(piece) + length)]
        return piece
    cases = {",,": str.lower, "^^": str.upper, ",": lambda v: v[:1].lower() + v[1:],
             "^": lambda v: v[:1].upper() + v[1:]}
    if rest in cases:
        return cases[rest](value)
    if match := re.fullmatch(r"(//?|/#|/%)([^/]*)(?:/(.*))?", rest, re.S):
        op, glob, replacement = match.group(1), match.group(2), match.group(3) or ""
        pattern = _pattern(glob).pattern.removeprefix("(?s:").removesuffix(r")\Z")
        if op == "/#":
            return re.sub(f"^(?:{pattern})", replacement, value, count=1)
        if op == "/%":
            return re.sub(f"(?:{pattern})$", replacement, value, count=1)
        return re.sub(f"(?:{pattern})", lambda _m: replacement, value,
                      count=0 if op == "//" else 1)
    if match := re.fullmatch(r"(##?|%%?)(.*)", rest, re.S):
        return _trim(value, match.group(1), match.group(2))
    if match := re.fullmatch(r":?[-=](.*)", rest, re.S):
        return value or match.group(1)
    return None


def expand(text: str, variables: dict[str, str]) -> str:
    """`text` with the variables known on the line filled in, bash's parameter operators
    (`${s:1}`, `${!v}`, `${s,,}`, `${s/X/}`, `${s#x}`) and positional ones (`$1`, `$@`)
    included; anything unknown stays as written."""
    if "$" not in text:
        return text

    def parameter(match: re.Match[str]) -> str:
        indirect, name, rest = match.groups()
        value = variables.get(name)
        if indirect and value is not None:
            value = variables.get(value)
        if value is None:
            default = re.fullmatch(r":?-(.*)", rest, re.S)
            return default.group(1) if default and not indirect else match.group(0)
        done = _operate(value, rest)
        return match.group(0) if done is None else done

    text = _PARAMETER.sub(parameter, text)
    text = _POSITIONAL.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
    return expand_variables(text, variables)


def each_value(text: str, variables: dict[str, str],
               loops: dict[str, list[str]] | None = None) -> list[str]:
    """`text` expanded once for each value a loop variable in it takes (`for f in .bashrc
    .zshrc; do > ~/$f; done` writes `~/.bashrc`, then `~/.zshrc`), else expanded once."""
    for name, values in (loops or {}).items():
        if re.search(rf"\$\{{?{name}(?!\w)", text):
            others = {key: value for key, value in loops.items() if key != name}
            return [done for value in values
                    for done in each_value(text, {**variables, name: value}, others)]
    return [expand(text, variables)]


def loop_values(values: list[str], variables: dict[str, str]) -> list[str]:
    """A `for` loop's words as the values it takes: `"${files[@]}"` and `$list` are filled
    in from the line and split, as bash would."""
    return [part for value in values for part in (
        expand(value, variables).split() if "$" in value else [value])]


# A program's path looked up by name (`which bash`, `command -v sh`, `type -P zsh`).
_LOOKUP = re.compile(r"\s*(?:(?:/usr)?/bin/)?(?:which(?:\s+-a)?|command\s+-v|type\s+-[pP]|"
                     r"whence\s+-p)\s+([\w.+-]+)\s*")


def looked_up(text: str) -> str | None:
    """The program a substitution names by looking it up on the PATH (`$(which bash)` runs
    bash, as surely as `bash`), or None."""
    match = _LOOKUP.fullmatch(text)
    return match.group(1) if match else None


def static_words(command: Command, variables: dict[str, str],
                 loops: dict[str, list[str]] | None = None) -> tuple[list[str], list[Word]]:
    """Word texts with same-line variables and echo-only substitutions filled in.

    An unquoted word that expands to several words is split, as bash would split it (on the
    `IFS` characters when the line set them: `IFS=,; c="rm,-rf,~"; $c`); `"$@"` splits even
    quoted, and an assignment (`p=$(…)`) is never split. A word naming a loop variable
    stands for each of its values (`each_value`). A quoted `'~'` is a file of that name
    (`./~`) unless a code runner before it (`eval`, `watch`, `ssh host`) joins the words and
    parses them again, where the `~` is home after all.
    """
    separators = variables.get("IFS")
    split = re.compile(f"[{re.escape(separators)}]+") if separators else re.compile(r"\s+")
    texts: list[str] = []
    words: list[Word] = []
    reparsed = False
    for word, text in ((w, t) for w in command.words for t in each_value(w.text, variables, loops)):
        for inner in word.substitutions:  # `x=…; eval "$(base64 -d <<<$x)"`: with `$x` known
            filled = expand(inner, variables)
            if (printed := static_output(filled)) is not None or (
                    printed := looked_up(filled)) is not None:
                for spelt in dict.fromkeys((inner, filled)):
                    text = text.replace(f"$({spelt})", printed).replace(f"`{spelt}`", printed)
        reparsed |= program_name(word.text) in CODE_RUNNERS
        if word.lead_quoted and word.text.startswith("~") and not reparsed and \
                not re.search(r"\s", text):
            text = "./" + text  # `rm -rf '~'`: a file named `~` in the working folder
        splits = not word.quoted or bool(re.fullmatch(r"\$@|\$\{(?:@|\w+\[@\])\}", word.text))
        parts = [p for p in split.split(text) if p] if text != word.text and splits and \
            not _ASSIGNMENT.match(word.text) else [text]
        if word.text in ("$@", "${@}") and "#" in variables:  # each parameter is one word
            count = int(variables["#"])
            parts = [variables.get(str(i), "") for i in range(1, count + 1)]
            parts = parts if word.quoted else [p for part in parts for p in split.split(part) if p]
        texts += parts
        words += [word] * len(parts)
    return texts, words


def read_fields(args: list[str], values: list[str], separators: str | None) -> dict[str, str]:
    """What `read` sets from the one line it is fed, split on `IFS` as bash splits it (`IFS=/
    read -ra p <<< 'x/rm/-rf'` makes `${p[1]}` `rm`): with `-a NAME` every field is one of
    the array's items, else each name takes a field and the last name the rest; {} unless
    exactly one line is known."""
    array, names, index = None, [], 0
    while index < len(args):
        arg = args[index]
        index += 1
        if re.fullmatch(r"-[a-zA-Z]+", arg):
            valued = next((letter for letter in arg[1:] if letter in "adpntNu"), None)
            if valued:
                stuck = arg[arg.index(valued) + 1:]  # `-aarr`: the array is arr
                value = stuck or (args[index] if index < len(args) else "")
                index += 0 if stuck else 1
                array = value if valued == "a" else array
        else:
            names.append(arg)
    if len(values) != 1 or not (array or names):
        return {}
    pattern = f"[{re.escape(separators)}]+" if separators else r"\s+"
    fields = [field for field in re.split(pattern, values[0].strip()) if field]
    if array:
        return {array: " ".join(fields)}
    found = dict(zip(names, fields, strict=False))
    if len(fields) > len(names):
        found[names[-1]] = (separators or " ")[0].join(fields[len(names) - 1:])
    return found


def record(name: str, args: list[str], variables: dict[str, str],
           copies: dict[str, str]) -> None:
    """What a command sets up for later commands on the line: `set -- …` (the positional
    parameters), `printf -v NAME …` (a variable), and `cp/ln SRC DEST` or `hash -p SRC NAME`
    (a program that can now be run under another name)."""
    if name == "set" and args[:1] == ["--"]:
        positional = args[1:]
        variables.update({str(i): value for i, value in enumerate(positional, start=1)})
        variables["@"] = variables["*"] = " ".join(positional)
        variables["#"] = str(len(positional))
    elif name == "printf" and len(args) >= 3 and args[0] == "-v":
        if (printed := printf_output(args[2:])) is not None:
            variables[args[1]] = printed
    elif name == "hash" and len(args) >= 3 and args[0] == "-p":  # `hash -p /sbin/reboot ls`
        for alias in args[2:]:
            copies[alias] = program_name(args[1])
    elif name in COPIERS:
        files = [a for a in args if not a.startswith("-")]
        if len(files) == 2:
            source = program_name(files[0])
            for spelling in (files[1], paths.expand(files[1]) or ""):
                if spelling:
                    copies[spelling] = source
                    copies[posixpath.basename(spelling)] = source


def copied_program(head: str, copies: dict[str, str]) -> str | None:
    """The program a copy or link made on the line stands for, when `head` runs it."""
    if not copies:
        return None
    for spelling in (head, paths.expand(head) or "", head.removeprefix("./")):
        if spelling and spelling in copies:
            return copies[spelling]
    return None


def hidden_name(head: str, in_function: bool = False) -> str | None:
    """Why the program named by `head` cannot be known before it runs, or None.

    A pattern counts only outside the working folder (`/s?in/re?oot`; `./scripts/*.sh` runs
    the project's own file). In a function's body the positional parameters (`"$@"`) are
    only known at the call, where the body is judged again with them.

    Only the name matters: `$HOME/bin/tool` runs `tool`, however its folder is spelt. A
    name that is a whole command substitution (`eval "$(ssh-agent -s)"`) runs that command's
    output, which is judged where it is made (downloads, decoders, scrambled text)."""
    name = posixpath.basename(head)
    if in_function and re.fullmatch(r"\$\{?[0-9@*]\}?", head):
        return None
    if re.fullmatch(r"\$\((?:[^()]|\([^()]*\))*\)|`[^`]*`", head):
        return None
    if "$" in name or "`" in name:
        used = re.findall(r"\$\{?(\w+)", name)
        if used and set(used) <= CONVENTIONAL and re.fullmatch(r"\$\{?\w+(?::-[\w./-]*)?\}?",
                                                                  name):
            return None
        return (f"runs a program whose name (`{head}`) is computed while it runs, so nobody "
                "can read which program it is")
    if _GLOB.search(head) and head.startswith(("/", "~", "$")):
        return (f"runs a program named by a pattern (`{head}`), so nobody can read which "
                "program it is")
    return None


def hidden_program_reasons(resolved: Resolved, scrambled_names: set[str],
                           cwd: str | None) -> list[str]:
    """What else is known of a program whose name is hidden: it comes from a download, from
    text scrambled on the line, or it is run recursively on a precious folder."""
    head = resolved.head
    reasons = []
    if head and any(fetches(inner) for inner in head.substitutions):
        reasons.append(PIPE_DOWNLOAD)
    used = set(re.findall(r"\$\{?(\w+)", head.text if head else ""))
    if used & scrambled_names or (head and any(map(scrambled, head.substitutions))):
        reasons.append("runs a command rebuilt from scrambled text while it runs, so nobody "
                       "can read it first")
    short, long_, targets = options(resolved.args)
    if short & {"r", "R"} or "--recursive" in long_:
        for target in targets:
            path = paths.expand(target, cwd)
            if path and (described := paths.describe_precious(path)):
                reasons.append(f"runs a hidden command recursively on {described}")
    return reasons


def risky_mentions(text: str) -> list[str]:
    """The risky program names, and keys or credentials, that a line nobody could parse
    mentions: which program it runs cannot be known, so these words alone ask for typing."""
    words = {posixpath.basename(w) for w in re.findall(r"[\w./~:-]+", text)}
    hits = sorted(w for w in words if w in _SUSPICIOUS or w.startswith("mkfs"))
    unquoted = re.findall(r"[\w./~*$-]+", re.sub(r"[\"']", "", text))
    return hits + (["your keys or credentials"] if any(map(paths.mentions_secret, unquoted))
                   else [])
