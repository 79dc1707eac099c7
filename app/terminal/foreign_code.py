"""Code in any language that starts a program: read when it is literal, flagged when not.

Why: `code_checks` reads the common ways code runs a shell (`os.system("…")`, `exec("…")`),
but every language has its own (`(system* "rm" "-rf" …)`, `["rm", …].execute()`,
`new ProcessBuilder(…)`, `run(Cmd(…))`, `sb-ext:run-program`, `exec {*}[…]`), and a one-liner
can build the command while it runs (`os.system(''.join(map(chr, […])))`,
`system(string.reverse("…"))`). Listing spellings never ends, so the rule is structural:
wherever code starts a program, the command must be written out as plain text, which is then
judged like any shell command; a command built while the code runs cannot be read by anyone
first, and needs the typed confirmation. Code that starts no program (`print(1+2)`,
`disp(pi)`) is unaffected. Build files fed on standard input (`cmake -P /dev/stdin`,
`ninja -f /dev/stdin`, `ant -f -`) and code hidden in options (`rpm --eval '%{lua:…}'`,
`mvn exec:exec -Dexec.executable=…`) are found here too.
"""

from __future__ import annotations

import re
import shlex
from itertools import pairwise

from app.terminal.code_checks import normalise
from app.terminal.console_escapes import console_code
from app.terminal.editor_escapes import ex_shell_commands

# Places where code starts a program. Each is followed by what it runs: call arguments,
# the rest of a Lisp form, or the receiver before it (`[…].execute()`).
_STARTS = re.compile(
    r"(?P<lisp>\(\s*(?:[\w.-]+[:/])*(?:system\*?|run-program|sh|shell-command[\w-]*|call-process[\w-]*|"
    r"process-lines|start-process[\w-]*|process_create|shell)\s)"
    r"|(?P<receiver>\.execute\s*\(\s*\)|\.!!?(?![=\w]))"
    r"|(?P<method>\.(?:execSync|execFileSync|spawnSync|exec|execFile|spawn)\s*\()"
    r"|(?P<call>(?<![\w.$-])(?:(?:os|io|IO|Kernel|Open3|subprocess|child_process|"
    r"Runtime\.getRuntime\(\)|exec|Deno|Process|System|os|sb-ext|uiop|shutil|"
    r"System\.Process|clojure\.java\.shell)\s*[.:/]\s*)?"
    r"(?:system[2*]?|exec[lv]?p?e?|execute|popen\w*|spawn\w*|shell_exec|passthru|proc_open|"
    r"cmd|callCommand|callProcess|readProcess\w*|spawnCommand|pcntl_exec|runProgram|"
    r"check_output|check_call|call|run|Popen|getoutput|getstatusoutput|execSync|execFileSync|"
    r"spawnSync|capture[23]e?|ProcessBuilder|Command|Cmd|shell|unix|dos|qx)\s*(?:\(|(?=[\s{]\S)))")
# Call names that only start a program when qualified (`subprocess.run`, `exec.Command`).
_QUALIFIED_ONLY = frozenset({"call", "run", "Command", "execute", "unix", "dos", "Cmd", "cmd"})
_CALLBACK = re.compile(r",\s*(?:async\s+)?(?:\([^()]*\)|\w+)\s*=>.*|,\s*function\b.*", re.S)
_BACKTICK_HOSTS = frozenset({"ruby", "irb", "perl", "php"})
# Ruby's `%x(…)` and Perl's `qx{…}`: a backtick string by another spelling, any brackets.
_COMMAND_LITERAL = re.compile(r"(?<![\w$@%])(?:%x|qx)\s*(?:\((?P<p>[^()`]*)\)|\{(?P<b>[^{}`]*)\}"
                              r"|\[(?P<s>[^\[\]`]*)\]|<(?P<a>[^<>`]*)>|(?P<q>[/|!'])(?P<o>[^`]*?)(?P=q))")
# Text put into a string while the code runs: `#{…}` (Ruby), `${…}` in a template literal.
_PLACEHOLDER = re.compile(r"#\{|^`.*\$\{", re.S)
_LITERAL = re.compile(r"(['\"`])((?:\\.|(?!\1).)*)\1", re.S)
# What may stand between the literal words of a written-out command.
_NEUTRAL = re.compile(
    r"\b(?:shell|check|capture_output|text|cwd|stdout|stderr|env|timeout|universal_newlines|"
    r"encoding|wait|stdio|inherit|args|list|vector|new|True|False|None|nil|true|false|t|"
    r"subprocess|DEVNULL|PIPE|waitFor|start|String|qw|sys\.executable|process\.execPath|"
    r"RbConfig\.ruby|shlex\.split|split)\b|\$\^X|[\s,\[\](){}:=+;.>-]|\d+")
# A shell started with its input a pipe the code writes into: Perl's `open(F, "|sh")` or
# `open(F, "|-", "bash")`, any language's popen/spawn of a shell for writing.
_SHELL = r"""['"](?:/usr)?(?:/bin/)?(?:ba|da|z|k|a)?sh['"]"""
_SHELL_PIPE = re.compile(
    rf"""\bopen\s*\(?\s*(?:my\s+)?[$\w]+\s*,\s*(?:['"]\|\s*(?:/usr)?(?:/bin/)?(?:ba|da|z|k|a)?sh\s*['"]"""
    rf"""|['"]\|-['"]\s*,\s*{_SHELL})|\b(?:popen|Popen|spawn|proc_open)\s*\(\s*\[?\s*{_SHELL}""")
