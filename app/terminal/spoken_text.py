"""Text that only speaks of a command: a commit message, an echo, a print, a note.

Why: the raw-text readers (`pattern_reach`) must not fire on `git commit -m 'never rm -rf ~'`,
`echo ':(){ :|:& };:' > notes.txt` or `gh issue create --title 'rm -rf ~ wipes home'`; those
quoted words are shown, never run.
"""

from __future__ import annotations

import re

_SPOKEN = re.compile(r"""(?:-m|-am|echo|print\(|printf\s+'%s\\n'|--?(?:message|msg|title|body|"""
                     r"""description|subject|comment|summary|text|notes?)[=\s])\s*(["']).*?(?<!\\)\1"""
                     r"""|<<-?\s*'?EOF'?.*?EOF"""
                     # an echo's bare words, printed and not piped anywhere (`echo rm -rf ~`)
                     r"""|(?<![\w(-])echo\s+[^|;&<>\n'"`$()]*(?=\s*(?:$|[;&\n>]))"""
                     # lines fed to an xargs that only echoes them
                     r"""|\bxargs\b[^|;&]*?\becho\b[^|;&]*?<<<\s*(["']).*?(?<!\\)\2""", re.S)


def unspoken(text: str) -> str:
    """`text` with the quoted words that are only shown blanked out."""
    return _SPOKEN.sub(" ", text)
