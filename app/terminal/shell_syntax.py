"""Reads a shell command line into simple commands the way bash would split it.

Why our own reader rather than `shlex`: the approval policy has to see through everything
that changes which program runs with which arguments — quotes glued to words (`r''m`),
`$'\\x72m'`, `$( )`, backticks, process substitution, here-documents, `{a,b}` brace lists,
`${IFS}` word breaks, `;`/`&&`/`|` glued to words and `( )`/`{ }` groups. `shlex` knows only
quotes. The reader keeps expansions verbatim (`$HOME`, `$(curl …)`) so the policy can judge
them, and hands back the inner text of every substitution so it can be inspected in turn.
Input bash itself would reject or keep waiting on (an unclosed quote) raises
`ShellSyntaxError`; the policy then falls back to a cautious reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.terminal.escapes import decode_escapes


class ShellSyntaxError(ValueError):
    """The text is not a complete shell command (unclosed quote, group or substitution).

    `closer` is the text that would complete it (a quote, `)`, `}`), when there is one, so a
    cautious reader can judge the command the way bash would once the user finished typing.
    """

    def __init__(self, message: str, closer: str | None = None) -> None:
        super().__init__(message)
        self.closer = closer


@dataclass
class Word:
    """One shell word after quote removal; expansions stay verbatim (`$HOME`, `$(cmd)`)."""

    text: str
    quoted: bool = False
    substitutions: list[str] = field(default_factory=list)
    process_substitution: bool = False
    heredoc_body: str | None = None
    lead_quoted: bool = False  # starts with a quote, so a leading `~` is not expanded


@dataclass(frozen=True)
class Op:
    """An operator token: `;`, `&&`, `|`, `(`, a redirection, or a newline."""

    text: str


@dataclass
class Redirect:
    """A redirection such as `> file`; `op` keeps the operator so writes can be told apart."""

    op: str
    target: Word


@dataclass
class Command:
    """A simple command, and the commands whose output is piped into it.

    The pipe sources are kept as (shared pipeline list, count) slices, so a pipeline of n
    stages costs O(n) rather than a copied list per stage.
    """

    words: list[Word]
    redirects: list[Redirect] = field(default_factory=list)
    stdin_text: str | None = None
    upstream_slices: list[tuple[list[Command], int]] = field(default_factory=list)
    function: str | None = None  # the shell function whose body this command is part of
    loop_values: list[str] | None = None  # `for x in A B`: the values x takes, one a turn

    @property
    def upstream(self) -> list[Command]:
        """Every command whose output flows into this one, outer pipelines first."""
        return [c for shared, count in self.upstream_slices for c in shared[:count]]


_OPERATORS = (
    "&>>",
    "<<<",
    "<<-",
    "&&",
    "||",
    ";;",
    "|&",
    "&>",
    ">>",
    ">|",
    ">&",
    "<<",
    "<>",
    "<&",
    ";",
    "&",
    "|",
    "(",
    ")",
    "<",
    ">",
    "\n",
)
REDIRECT_OPS = frozenset({"&>>", "<<<", "<<-", "&>", ">>", ">|", ">&", "<<", "<>", "<&", "<", ">"})
WRITE_REDIRECT_OPS = frozenset({"&>>", "&>", ">>", ">|", ">&", "<>", ">"})
MAX_GROUP_DEPTH = 64
_OPERATOR_STARTS = frozenset(";&|()<>\n")
_OPERATOR_RE = re.compile("|".join(re.escape(op) for op in _OPERATORS))
_PLAIN_RUN = re.compile(r"[^ \t\r\n\\'\"`$;&|()<>]+")
_SEQUENCE_OPS = frozenset({";", "&", "&&", "||", ";;", "\n"})
_PIPE_OPS = frozenset({"|", "|&"})
_RESERVED = frozenset(
    {
        "!",
        "if",
        "then",
        "elif",
        "else",
        "fi",
        "do",
        "done",
        "while",
        "until",
        "esac",
        "time",
        "function",
        "coproc",
        "for",
        "select",
        "case",
        "in",
    }
)
_IFS_RE = re.compile(r"\$(?:IFS\b|\{IFS\})")
_BRACE_LIST_RE = re.compile(r"(?<!\$)\{([^{}\s]*,[^{}\s]*)\}")
def brace_expand(text: str, limit: int = 64) -> list[str]:
    """Bash brace expansion of an unquoted word: `/{etc,var}/x` is `/etc/x /var/x`.

    Why: `rm -rf /{etc,usr}` names system folders only once expanded. Capped at `limit`
    words so a crafted word cannot make the check slow.
    """
    words, done = [text], []
    while words and len(done) + len(words) <= limit:
        word = words.pop(0)
        brace = _BRACE_LIST_RE.search(word)
        if brace is None:
            done.append(word)
            continue
        head, tail = word[:brace.start()], word[brace.end():]
        words += [head + part + tail for part in brace.group(1).split(",")]
    return done + words


def _skip_quoted(text: str, i: int) -> int:
    """Returns the index just past the quoted section or backtick group starting at `i`."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "'":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    raise ShellSyntaxError(f"unclosed {quote}", quote)


