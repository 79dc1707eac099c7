"""Home folders in paths, and the project folder right below them.

A path must stay a path for the skill to work, so only the part that names someone is
replaced: ``/home/jane/projects/acme-billing/run.sh`` becomes ``~/projects/<PROJECT>/run.sh``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.community.anonymize.identity import GENERIC_ACCOUNTS
from app.community.anonymize.redaction import PATH, PROJECT, Redaction, hit

_HOME = re.compile(
    r"(?<![\w.~\-/\\])(?:(?P<nix>/(?:home|Users)/(?P<u>[A-Za-z0-9._\-]+))"
    r"|(?P<win>[A-Za-z]:\\+(?:Users|Documents and Settings)\\+(?P<wu>[^\\/\s:*?\"<>|]+))"
    r"|(?P<tilde>~|\$HOME|%USERPROFILE%))(?=[/\\\s\"'`:;,)]|$)"
)
_PROJECT_AFTER_HOME = re.compile(
    r"[/\\]+(?:projects?|code|src|repos?|repositories|work|dev|git|workspaces?|Documents"
    r"|Dokumente|Projekte|projets|proyectos|projetos)[/\\]+(?P<p>[^/\\\s\"'`:;,)<>$#]+)"
)


def home_owners(text: str) -> set[str]:
    """The account names of the home folders in ``text`` that name someone (not ``root``)."""
    found = (m.group("u") or m.group("wu") for m in _HOME.finditer(text))
    return {owner for owner in found if owner and owner.lower() not in GENERIC_ACCOUNTS}


def home_path_spans(text: str) -> Iterator[Redaction]:
    """Someone's home folder (kept as ``~``) and a project folder under any home folder."""
    for match in _HOME.finditer(text):
        owner = match.group("u") or match.group("wu")
        if owner and owner.lower() not in GENERIC_ACCOUNTS:
            placeholder = "%USERPROFILE%" if match.group("win") else "~"
            yield hit(text, match.start(), match.end(), PATH, placeholder)
        elif not match.group("tilde"):
            continue
        project = _PROJECT_AFTER_HOME.match(text, match.end())
        if project:
            yield hit(text, project.start("p"), project.end("p"), PROJECT)
