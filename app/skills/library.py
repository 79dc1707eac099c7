"""The skills library: SKILL.md folders on disk, mirrored into SQLite for search.

The folders under :func:`app.paths.skills_dir` are the source of truth for a skill's content,
because users edit them by hand and move them between tools. The ``skills`` table mirrors
each one (with an FTS5 index kept in sync by triggers) so retrieval is a single indexed
query. Every change writes the file first (atomically) and then the row; :meth:`sync`
repairs the mirror from disk if the two ever drift (a crash between them, a hand edit).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from app import paths
from app.community.screening import ScreeningError, check_text
from app.model.prompt import neutralize_special_tokens
from app.skills import vectors
from app.skills.skill import (
    APPLIES_RELEVANT,
    Skill,
    SkillFormatError,
    now_iso,
    read_skill,
    render_skill,
    skill_file,
    slugify,
    write_skill,
)
from app.store import skills as skills_store
from app.store.db import transaction

MAX_IMPORT_FILES = 500
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_SEARCH_DEPTH = 4


class SkillNotFoundError(LookupError):
    """No skill of that name is in the library."""


class SkillExistsError(FileExistsError):
    """A skill of that name is already in the library."""


@dataclass
class ImportReport:
    """What an import did: names imported, and every folder skipped with the reason why."""

    imported: list[str] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


def _skill_from_row(row: dict[str, Any]) -> Skill:
    return Skill(
        name=row["name"],
        description=row["description"],
        body=row["body"],
        category=row["category"] or "",
        origin_signals=json.loads(row["origin_signals"] or "[]"),
        uses=row["uses"],
        successes=row["successes"],
        community_origin=row["community_origin"],
        imported_from=row["imported_from"],
        enabled=bool(row["enabled"]),
        retired=bool(row["retired"]),
        applies=row["applies"],
        path=Path(row["path"]) if row["path"] else None,
        id=row["id"],
    )


def _is_skill_folder(path: Path) -> bool:
    return skill_file(path) is not None


def find_skill_folders(root: Path, depth: int = MAX_SEARCH_DEPTH) -> list[Path]:
    """Skill folders at or below ``root``: ``root`` itself if it is one, else its descendants.

    A skill folder's own subfolders (``scripts/``, ``references/``) are never searched: they
    belong to that skill.
    """
    if _is_skill_folder(root):
        return [root]
    if depth <= 0:
        return []
    found: list[Path] = []
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []
    for child in children:
        if not child.name.startswith("."):
            found.extend(find_skill_folders(child, depth - 1))
    return found


def _copy_tree(source: Path, dest: Path, problems: list[tuple[Path, str]]) -> None:
    """Copy a skill's folder, skipping symlinks (they could point anywhere on this machine)."""
    files = 0
    size = 0
    for dirpath, dirnames, filenames in os.walk(source):
        base = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not (base / d).is_symlink() and d != ".git"]
        target_dir = dest / base.relative_to(source)
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            src = base / name
            if src.is_symlink() or not src.is_file():
                problems.append((src, "skipped: symbolic link or special file"))
                continue
            files += 1
            size += src.stat().st_size
            if files > MAX_IMPORT_FILES or size > MAX_IMPORT_BYTES:
                raise SkillFormatError(
                    source,
                    f"skill folder is too large (over {MAX_IMPORT_FILES} files or "
                    f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB)",
                )
            shutil.copy2(src, target_dir / name)