def _matching(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the `closer` that balances an `opener` just before `start` (quote-aware)."""
    depth = 1
    j = start
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c in "'\"`":
            j = _skip_quoted(text, j)
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ShellSyntaxError(f"unclosed {opener}", closer)


class _Lexer:
    """Splits text into `Word` and `Op` tokens, reading here-document bodies on the way."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.tokens: list[Word | Op] = []
        self.heredoc_op: str | None = None
        self.heredocs: list[tuple[Word, bool]] = []
        self._reset()

    def _reset(self) -> None:
        self.buf: list[str] = []
        self.started = False
        self.quoted = False
        self.lead_quoted = False  # the word starts with a quote: no `~` expansion there
        self.subs: list[str] = []
        self.procsub = False

    def _add(self, text: str) -> None:
        self.buf.append(text)
        self.started = True

    def _end_word(self) -> None:
        if not self.started:
            return
        text = "".join(self.buf)
        for part in [text] if self.quoted else brace_expand(text):
            word = Word(part, self.quoted, list(self.subs), self.procsub,
                        lead_quoted=self.lead_quoted)
            self.tokens.append(word)
            if self.heredoc_op:
                self.heredocs.append((word, self.heredoc_op == "<<-"))
                self.heredoc_op = None
        self._reset()

    def run(self) -> list[Word | Op]:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\r":
                self._end_word()
                self.i += 1
            elif c == "\\":
                if s.startswith("\\\n", self.i):
                    self.i += 2
                    continue
                if self.i + 1 >= len(s):
                    raise ShellSyntaxError("the command ends with a lone backslash")
                self._add(s[self.i + 1])
                self.i += 2
            elif c == "#" and not self.started:
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            elif c not in _OPERATOR_STARTS and (plain := _PLAIN_RUN.match(s, self.i)):
                self._add(plain.group())
                self.i = plain.end()
            elif c in "<>" and s.startswith("(", self.i + 1) and (
                    not self.started or "".join(self.buf).endswith("=")):  # `--config=<(…)`
                end = _matching(s, self.i + 2, "(", ")")
                self.subs.append(s[self.i + 2 : end])
                self.procsub = True
                self._add("/dev/fd/63")
                self.i = end + 1
            elif c in _OPERATOR_STARTS and self._operator():
                continue
            elif c == "'":
                end = s.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("unclosed '", "'")
                self.lead_quoted |= not self.started
                self._add(s[self.i + 1 : end])
                self.quoted = True
                self.i = end + 1
            elif c == '"':
                self._double_quoted()
            elif c == "`":
                self._backquoted()
            elif c == "$":
                self._dollar(in_quotes=False)
            else:
                self._add(c)
                self.i += 1
        self._end_word()
        if self.heredocs:
            self._read_heredocs()
        return self.tokens

    def _operator(self) -> bool:
        s = self.s
        match = _OPERATOR_RE.match(s, self.i)
        if match is None:
            return False
        op = match.group()
        if op in REDIRECT_OPS and self.started and not self.quoted and "".join(self.buf).isdigit():
            self._reset()
        else:
            self._end_word()
        self.tokens.append(Op(op))
        self.i += len(op)
        if op in ("<<", "<<-"):
            self.heredoc_op = op
        if op == "\n" and self.heredocs:
            self._read_heredocs()
        return True

    def _read_heredocs(self) -> None:
        """Consumes here-document bodies after a newline so they are not read as commands."""
        for word, strip_tabs in self.heredocs:
            body: list[str] = []
            while self.i < len(self.s):
                end = self.s.find("\n", self.i)
                end = len(self.s) if end < 0 else end
                line = self.s[self.i : end]
                self.i = end + 1
                if (line.lstrip("\t") if strip_tabs else line) == word.text:
                    break
                body.append(line)
            word.heredoc_body = "\n".join(body)
        self.heredocs = []

    def _backquoted(self) -> None:
        """A `...` command substitution: kept in the word and recorded to be inspected too."""
        end = _skip_quoted(self.s, self.i)
        self.subs.append(self.s[self.i + 1 : end - 1])
        self._add(self.s[self.i : end])
        self.i = end

    def _double_quoted(self) -> None:
        s = self.s
        self.lead_quoted |= not self.started
        self.quoted = True
        self.started = True
        self.i += 1
        while self.i < len(s):
            c = s[self.i]
            if c == '"':
                self.i += 1
                return
            if c == "\\" and self.i + 1 < len(s):
                nxt = s[self.i + 1]
                self._add(nxt if nxt in '$`"\\' else ("" if nxt == "\n" else c + nxt))
                self.i += 2
            elif c == "`":
                self._backquoted()
            elif c == "$":
                self._dollar(in_quotes=True)
            else:
                self._add(c)
                self.i += 1
        raise ShellSyntaxError('unclosed "', '"')

    def _dollar(self, in_quotes: bool) -> None:
        s, i = self.s, self.i
        if not in_quotes and s.startswith("$'", i):
            end = i + 2
            while end < len(s) and s[end] != "'":
                end += 2 if s[end] == "\\" else 1
            if end >= len(s):
                raise ShellSyntaxError("unclosed $'", "'")
            self._add(decode_escapes(s[i + 2 : end]))
            self.quoted = True
            self.i = end + 1
        elif not in_quotes and s.startswith('$"', i):
            self.i += 1
        elif s.startswith("$((", i):
            end = _matching(s, i + 2, "(", ")")
            self._add(s[i : end + 1])
            self.i = end + 1
        elif s.startswith("$(", i):
            end = _matching(s, i + 2, "(", ")")
            self.subs.append(s[i + 2 : end])
            self._add(s[i : end + 1])
            self.i = end + 1
        elif (ifs := _IFS_RE.match(s, i)) and not in_quotes:
            self._end_word()
            self.i = ifs.end()
        elif s.startswith("${", i):
            end = _matching(s, i + 2, "{", "}")
            self._add(s[i : end + 1])
            self.i = end + 1
        else:
            self._add("$")
            self.i += 1


class _Parser:
    """Groups tokens into commands, flattening `( )`/`{ }` groups but keeping pipe order."""

    def __init__(self, tokens: list[Word | Op]) -> None:
        self.toks = tokens
        self.pos = 0
        self.depth = 0
        self.defining: str | None = None

    def group(self, closer: str) -> list[Command]:
        """A `( … )` or `{ …; }` group; absurd nesting is refused rather than recursed into."""
        self.pos += 1
        self.depth += 1
        if self.depth > MAX_GROUP_DEPTH:
            raise ShellSyntaxError("groups nested too deeply")
        commands = self.sequence(closer)
        self.depth -= 1
        return self._group_redirects(commands)

    def _peek(self) -> Word | Op | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def sequence(self, closer: str | None) -> list[Command]:
        out: list[Command] = []
        while (tok := self._peek()) is not None:
            if isinstance(tok, Op) and tok.text == ")":
                self.pos += 1
                if closer == ")":
                    return out
            elif isinstance(tok, Op) and (tok.text in _SEQUENCE_OPS or tok.text in _PIPE_OPS):
                self.pos += 1
            elif isinstance(tok, Word) and tok.text == "}" and not tok.quoted and closer == "}":
                self.pos += 1
                return out
            else:
                out.extend(self.pipeline())
        if closer:
            raise ShellSyntaxError(f"unclosed group: missing {closer}", f"\n{closer}")
        return out

    def pipeline(self) -> list[Command]:
        out: list[Command] = []
        while True:
            before = len(out)
            stage = self.stage()
            if before:
                for command in stage:
                    command.upstream_slices.insert(0, (out, before))
            out.extend(stage)
            tok = self._peek()
            if not (isinstance(tok, Op) and tok.text in _PIPE_OPS):
                return out
            self.pos += 1

    def stage(self) -> list[Command]:
        while isinstance(tok := self._peek(), Word) and tok.text in _RESERVED and not tok.quoted:
            self.pos += 1
            if tok.text in ("for", "select", "case"):
                return self._loop_words()
            self._skip_after_reserved(tok.text)
        tok = self._peek()
        closer = ")" if tok == Op("(") else "}" if tok == Word("{") else None
        if closer:
            name, self.defining = self.defining, None
            commands = self.group(closer)
            for command in commands if name else []:
                command.function = command.function or name
            return commands
        if isinstance(tok, Op) and tok.text not in REDIRECT_OPS:
            return []
        return self.simple()

    def _skip_after_reserved(self, word: str) -> None:
        """`function NAME [()]` names a body rather than running NAME; `time -p` and
        `coproc NAME {` take words that are not the command either."""
        nxt = self._peek()
        if not isinstance(nxt, Word) or nxt.quoted:
            return
        if word == "time" and nxt.text == "-p":
            self.pos += 1
        elif word == "function" or (word == "coproc" and self._peek_at(1) == Word("{")):
            self.defining = nxt.text if word == "function" else None
            self.pos += 1
            if self._peek() == Op("(") and self._peek_at(1) == Op(")"):
                self.pos += 2

    def _loop_words(self) -> list[Command]:
        """`for x in WORDS`, `select …`, `case WORD in`: the words are data, not a command,
        but a substitution among them still runs, so it is kept under the no-op `:`; the
        loop variable is kept as an assignment of every value (`for d in /dev/sd?` sets d)."""
        words: list[Word] = []
        while isinstance(tok := self._peek(), Word):
            words.append(tok)
            self.pos += 1
        commands = [Command([Word(":"), *words])] if any(w.substitutions for w in words) else []
        if len(words) >= 2 and words[1].text == "in" and re.fullmatch(r"[A-Za-z_]\w*",
                                                                       words[0].text):
            values = " ".join(word.text for word in words[2:])
            commands.append(Command([Word(f"{words[0].text}={values}")],
                                    loop_values=[word.text for word in words[2:]]))
        return commands

    def _array(self, name: str) -> Word:
        """`a=(rm -rf ~)`: an array assignment, kept as one word of its values (`a=rm -rf
        ~`), which `${a[@]}` gives back and `${a[0]}` indexes."""
        self.pos += 1
        values: list[Word] = []
        while isinstance(tok := self._peek(), Word) or tok == Op("\n"):
            values += [tok] if isinstance(tok, Word) else []
            self.pos += 1
        if self._peek() != Op(")"):
            raise ShellSyntaxError("unclosed array", ")")
        self.pos += 1
        return Word(name + " ".join(word.text for word in values),
                    substitutions=[s for word in values for s in word.substitutions])

    def _peek_at(self, offset: int) -> Word | Op | None:
        index = self.pos + offset
        return self.toks[index] if index < len(self.toks) else None

    def _redirect(self) -> tuple[str, Word]:
        op = self.toks[self.pos]
        self.pos += 1
        target = self._peek()
        if not isinstance(op, Op) or not isinstance(target, Word):
            raise ShellSyntaxError(f"nothing after {getattr(op, 'text', op)!r}")
        self.pos += 1
        return op.text, target

    def _group_redirects(self, commands: list[Command]) -> list[Command]:
        """`( … ) > file` redirects every command inside the group."""
        while isinstance(tok := self._peek(), Op) and tok.text in REDIRECT_OPS:
            op, target = self._redirect()
            for command in commands:
                command.redirects.append(Redirect(op, target))
        return commands

    def simple(self) -> list[Command]:
        command = Command(words=[])
        while (tok := self._peek()) is not None:
            if isinstance(tok, Word):
                command.words.append(tok)
                self.pos += 1
            elif tok.text in REDIRECT_OPS:
                op, target = self._redirect()
                if op in ("<<", "<<-"):
                    command.stdin_text = target.heredoc_body or ""
                elif op == "<<<":
                    command.stdin_text = target.text
                else:
                    command.redirects.append(Redirect(op, target))
            elif tok.text == "(" and command.words and re.fullmatch(
                    r"[A-Za-z_]\w*\+?=", command.words[-1].text) and not command.words[-1].quoted:
                command.words[-1] = self._array(command.words[-1].text)
            elif tok.text == "(" and command.words:
                after = self.toks[self.pos + 1] if self.pos + 1 < len(self.toks) else None
                if after != Op(")"):
                    raise ShellSyntaxError("unexpected (")
                self.pos += 2
                self.defining = command.words[0].text
                return []
            else:
                break
        if command.words or command.redirects or command.stdin_text is not None:
            return [command]
        return []


def parse(text: str) -> list[Command]:
    """Every simple command in `text`, in reading order, groups flattened.

    Substitutions (`$( )`, backticks, `<( )`) are not expanded here: their inner text is
    listed on the `Word` that holds them, for the caller to inspect.
    """
    return _Parser(_Lexer(text.replace("\r\n", "\n")).run()).sequence(None)