_BUILD_FILE_OPTIONS = {"cmake": ("-P",), "ant": ("-f", "-buildfile", "-file"),
                       "scons": ("-f", "--file", "--sconstruct"), "ninja": ("-f",),
                       "meson": (), "rake": ("-f",), "gradle": ("-b",)}
_VI_EDITORS = frozenset({"vim", "vi", "nvim", "ex", "view", "gvim", "vimdiff", "rvim"})
_NINJA_COMMAND = re.compile(r"^\s*command\s*=\s*(.+)$", re.M)
_RPM_LUA = re.compile(r"%\{lua:(.*)\}", re.S)


def _statement_before(code: str, end: int) -> str:
    start = max(code.rfind(mark, 0, end) for mark in (";", "\n", "{", "="))
    return code[start + 1:end]


def _span(code: str, start: int, closer: str | None, limit: int = 400) -> str:
    """Text from `start` up to the bracket that closes the call or form (or the statement's
    end when the call has no brackets), string literals skipped whole."""
    depth, index, end = 0, start, min(len(code), start + limit)
    while index < end:
        char = code[index]
        if char in "'\"`" and (literal := _LITERAL.match(code, index)):
            index = literal.end()
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return code[start:index]
            depth -= 1
        elif closer is None and depth == 0 and char in ";\n":
            return code[start:index]
        index += 1
    return code[start:end]


def _runs(code: str, host: str) -> list[str]:
    """The text of what each program start in `code` is given. Python's bare `exec(…)` runs
    Python: of a file or a plain string it is read with the rest; of text built while the code
    runs (`exec(codecs.decode(…))`) it counts as built."""
    found = []
    for match in _STARTS.finditer(code):
        text = match.group(0)
        if match.group("receiver"):
            found.append(_statement_before(code, match.start()))
        elif match.group("method"):
            if "child_process" in code:  # `require('child_process').execSync(…)`
                found.append(_span(code, match.end(), ")"))
        elif match.group("lisp"):
            found.append(_span(code, match.end(), ")"))
        else:
            name = re.sub(r"^.*[.:]\s*", "", text).rstrip("( \t{")
            qualified = bool(re.match(r"\w[\w()-]*\s*[.:]", text))
            if name in _QUALIFIED_ONLY and not qualified and not (
                    name in ("run", "call") and re.match(r"\s*[`\[]|\s*Cmd\b",
                                                       code[match.end():])):
                continue
            if host == "python" and name in ("exec", "eval") and not qualified and re.fullmatch(
                    r"\s*(?:open\([^()]*\)\.read\(\)|(['\"]).*\1)\s*",
                    _span(code, match.end(), ")"), re.S):
                continue  # Python run from a file or a plain string, read with the rest
            found.append(_span(code, match.end(), ")" if text.endswith("(") else None))
    return found


def _bound(code: str, given: str) -> str:
    """Names in `given` that the code sets once to a literal (`cmd = ["git", "status"]`;
    `my $c = "ls"`) replaced by that literal, so `subprocess.run(cmd)` reads as written out."""
    def literal(match: re.Match[str]) -> str:
        name = match.group(0)
        found = re.findall(rf"(?<![\w.$]){re.escape(name)}\s*=(?!=)\s*([^;\n]+)", code)
        if len(found) != 1:
            return name
        value = found[0].strip().rstrip(",")
        stripped = _NEUTRAL.sub("", _LITERAL.sub("", value))
        return value if _LITERAL.search(value) and not re.search(r"[A-Za-z_]", stripped) \
            else name

    return re.sub(r"(?<![\w.'\"])[$@]?[A-Za-z_]\w*(?![\w'\"(])", literal, given)


def program_starts(code: str, host: str = "") -> tuple[list[str], bool]:
    """(commands written out in full where `code` starts a program, whether any start's
    command is built while the code runs and so cannot be read).

    A written-out command is its literal words joined (`["rm", "-rf", "~"]` is `rm -rf ~`).
    In Ruby, Perl and PHP a backtick string is itself a command (`` `#{x}` ``), and so is
    Ruby's `%x(…)` and Perl's `qx{…}`.
    """
    code = normalise(code)
    commands, hidden = [], False
    if host in ("ruby", "irb", "perl"):
        code = _COMMAND_LITERAL.sub(lambda m: "`" + next(
            body for body in m.group("p", "b", "s", "a", "o") if body is not None) + "`", code)
    quoted = re.findall(r"`[^`]*`", code) if host in _BACKTICK_HOSTS else []
    commands += _piped_to_shell(code)
    for given in _runs(code, host) + quoted:
        given = _CALLBACK.sub("", given)  # `exec('ls', (e, out) => …)`: the callback runs later
        given = _bound(code, given)
        words = [_unescaped(body) for _quote, body in _LITERAL.findall(given)]
        rest = _NEUTRAL.sub("", _LITERAL.sub("", given))
        hidden |= any(_PLACEHOLDER.search(m.group(0)) for m in _LITERAL.finditer(given))
        if re.search(r"[A-Za-z_$@%&*!|]", rest) or any(re.search(r"\\\d", w) for w in words):
            hidden = True  # built from names, or from escapes the checks cannot decode
        elif words and re.search(r"['\"`]\s*(?:\+|\.\.?|<>|\^|&)\s*['\"`]", given):
            commands.append(_joined(given))  # `"rm -rf " . "~"`: one string, concatenated
        elif words:
            commands.append(" ".join(w if len(words) == 1 or not re.search(r"\s", w)
                                     else shlex.quote(w) for w in words))
    return commands, hidden


