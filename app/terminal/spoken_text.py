"""Text that only speaks of a command: a commit message, an echo, a print, a note.

Why: the raw-text readers (`pattern_reach`) must not fire on `git commit -m 'never rm -rf ~'`,
`echo ':(){ :|:& };:' > notes.txt`, `printf 'Never run: %s\\n' ':(){ :|:& };:'` (a format
and what it fills in) or `gh issue create --title 'rm -rf ~ wipes home'`; those quoted words
are shown, never run.
"""

from __future__ import annotations

import re

_SPOKEN = re.compile(r"""(?:-m|-am|echo|print\(|--?(?:message|msg|title|body|"""
                     r"""description|subject|comment|summary|text|notes?)[=\s])\s*(["']).*?(?<!\\)\1"""
                     # a printf's format and the quoted words it fills in, printed, or piped
                     # only into a program that counts or shows them (`| wc -c`)
                     r"""|\bprintf\s+(?:--\s+)?(?:(?:'[^']*'|"(?:[^"\\]|\\.)*")\s*)+"""
                     r"""(?=(?:\|\s*(?:wc|less|more|cat|head|tail|grep|sort|uniq|cut|column|fold|od|"""
                     r"""xxd|hexdump|md5sum|sha\d*sum|nl)\b[^|;&<>\n]*)?(?:$|[;&\n>)]))"""
                     r"""|<<-?\s*'?EOF'?.*?EOF"""
                     # an echo's bare words, printed and not piped anywhere (`echo rm -rf ~`)
                     r"""|(?<![\w(-])echo\s+[^|;&<>\n'"`$()]*(?=\s*(?:$|[;&\n>]))"""
                     # lines fed to an xargs that only echoes them
                     r"""|\bxargs\b[^|;&]*?\becho\b[^|;&]*?<<<\s*(["']).*?(?<!\\)\2""", re.S)


# In code of any language: a print of one string literal that ends the statement (no `|` or
# `>` after it, which in awk and Perl send it to a program or a file).
_PRINTED = re.compile(r"""\b(?:print|printf|puts|say|echo|println|writeln|message|cat|disp|"""
                      r"""console\.(?:log|error|info))\s*\(?\s*(?:'(?:[^'\\]|\\.)*'|"""
                      r""""(?:[^"\\]|\\.)*")\s*\)?(?=\s*(?:$|[;}\n]))""")


def unspoken(text: str) -> str:
    """`text` with the quoted words that are only shown blanked out."""
    return _SPOKEN.sub(" ", text)


def unprinted(code: str) -> str:
    """`code` with the string literals it only prints blanked out: `print "system(\"sh\")"`
    in awk, `puts "rm -rf ~"` in Ruby show those words, they do not run them."""
    return _PRINTED.sub(" print() ", code)
