"""What Python, Perl, Ruby, Node, PHP or Lua one-liners do that the deny list cares about.

Why not parse each language: a one-liner handed to `python -c` or piped into `perl` is short,
and what matters is a handful of shapes — a call that runs a shell command, a recursive
delete whose argument is the home folder or `/`, a socket joined to a shell, a write into a
start-up or key file, a network call. The home folder has many spellings (`os.path.
expanduser('~')`, `Path.home()`, `$ENV{HOME}`, `os.homedir()`, `Dir.home`), so `normalise`
first rewrites each to the literal `"~"`; then one set of patterns serves every language.
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex

from app.terminal import risky_paths as paths
from app.terminal.code_dialects import common_forms, decode_literals
from app.terminal.home_reach import home_entry

_HOME_EXPR = re.compile(
    r"""(?:(?<![\w.])(?:\w+(?:\([^()]*\))?\.)+)?expanduser\(\s*[rbuf]?(['"])~/?\1\s*\)|(?:pathlib\.)?Path\.home\(\)"""
    r"""|os\.environ\s*\[\s*(['"])HOME\2\s*\]|(?:os\.environ\.get|os\.getenv|getenv)\(\s*"""
    r"""(['"])HOME\3\s*\)|\$ENV\s*\{\s*['"]?HOME['"]?\s*\}|ENV\s*\[\s*(['"])HOME\4\s*\]"""
    r"""|(?:require\(\s*['"](?:node:)?os['"]\s*\)|\bos)\.homedir\(\)|Dir\.home\b"""
    r"""|process\.env\.HOME\b|process\.env\[\s*(['"])HOME\5\s*\]|File\.expand_path\(\s*"""
    r"""(['"])~\6\s*\)|glob\(\s*(['"])~\7\s*\)|\$_SERVER\[\s*(['"])HOME\8\s*\]"""
    r"""|os\.getenv\(\s*(['"])HOME\9\s*\)|ENV\.fetch\(\s*['"]HOME['"]\s*\)"""
    r"""|os\.UserHomeDir\(\)|\bhome_dir\(\)|env::var\(\s*"HOME"\s*\)"""
    r"""|System\.getProperty\(\s*"user\.home"\s*\)|SpecialFolder\.UserProfile""")
_SHELL_CALL = re.compile(
    r"\b(?:system(?:list)?|popen\w*|spawn\w*|exec\w*|call|run|check_output|check_call|Popen|"
    r"getoutput|getstatusoutput|shell_exec|passthru|proc_open|execute|capture2e?|"
    r"capture3|spawnSync|execSync|execFileSync|open3|shell-command(?:-to-string)?|"
    r"call-process-shell-command|start-process-shell-command|(?<=\()(?:ansi-)?term)"
    r"\s*(\(|\s+(?=['\"\[]))")  # Lisp's `(term "/bin/bash")` starts a shell in a buffer
_STRING = re.compile(r"(['\"])((?:\\.|(?!\1).)*)\1", re.S)
_DELETE_CALL = re.compile(
    r"\b(?:rmtree|rm_rf|rm_r|remove_tree|rmSync|rmdirSync|rimraf(?:\.sync)?|remove_dir_all|"
    r"fs\.rm|removedirs|RemoveAll|delete_directory\w*|deleteRecursively|deleteDirectory|"
    r"rmdir|unlink|remove|removeSync|delete|Remove-Item|delete-directory|delete-file|"
    r"(?<![\w.-])rm)\s*(\(|\s+(?=['\"$]))")
_SOCKET = re.compile(r"\bsocket\b|TCPSocket|IO::Socket|Socket::|fsockopen|\bnet\.(?:connect|"
                     r"Socket|createConnection)|/inet/|stream_socket_client|\bnew\s+Socket\b|"
                     r"\bsocket\.(?:connect|create_connection)|Net::Telnet"
                     r"|(?i:\bTcpClient\b)|\bnet\.Dial\w*\(")  # .NET/PowerShell, Go
_SHELL_HOOK = re.compile(r"pty\.spawn|\bsubprocess\b|\bdup2\b|/bin/(?:ba|z|da|k|c)?sh\b|\bexec\b|"
                         r"\bspawn\b|\bpopen\b|\bsystem\b|child_process|proc_open|shell_exec|"
                         r"cmd\.exe|\bsh\s+-i\b|STDIN|\$stdin|io\.popen|\|&\s*getline"
                         r"|(?i:\biex\b|Invoke-Expression|Start-Process)|exec\.Command\b")
_NETWORK = re.compile(r"\bsocket\b|\brequests\.|\burllib|http\.client|httplib|\bhttpx\b|aiohttp|"
                      r"smtplib|ftplib|paramiko|Net::HTTP|LWP|HTTP::Tiny|IO::Socket|\bfetch\(|"
                      r"\bhttps?\.(?:request|get)|XMLHttpRequest|TCPSocket|fsockopen|curl_exec|"
                      r"file_get_contents\(\s*['\"]https?:|urlopen|\bnet\.connect|axios|"
                      r"Net::SMTP|open-uri|URI\.open|UDPSocket|sendto|WebSocket|"
                      r"require\(\s*['\"](?:node:)?(?:https?|http2|net|tls|dgram)['\"]\s*\)")
_WRITE_API = re.compile(r"""open\([^)]*,\s*[rbuf]?['"][^'"]*[wa+][^'"]*['"]|write_text|"""
                        r"""open\(\s*['"][wa]\+?b?['"]|"""
                        r"""write_bytes|appendFile|writeFile|File\.write|IO\.write|"""
                        r"""open\s*\(?\s*\$?\w*\s*,?\s*['"]\s*>|File\.open\([^)]*['"][wa]|"""
                        r"""file_put_contents|\.write\(|>>|truncate\(|copyfile|copy2?\(|"""
                        r"""shutil\.move|os\.rename|symlink|writefile|write-region|"""
                        r"""write-file|append-to-file""")
# A loop that never ends (`while 1`, `for(;;)`, `until 0`, `loop`, an endless iterator)
# with a fork in it, in any language: prefix form (`while(1){fork()}`) or Perl/Ruby postfix
# form (`fork while 1`).
_ENDLESS = (r"(?:\bwhile\s*\(?\s*(?:1|true|True|!\s*0|fork\b[^)\n]{0,4})\s*\)?|\bfor\s*\(\s*;\s*;"
            r"\s*\)|\buntil\s*\(?\s*(?:0|false|False)\s*\)?|\b(?:loop|repeat)\b)")
_FORK_LOOP = re.compile(
    rf"{_ENDLESS}[^\n]{{0,80}}?\b(?:popen|execute|system|spawn)\s*\(\s*[^)]*&\s*\\?['\"]|"
    rf"{_ENDLESS}[^\n]{{0,60}}?(?:(?<![\w-])|(?<=_))fork\b|\bfork\s*(?:\(\s*\))?\s*{_ENDLESS}|"
    r"fork\s*\(\s*\)\s*for\s+\w+\s+in\s+(?:iter\s*\(|(?:itertools\.)?(?:count|repeat|cycle)\s*\()")


_OPEN_CALL = re.compile(r"\b(?:open|fopen|File\.open|sysopen)\s*\(")
_WRITE_MODE = re.compile(r"^(?:[rbt]*[wax][bt+]*|r\+[bt]*|\+?>>?|\+<)$")
_EVALUATES = re.compile(r"(?<![\w.])(?:exec|eval|instance_eval|class_eval|uplevel)\b(?!\s*[=:])|"
                        r"\bnew\s+Function\s*\(|(?<![\w.])(?:include|include_string|load|"
                        r"loadstring|dofile|iex)\b\s*\(|\biex\b|Invoke-Expression|"
                        r"(?i:\[scriptblock\]::create)")
_FETCHES = re.compile(r"urlopen|URI\.open|open-uri|Net::HTTP|LWP|HTTP::Tiny|\brequests\.get|"
                      r"(?<![\w.])download\s*\(|\b(?:iwr|irm)\b|Invoke-(?:WebRequest|RestMethod)|"
                      r"DownloadString|\bHTTP\.get\b|"
                      r"\bhttpx\.get|\bfetch\(|\bhttps?\.get|curl_exec|file_get_contents\(\s*"
                      r"['\"]https?:|\bopen\(\s*['\"]https?:|require\(\s*['\"](?:node:)?https?['\"]"
                      r"\s*\)\s*\.\s*(?:get|request)\b|http::geturl\b")
# Code loaded and run straight from a URL: R's `source("https://…")`, Lua's `dofile`, PHP's
# `include`, Deno's `import("https://…")`.
_LOADS_URL = re.compile(r"\b(?:source|dofile|loadfile|include|require|require_once|import|"
                        r"load|eval_file)\s*\(?\s*['\"](?:https?|ftp)://")
_DECODE_CALL = re.compile(r"(?:\b(?:base64|Base64|binascii)\s*\.\s*)?"  # `base64.b64decode`
                          r"(?:b64decode|base64_decode|decode_base64|decode64|atob|Buffer\.from)"
                          r"\s*\(\s*[rbuf]?(['\"])([A-Za-z0-9+/=\s]{4,})\1[^()]*\)"
                          r"(?:\s*\.\s*(?:decode|toString)\s*\([^()]*\))?")
_INTERPOLATED_HOME = re.compile(
    r"""\$ENV\{\s*['"]?HOME['"]?\s*\}(?=[^'"]*['"])|\$\{HOME\}|\$HOME\b|"""
    r"""#\{(?:Dir\.home|ENV\[['"]HOME['"]\])\}|\$\{(?:process\.env\.HOME|os\.homedir\(\))\}""")
_PRINTED = re.compile(r"""\b(?:print|console\.log|puts|say|println)\s*\(?\s*(['"])"""
                      r"""(?:\\.|(?!\1).)*\1\s*\)?(?=\s*(?:[;\n]|$))""")
# libc's order, pid first (`kill(-1, 9)` from C, ctypes or a debugger's `call`), as well.
_KILL_ALL = re.compile(r"""\bkill\s*\(?\s*['"]?-?\w+['"]?\s*,\s*-1\b|\b(?:os|process)\.kill\("""
                       r"""\s*-1\b|\bkill\s*\(\s*-1\s*,|"""
                       r"""Process\.kill\([^,()]*,\s*-1\s*\)|\bos\.killpg\(\s*[01]\s*,""")
# The kernel's reboot call made from code: its magic number (`syscall(169, 0xfee1dead, …)`
# in any language) or libc's `reboot(0x…)`/`reboot(RB_…)` through ctypes or FFI.
_REBOOT_CALL = re.compile(r"0xfee1dead|\breboot\s*\(\s*(?:0x[0-9a-f]+|LINUX_REBOOT_|RB_)", re.I)
# Perl's open without parentheses: `open D, "+<", "/dev/sda"`, `open my $f, ">/etc/x"`.
_PERL_OPEN = re.compile(r"""\b(?:sys)?open\s+(?:my\s+)?\$?\w+\s*,\s*(['"])(\+?[<>]{1,2})\s*"""
                        r"""(?:\1\s*,\s*(['"]))?([^'"]+)""")
# Process 1 signalled: `os.kill(1, 9)`, `Process.kill(:KILL, 1)`, `process.kill(1)`.
_KILLS_INIT = re.compile(r"\bkill\(\s*1\s*(?:,\s*(?!0\b)\w|\))"
                         r"|Process\.kill\(\s*[\w:'\"]+\s*,\s*1\s*\)")
# A folder whose entries the code goes through: `os.walk('/etc')`, `Path("~").iterdir()`.
_LISTS_DIR = re.compile(r"""(?:listdir|scandir|walk|glob|rglob|iterdir|readdirSync|readdir|"""
                        r"""children|each_child|entries|opendir|find)\s*\(?\s*["']([^"']+)["']|"""
                        r"""["']([^"']+)["']\s*\)?\s*\.\s*(?:iterdir|glob|rglob|each_child|"""
                        r"""children)""")
_RECEIVER_DELETE = re.compile(r"""(['"])([~/][^'"]*)\1\s*\)(?:\s*\.\s*\w+\(\s*\))*\s*\.\s*"""
                              r"""(?:unlink|rmdir|rmtree|delete|remove|rm_rf|rm_r|rmSync)\(""")
_WHOLE_ENVIRONMENT = re.compile(
    r"os\.environ\b(?!\s*(?:\[|\.get|\.setdefault|\.pop|\.update|\s*=))|process\.env\b(?!\s*[.\[])"
    r"|\bENV\.(?:to_h|to_a|each|inspect|keys)\b|%ENV\b|\bSys\.getenv\(\s*\)"
    r"|System\.getenv\(\s*\)|\bos\.Environ\(\)|\benviron\(\)")
_CHANGES_ACCESS = re.compile(r"\b(?:chmod|lchmod|chown|lchown|fchmod|chmodSync|chownSync)\s*\(")


# An evaluator whose argument starts here (`eval(`, `exec(`, `new Function(`).
_EVALUATOR = re.compile(r"(?<![\w.])(?:eval|exec|instance_eval|new\s+Function|Function)\s*\(\s*$")


def _decoded_text(match: re.Match[str]) -> str | None:
    try:
        return base64.b64decode(match.group(2)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _decoded(match: re.Match[str]) -> str:
    text = _decoded_text(match)
    if text is None:
        return match.group(0)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _evaluated(code: str) -> str:
    """Code evaluated straight from a base64 literal it decodes (`eval(Buffer.from('…',
    'base64').toString())`, `exec(b64decode('…'))`, `new Function(atob('…'))()`), with the
    decoded text put in as code: read as a string its quotes would be escaped and nothing
    in it would be seen as a call."""
    for match in reversed(list(_DECODE_CALL.finditer(code))):
        evaluator = _EVALUATOR.search(code, 0, match.start())
        close = re.match(r"\s*\)", code[match.end():])
        if evaluator and close and (text := _decoded_text(match)) is not None:
            code = f"{code[:evaluator.start()]}{text}\n{code[match.end() + close.end():]}"
    return code


def normalise(code: str) -> str:
    """Drops text that is only printed (`print('rm -rf ~')`), decodes base64 literals
    (`b64decode('cm0g…')` becomes the string it stands for), then rewrites every spelling
    of the home folder as `~`: inside a string (`"rm -rf $ENV{HOME}"`) as the bare `~`,
    elsewhere as the string `"~"`."""
    code = _evaluated(decode_literals(code))
    code = _DECODE_CALL.sub(_decoded, _PRINTED.sub("", code))
    code = common_forms(code)
    return _HOME_EXPR.sub('"~"', _INTERPOLATED_HOME.sub("~", code))


def _call_arguments(code: str, start: int, limit: int = 400) -> str:
    """Text of a call's arguments from `start` (just inside the bracket) to the match."""
    depth = 1
    for index in range(start, min(len(code), start + limit)):
        char = code[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return code[start:index]
        elif char in "\n;" and depth == 1 and code[start - 1] != "(":
            return code[start:index]
    return code[start:start + limit]


def _literals(text: str) -> list[str]:
    return [body for _quote, body in _STRING.findall(text)]


def shell_calls(code: str) -> list[str]:
    """Command lines a program's code hands to a shell (`os.system('…')`, `exec("…")`,
    `subprocess.run(['rm', '-rf', …])`, `execSync('rm -rf ' + os.homedir())`)."""
    code = normalise(code)
    found = []
    for match in _SHELL_CALL.finditer(code):
        arguments = _call_arguments(code, match.end())
        literals = _literals(arguments)
        if len(literals) > 1 and literals[1] == literals[0].rsplit("/", 1)[-1]:
            literals = literals[1:]  # execl("/bin/sh", "sh", …): the path, then argv
        if literals:
            found.append(" ".join(literals))
            if arguments.lstrip().startswith("["):  # an argv list: ["sh", "-c", "rm -rf ~"]
                found.append(_argv_line(literals))
            if re.search(r"['\"]\s*(?:\+|\.\.?)\s*['\"]", arguments):
                found.append("".join(literals))
    return found


def _argv_line(words: list[str]) -> str:
    """An argv list back into a command line, quoting only what the shell would split."""
    return " ".join(w if re.fullmatch(r"[\w@%+=:,./~$-]+", w) else shlex.quote(w)
                    for w in words)


def precious_deletes(code: str) -> list[str]:
    """Recursive deletes in code whose argument is a precious folder (after `normalise`).

    An argument that is a plain name is looked up among the code's own assignments, so
    `h = Path.home(); shutil.rmtree(h)` is read as `rmtree("~")`.
    """
    code = normalise(code)
    reasons = []
    for match in _DELETE_CALL.finditer(code):
        arguments = _call_arguments(code, match.end()).strip()
        name = re.match(r"[$]?[A-Za-z_]\w*", arguments)
        if name and not arguments.startswith(("os.", "path")) and (
                bound := re.search(rf"{re.escape(name.group())}(?:\s*,\s*\w+)*\s*:?=\s*([^;\n]+)",
                                   code)):  # `h = …`, Go's `h, err := …`
            arguments = bound.group(1)
        literals = _literals(arguments.split(",")[0] if "join" not in arguments else arguments)
        if not literals and re.fullmatch(r"~/?", arguments.split(",")[0].strip()):
            literals = ["~"]
        if not literals:
            continue
        target = "/".join(part.strip("/") for part in literals) if len(literals) > 1 \
            else literals[0]
        target = "~" if target in ("~/", "~/.") else target
        path = paths.expand(target)
        described = paths.describe_precious(path) if path else None
        if described:
            reasons.append(f"recursive delete of {described}")
        elif home_entry(target):
            reasons.append(f"recursive delete of a folder of your home folder ({target})")
        elif path and (precious := paths.precious_file(target)):
            reasons.append(f"deletes {precious}")
    return reasons


def _receiver_deletes(code: str) -> list[str]:
    """`Path('~/.ssh/id_ed25519').expanduser().unlink()`: the path is the object deleted."""
    reasons = []
    for match in _RECEIVER_DELETE.finditer(code):
        target = match.group(2)
        path = paths.expand(target)
        if described := (paths.describe_precious(path) if path else None):
            reasons.append(f"recursive delete of {described}")
        elif precious := paths.precious_file(target):
            reasons.append(f"deletes {precious}")
        elif home_entry(target):
            reasons.append(f"recursive delete of a folder of your home folder ({target})")
    return reasons


def _opened_for_writing(code: str) -> list[str]:
    """Paths that `open(…, "w")`, `open(my $f, ">", …)` or `fopen(…, "a")` open to write."""
    found = []
    for match in _OPEN_CALL.finditer(code):
        literals = _literals(_call_arguments(code, match.end()))
        if any(_WRITE_MODE.match(literal.strip()) for literal in literals):
            found += [literal for literal in literals if not _WRITE_MODE.match(literal.strip())]
    return found + [m.group(4).strip() for m in _PERL_OPEN.finditer(code)
                    if m.group(2) not in ("<", "<<")]


def code_reasons(code: str) -> list[str]:
    """Deny-list reasons found directly in program code (not in the shell commands it runs)."""
    normal = normalise(code)
    reasons = precious_deletes(normal) + _receiver_deletes(normal)
    for listed in _LISTS_DIR.finditer(normal):
        literal = (listed.group(1) or listed.group(2)).rstrip("*").rstrip("/") or "/"
        path = paths.expand(literal)
        described = (paths.describe_precious(path) if path else None) or (
            f"the folder {literal} of your home folder" if home_entry(literal) else None)
        if described and _DELETE_CALL.search(normal):
            reasons.append(f"deletes everything in {described}")
        if described and _CHANGES_ACCESS.search(normal):
            reasons.append(f"changes permissions or ownership of everything in {described}")
    if _SOCKET.search(normal) and _SHELL_HOOK.search(normal):
        reasons.append("connects a shell to another machine (reverse shell)")
    for literal in _opened_for_writing(normal):
        literal = "~/" + literal if literal.startswith(".") else literal
        if reason := paths.write_target_reason(literal, None):
            reasons.append(reason)
    if (_EVALUATES.search(normal) and _FETCHES.search(normal)) or _LOADS_URL.search(normal):
        reasons.append("runs a script straight from the internet without showing it to you")
    if _WRITE_API.search(normal):
        for literal in _literals(normal):
            literal = "~/" + literal if literal.startswith(".") else literal
            if precious := paths.precious_file(literal):
                reasons.append(f"writes to {precious}")
    if _KILL_ALL.search(normal):
        reasons.append("kills every process you are allowed to signal")
    if _REBOOT_CALL.search(normal):
        reasons.append("shuts down or restarts the computer (the kernel's reboot call)")
    if _KILLS_INIT.search(normal):
        reasons.append("signals process 1 (init), which can bring the whole system down")
    if _FORK_LOOP.search(normal):
        reasons.append("fork bomb: starts copies of itself until the computer freezes")
    return reasons


def reads_secrets(code: str) -> bool:
    """True when program code reads a key or credentials file, or the whole environment
    (`dict(os.environ)`, `process.env`, `%ENV`), where tokens and passwords live; one named
    variable (`os.environ['HOME']`) is not the whole environment."""
    return paths.mentions_secret(normalise(code).replace('"~"', "~")) or bool(
        _WHOLE_ENVIRONMENT.search(code))


def sends_over_network(code: str) -> bool:
    """True when program code opens a network connection or makes a web request."""
    return bool(_NETWORK.search(code))