def _piped_to_shell(code: str) -> list[str]:
    """What code prints into a shell it opened as a pipe (`open(P, "|sh"); print P "rm …"`,
    `IO.popen("bash", "w") { |p| p.puts "…" }`, `Popen(["sh"], stdin=PIPE)…write(b"…")`):
    every string written after the opening is a line of that shell's input."""
    opened = _SHELL_PIPE.search(code)
    if not opened:
        return []
    return [body.replace("\\n", "\n") for _quote, body in _LITERAL.findall(code[opened.end():])
            if body.strip() and not re.fullmatch(r"[wr]\+?|\|-|-", body.strip())]


def _unescaped(body: str) -> str:
    """A literal's text as the program sees it: `\\"`, `\\'` and `\\\\` stand for the character
    in every language read here (a decoded payload's quotes arrive escaped so)."""
    return re.sub(r"\\([\"'\\])", r"\1", body)


def _joined(given: str) -> str:
    """Literals joined by a concatenation operator are one word; a comma between them starts
    the next (`"rm", "-rf", "~" + "/Documents"` is `rm -rf ~/Documents`)."""
    parts, last = [""], 0
    for match in _LITERAL.finditer(given):
        if "," in given[last:match.start()] and parts[-1]:
            parts.append("")
        parts[-1] += _unescaped(match.group(2))
        last = match.end()
    if len(parts) == 1:
        return parts[0]
    return " ".join(p if not re.search(r"\s", p) else shlex.quote(p) for p in parts)


def build_file_option(name: str, args: list[str]) -> str | None:
    """The build file a build tool is told to read (`cmake -P x`, `ninja -f x`), or None."""
    flags = _BUILD_FILE_OPTIONS.get(name, ())
    for index, arg in enumerate(args):
        if arg in flags and index + 1 < len(args):
            return args[index + 1]
        for flag in flags:
            if flag.startswith("--") and arg.startswith(flag + "="):
                return arg.partition("=")[2]
    return None


def build_file_commands(name: str, text: str) -> list[str]:
    """Shell commands a build file runs directly: ninja's `command =` lines."""
    if name != "ninja":
        return []
    return [m.group(1).replace("$$", "$") for m in _NINJA_COMMAND.finditer(text)]


def option_code(name: str, args: list[str]) -> tuple[list[str], list[str]]:
    """(program code, shell commands) that a tool's options carry: `rpm --eval` macros with
    Lua in them, `mvn exec:exec -Dexec.executable=X -Dexec.args=Y`."""
    if name == "rpm":
        macros = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--eval", "-E")]
        macros += [a.partition("=")[2] for a in args if a.startswith("--eval=")]
        return [m.group(1) for macro in macros if (m := _RPM_LUA.search(macro))], []
    if name == "timeit":  # `python -m timeit -s SETUP STMT…`: every statement is Python
        return ["\n".join(a for a in args if not a.startswith("-"))], []
    if name in ("mvn", "mvnw", "./mvnw"):
        settings = dict(a[2:].partition("=")[::2] for a in args if a.startswith("-D"))
        program = settings.get("exec.executable")
        return [], [f"{program} {settings.get('exec.args', '')}".strip()] if program else []
    return [], []


def carried_code(name: str, args: list[str], fed: str | None,
                 written: dict[str, str]) -> tuple[list[str], list[str]]:
    """(program code, shell commands) a tool carries: in its options (`option_code`), or in
    the build file it reads from its input (`fed`) or from a file written earlier on the
    line (`written`)."""
    codes, commands = option_code(name, args)
    console_codes, console_commands = console_code(name, args, fed, written)
    codes += console_codes
    commands += console_commands
    for flag, script in pairwise(args):
        text = written.get(script)
        if text is None:
            continue
        if name in _VI_EDITORS and flag in ("-S", "-u", "-s", "--cmd"):
            commands += [found for line in text.splitlines() for found in ex_shell_commands(line)]
        elif (name, flag) in (("nvim", "-l"), ("emacs", "-l"), ("emacs", "--load"),
                              ("emacs", "--script")):
            codes.append(text)
    build_file = build_file_option(name, args)
    text = fed if build_file in ("-", "/dev/stdin") else written.get(build_file or "")
    if text is not None and build_file is not None:
        codes.append(text)
        commands += build_file_commands(name, text)
    return codes, commands
