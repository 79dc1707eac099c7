"""Inline code in any language that writes, loads, runs or sends outside the working folder.

Why: the code readers know each language's usual calls; the same act also comes as
`write_text`, `call-with-output-file`, `getattr(builtins, 'op'+'en')`, `send(:system …)`,
`load(…)`, `include_string`, `eval-buffer`, `upload_file` or an awk `/inet/` socket. Any of
those in one-liner code that also names home, a system folder or another machine needs typing.
"""

from __future__ import annotations

import re

_HOST = re.compile(r"\b(?:python[\d.]*|perl|ruby|node|lua[\d.]*|luajit|julia|Rscript|guile|gdb"
                   r"|tclsh|g?awk|emacs|php|deno|bun|racket|sbcl)\b")
_ACT = re.compile(r"write_text|write_bytes|writeFileSync|appendFileSync|call-with-output-file"
                  r"|with-output-to-file|['\"]op['\"]\s*\+\s*['\"]en['\"]|getattr\(|send\(\s*:"
                  r"|(?<![.\w])load\s*\(|\bloadstring\b|include_string|eval-buffer|\beval\s*\("
                  r"|\bexec\s*\("
                  r"|upload_file|/inet/|\bchmod\s*\(|\bopen\s*\([^;]{0,200}?,\s*['\"][wa]\+?['\"]"
                  r"|urlretrieve")
_REACH = re.compile(r"HOME|home\s*\(|expanduser|homedir|/etc/|https?://"
                    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b|\.ssh\b|~/")


def code_vocab_reasons(text: str) -> list[str]:
    """Reasons for one-liner code acting on home, the system or the network."""
    if _HOST.search(text) and _ACT.search(text) and _REACH.search(text):
        return ["runs code that writes, loads, runs or sends outside the working folder"]
    return []