class SkillLibrary:
    """Skills on disk plus their database mirror; one instance per database connection."""

    def __init__(self, db: sqlite_utils.Database, root: Path | None = None) -> None:
        self.db = db
        self.root = root or paths.skills_dir()

    def folder(self, name: str) -> Path:
        return self.root / name

    def _row(self, name: str) -> dict[str, Any] | None:
        return skills_store.row_by_name(self.db, name)

    def _mirror(self, skill: Skill) -> int:
        """Insert or refresh the database row of a skill whose file was just written, and its
        vector when its text changed (retrieval by meaning then embeds only the request)."""
        now = time.time()
        created = _epoch(skill.created) if skill.created else now
        skills_store.upsert(
            self.db,
            name=skill.name,
            description=skill.description,
            body=skill.body,
            category=skill.category or None,
            path=str(self.folder(skill.name)),
            enabled=skill.enabled,
            retired=skill.retired,
            uses=skill.uses,
            successes=skill.successes,
            origin_signals=json.dumps(sorted(set(skill.origin_signals))),
            community_origin=skill.community_origin,
            imported_from=skill.imported_from,
            applies=skill.applies,
            created=created,
            updated=now,
        )
        row = self._row(skill.name)
        assert row is not None
        skill.id = row["id"]
        vectors.refresh(self.db, row["id"], skill.name, skill.description, skill.body)
        return int(row["id"])

    def save(self, skill: Skill, *, overwrite: bool = True) -> Skill:
        """Write a skill's SKILL.md (atomically) and mirror it; returns it with id and path."""
        if not overwrite and self.folder(skill.name).exists():
            raise SkillExistsError(f"a skill named {skill.name!r} already exists")
        if not skill.created:
            skill.created = now_iso()
        write_skill(skill, self.folder(skill.name))
        with transaction(self.db):
            self._mirror(skill)
        return skill

    def add(self, skill: Skill) -> Skill:
        """Add a new skill; refuses to overwrite one of the same name."""
        return self.save(skill, overwrite=False)

    def get(self, name: str) -> Skill:
        """The skill as its file says, with the database id; raises if absent or malformed."""
        row = self._row(name)
        if row is None:
            raise SkillNotFoundError(f"no skill named {name!r}")
        skill = read_skill(self.folder(name))
        skill.id = row["id"]
        return skill

    def text(self, name: str) -> str:
        """The SKILL.md text of a skill, for viewing and editing."""
        return render_skill(self.get(name))

    def list_skills(self) -> list[Skill]:
        """All skills from the mirror (fast: no file reads), by name."""
        return [_skill_from_row(r) for r in skills_store.all_rows(self.db)]

    def created_after(self, since: float) -> set[str]:
        """Names of the skills that entered the library after ``since`` (epoch seconds)."""
        return skills_store.names_created_after(self.db, since)

    def search(self, text: str, limit: int = 200) -> list[Skill]:
        """Skills whose name, description or body contain every word typed (prefix match)."""
        words = re.findall(r"\w+", text.lower())
        if not words:
            return self.list_skills()[:limit]
        return self._matching(" AND ".join(f'"{w}"*' for w in words), "4.0, 2.0, 1.0", limit)

    def find(self, terms: list[str], limit: int = 20) -> list[Skill]:
        """Skills containing any of ``terms``, best BM25 match first (for similarity checks)."""
        if not terms:
            return []
        return self._matching(" OR ".join(f'"{t}"' for t in terms), "2.0, 3.0, 1.0", limit)

    def _matching(self, query: str, bm25_weights: str, limit: int) -> list[Skill]:
        """Skills matching the FTS5 ``query``, ranked by BM25 with per-column ``bm25_weights``."""
        rows = skills_store.matching(self.db, query, bm25_weights, limit)
        return [_skill_from_row(r) for r in rows]

    def update_state(self, name: str, **changes: Any) -> Skill:
        """Change metadata (enabled, retired, uses, successes, origin signals) file and row."""
        skill = self.get(name)
        for key, value in changes.items():
            if not hasattr(skill, key) or key in {"name", "path", "id"}:
                raise AttributeError(f"cannot change {key!r} of a skill")
            setattr(skill, key, value)
        return self.save(skill)

    def set_enabled(self, name: str, enabled: bool) -> Skill:
        return self.update_state(name, enabled=enabled)

    def retire(self, name: str) -> Skill:
        return self.update_state(name, retired=True)

    def restore(self, name: str) -> Skill:
        """Bring a retired skill back for a fresh trial.

        Its counters restart: the user overruled the evidence that retired it, and keeping
        the old poor record would retire it again after the very next miss.
        """
        return self.update_state(name, retired=False, enabled=True, uses=0, successes=0)

    def rename(self, old: str, skill: Skill) -> Skill:
        """Save ``skill`` under its (new) name and move the old folder's extra files over."""
        if skill.name == old:
            return self.save(skill)
        if self.folder(skill.name).exists():
            raise SkillExistsError(f"a skill named {skill.name!r} already exists")
        self.folder(old).rename(self.folder(skill.name))
        write_skill(skill, self.folder(skill.name))
        with transaction(self.db):
            skills_store.rename(self.db, old, skill.name)
            self._mirror(skill)
        return skill

    def delete(self, name: str) -> None:
        """Remove a skill: its folder goes to a hidden trash name first, so a failure midway
        leaves either the whole skill or nothing."""
        folder = self.folder(name)
        trash = None
        if folder.exists():
            trash = self.root / f".trash-{name}-{time.time_ns()}"
            folder.rename(trash)
        try:
            with transaction(self.db):
                skills_store.delete(self.db, name)
        except BaseException:
            if trash is not None:
                trash.rename(folder)
            raise
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)

    def import_path(self, source: Path, *, replace: bool = False) -> ImportReport:
        """Import one skill folder or a folder of skill folders (extra files come along).

        Malformed skills are reported and skipped; the rest still import. Counters and origin
        signals from elsewhere are reset: they described another user's history. Each skill
        remembers the folder it came from (``imported_from``), which the library lists.

        A skill whose file names a community origin gets the rules of a hub import (see
        :func:`app.community.client.import_skill`): the same content checks (refused with the
        reasons otherwise), neutralised text, and it applies only where relevant whatever the
        file says, so no one's copy of a community skill becomes a standing one by itself.
        """
        report = ImportReport()
        source = Path(source).expanduser()
        if not source.is_dir():
            report.problems.append((source, "not a folder"))
            return report
        folders = find_skill_folders(source)
        if not folders:
            report.problems.append((source, "no SKILL.md found in this folder or below it"))
        for folder in folders:
            try:
                name = self._import_one(folder, replace, report.problems)
            except SkillFormatError as exc:
                report.problems.append((exc.path, exc.problem))
            except (SkillExistsError, ScreeningError, OSError) as exc:
                report.problems.append((folder, str(exc)))
            else:
                report.imported.append(name)
        return report

    def _import_one(self, folder: Path, replace: bool, problems: list[tuple[Path, str]]) -> str:
        skill = read_skill(folder)
        skill.imported_from = str(folder.resolve())
        skill.origin_signals, skill.uses, skill.successes = [], 0, 0
        skill.enabled, skill.retired = True, False
        skill.created = skill.created or now_iso()
        if skill.community_origin:
            skill.applies = APPLIES_RELEVANT
            check_text(render_skill(skill))  # the SKILL.md that would be stored
            skill.description = neutralize_special_tokens(skill.description)
            skill.body = neutralize_special_tokens(skill.body)
        target = self.folder(skill.name)
        if target.exists() and not replace:
            raise SkillExistsError(f"a skill named {skill.name!r} already exists; not replaced")
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".import-"))
        try:
            _copy_tree(folder, staging, problems)
            for stale in (staging / "skill.md", staging / "SKILL.md"):
                stale.unlink(missing_ok=True)
            write_skill(skill, staging)
            if target.exists():
                self.delete(skill.name)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        with transaction(self.db):
            self._mirror(skill)
        return skill.name

    def export(self, dest: Path, names: Iterable[str] | None = None) -> list[Path]:
        """Copy skill folders to ``dest/<name>/`` (a folder the other tools can open)."""
        dest = Path(dest).expanduser()
        dest.mkdir(parents=True, exist_ok=True)
        chosen = list(names) if names is not None else [s.name for s in self.list_skills()]
        written = []
        for name in chosen:
            skill = self.get(name)
            problems: list[tuple[Path, str]] = []
            _copy_tree(self.folder(name), dest / name, problems)
            write_skill(skill, dest / name)
            written.append(dest / name)
        return written

    def sync(self) -> list[tuple[Path, str]]:
        """Make the database mirror match the folders on disk; returns malformed files."""
        problems: list[tuple[Path, str]] = []
        on_disk: set[str] = set()
        if self.root.is_dir():
            for folder in sorted(self.root.iterdir()):
                if folder.name.startswith(".") or not folder.is_dir():
                    continue
                try:
                    skill = read_skill(folder)
                except SkillFormatError as exc:
                    problems.append((exc.path, exc.problem))
                    on_disk.add(folder.name)
                    continue
                if skill.name != folder.name:
                    if slugify(folder.name) != folder.name:
                        problems.append((folder, "folder name is not a valid skill name"))
                        continue
                    skill.name = folder.name
                    write_skill(skill, folder)
                on_disk.add(skill.name)
                with transaction(self.db):
                    self._mirror(skill)
        with transaction(self.db):
            for name in skills_store.all_names(self.db):
                if name not in on_disk:
                    skills_store.delete(self.db, name)
        return problems
