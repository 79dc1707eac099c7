"""Output without end, or too big for any disk: the disk or the memory filled until the
machine stops working.

Why: `/dev/zero`, `/dev/urandom`, `yes` and `seq inf` never stop writing. Piped into a
program that stops after a little (`head -c 16`, `dd … count=10`) they are everyday tools;
written to a file (`cat /dev/urandom > f`, `dd if=/dev/zero of=f` with no `count`, `yes >
f`) they fill the disk, read by a program that keeps all it reads before writing (`sort`,
`tail`, `tac`, `shuf`) they fill the memory, and fed to `xargs -P0` (no limit on parallel
runs) they start processes without end. Sizes are read the same way: a file allocated or
written at 100 GB and more, or sized by the free space `df` reports, fills the disk on
purpose. Load generators (`stress-ng`, `stress`) run without a time limit or on all the
memory are the same class. `truncate -s 1T f` makes a sparse file and stays quiet.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import option_values, program_and_args, resolve
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

_ENDLESS_DEVICES = frozenset({"/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"})
_HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})
# Programs that hold everything they read before they write anything.
_HOLDERS = frozenset({"sort", "tail", "tac", "shuf"})
# Programs that pass what they read on without an end of their own.
_PASS_THROUGH = frozenset({"tr", "cat", "pv", "base64", "od", "xxd", "hexdump", "tee", "gzip",
                           "xz", "zstd", "bzip2", "openssl", "sed", "awk", "cut", "rev"})
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kmgtpe]?)(?:i?b)?$", re.I)
_HUGE = 100 * 2**30
_FREE_SPACE = re.compile(r"\$\(\s*(?:\S+/)?df\b|`\s*df\b")
_LOAD_TOOLS = frozenset({"stress-ng", "stress"})
FILLS_DISK = "writes without end (or more than a disk holds) into a file, until the disk is full"
FILLS_MEMORY = "reads output that never ends into memory, until the machine runs out of it"
_FLOODS = "starts processes without end (no limit on how many run at once)"
_LOAD = "loads the machine without a time limit or with all of its memory"


def _bytes(text: str) -> float:
    """`10T` → bytes; 0 when the text is not a plain size."""
    match = _SIZE.match(text)
    if not match:
        return 0
    return float(match[1]) * 1024 ** ("kmgtpe".find(match[2].lower()) + 1) if match[2] else \
        float(match[1])


def _reads_endless(args: list[str], command: Command) -> bool:
    inputs = [arg.partition("=")[2] if arg.startswith("if=") else arg for arg in args]
    inputs += [r.target.text for r in command.redirects if r.op == "<"]
    return bool(_ENDLESS_DEVICES & set(inputs))


def _program(command: Command) -> tuple[str, list[str]]:
    """The program and arguments past wrappers (`setsid`, `timeout 5`, `env -i` …); xargs and
    parallel are kept, since what they are fed is what matters here."""
    name, args = program_and_args(command)
    if name in ("xargs", "parallel"):
        return name, args
    resolved = resolve([word.text for word in command.words])
    return (resolved.name, resolved.args) if resolved.name else (name, args)


def _direct_upstream(command: Command) -> Command | None:
    """The stage whose output this command reads (the innermost pipeline's last one)."""
    if not command.upstream_slices:
        return None
    shared, count = command.upstream_slices[-1]
    return shared[count - 1] if count else None


def _endless(command: Command, known: dict[int, bool]) -> bool:
    """Whether the command's output never ends on its own; `known` holds the verdicts of
    the stages before it, so a long pipeline costs linear time."""
    name, args = program_and_args(command)
    if name == "yes" or (name == "seq" and {"inf", "infinity"} & {a.lower() for a in args}):
        return True
    if name == "dd":
        return _reads_endless(args, command) and not any(a.startswith("count=") for a in args)
    if name == "head":
        sizes = option_values(args, {"-c", "--bytes", "-n", "--lines"})
        return any(_bytes(size) >= _HUGE for size in sizes)
    if name in _PASS_THROUGH:
        upstream = _direct_upstream(command)
        return _reads_endless(args, command) or (upstream is not None
                                                 and known.get(id(upstream), False))
    return False


def _many(command: Command | None) -> bool:
    """`seq 100000`: a thousand lines and more, each one a process under `xargs -P0`."""
    if command is None:
        return False
    name, args = program_and_args(command)
    numbers = [a for a in args if a.isdigit()]
    return name == "seq" and bool(numbers) and int(numbers[-1]) >= 1000


def _writes_file(name: str, args: list[str], command: Command) -> bool:
    targets = [r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS]
    if name == "dd":
        targets += [arg.partition("=")[2] for arg in args if arg.startswith("of=")]
    if name == "tee":
        targets += [arg for arg in args if not arg.startswith("-")]
    targets += option_values(args, {"-out"}) if name == "openssl" else []
    return any(target not in _HARMLESS_TARGETS and not target.isdigit()
               and not paths.is_device(target) for target in targets)


def _allocates_huge(name: str, args: list[str]) -> bool:
    sizes = option_values(args, {"-l", "--length"}) if name == "fallocate" else []
    if name == "openssl" and args[:1] == ["rand"]:  # `openssl rand -out f 200000000000`
        sizes = [arg for arg in args[1:] if arg.isdigit()]
    if name == "dd":
        blocks = [_bytes(a.partition("=")[2]) for a in args if a.startswith(("bs=", "obs="))]
        counts = [_bytes(a.partition("=")[2]) for a in args if a.startswith("count=")]
        return bool(blocks and counts) and blocks[0] * counts[0] >= _HUGE
    return any(_bytes(size) >= _HUGE or _FREE_SPACE.search(size) for size in sizes)


def _unbounded_load(args: list[str]) -> bool:
    if not args or {"--help", "-h", "--version", "-V"} & set(args):
        return False
    limits = option_values(args, {"-t", "--timeout"})
    amounts = [v for a, v in pairwise(args) if a.endswith("-bytes")]
    amounts += [a.partition("=")[2] for a in args if "-bytes=" in a]
    all_memory = any(re.match(r"^(?:9\d|100)%$", amount) for amount in amounts)
    return all_memory or not limits or any(re.match(r"^0+[smhdy]?$", v) for v in limits)


def endless_reasons(commands: list[Command]) -> list[str]:
    """Reasons for filling the disk, the memory or the process table with output that never
    ends or sizes no disk holds."""
    reasons = []
    known: dict[int, bool] = {}
    for command in commands:
        name, args = _program(command)
        upstream = _direct_upstream(command)
        upstream_endless = upstream is not None and known.get(id(upstream), False)
        known[id(command)] = endless = _endless(command, known)
        if (endless or _allocates_huge(name, args)) and _writes_file(name, args,
                                                                               command):
            reasons.append(FILLS_DISK)
        if name == "fallocate" and _allocates_huge(name, args):
            reasons.append(FILLS_DISK)
        if name in _HOLDERS and (_reads_endless(args, command) or upstream_endless):
            reasons.append(FILLS_MEMORY)
        unlimited = {"-P0", "--max-procs=0", "-j0", "--jobs=0"} & set(args) or any(
            a in ("-P", "--max-procs", "-j", "--jobs") and b == "0"
            for a, b in pairwise(args))
        fed_endless = upstream_endless or _many(upstream) or bool(
            _ENDLESS_DEVICES & set(option_values(args, {"-a", "--arg-file"})))
        if name in ("xargs", "parallel") and unlimited and fed_endless:
            reasons.append(_FLOODS)
        if name in _LOAD_TOOLS and _unbounded_load(args):
            reasons.append(_LOAD)
    return list(dict.fromkeys(reasons))
