"""The skills page: list, search, view, edit with validation, switch off, delete, import, export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.skills.library import SkillLibrary
from app.skills.skill import Skill, compose_body, read_skill
from app.store.db import open_db
from app.ui.skills_page import SkillsPage


@pytest.fixture
def library() -> SkillLibrary:
    library = SkillLibrary(open_db())
    library.add(
        Skill(
            "git-update-branch-with-main",
            "Bring a feature branch up to date with main; the user prefers rebase.",
            compose_body("Use `git rebase origin/main`.", "Merging main in.", "`git fetch`"),
            category="git",
        )
    )
    library.add(
        Skill(
            "writing-no-em-dashes",
            "Never use em dashes in text written for this user.",
            compose_body("Use commas instead.", "Dashes.", "A, B."),
            category="writing",
        )
    )
    return library


@pytest.fixture
def page(qtbot: QtBot, library: SkillLibrary) -> Iterator[SkillsPage]:
    page = SkillsPage()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.list.count() == 2)
    yield page
    page.shutdown()


def _idle(qtbot: QtBot, page: SkillsPage) -> None:
    qtbot.waitUntil(lambda: not page.busy)


def _open(qtbot: QtBot, page: SkillsPage, name: str) -> None:
    page.select(name)
    qtbot.waitUntil(lambda: page.current is not None and page.current.skill.name == name)


def test_list_search_and_rendered_view(qtbot: QtBot, page: SkillsPage) -> None:
    assert page.names() == ["git-update-branch-with-main", "writing-no-em-dashes"]
    page.search.setText("rebas")
    qtbot.waitUntil(lambda: page.names() == ["git-update-branch-with-main"])
    page.search.setText("")
    qtbot.waitUntil(lambda: page.list.count() == 2)

    _open(qtbot, page, "git-update-branch-with-main")
    shown = page.viewer.toPlainText()
    assert "Use git rebase origin/main." in shown, "Markdown is rendered, not shown raw"
    assert "category: git" in shown and "used 0 times" in shown
    assert "<code" in page.viewer.toHtml() or "monospace" in page.viewer.toHtml()


def test_edit_is_validated_before_saving(
    qtbot: QtBot, page: SkillsPage, library: SkillLibrary
) -> None:
    _open(qtbot, page, "writing-no-em-dashes")
    page.edit_button.click()
    assert page.stack.currentWidget() is page.editor
    original = page.editor.toPlainText()
    assert original.startswith("---\nname: writing-no-em-dashes\n")

    page.editor.setPlainText("no front matter at all")
    page.save_button.click()
    assert "Not saved" in page.message.text() and "front matter" in page.message.text()
    assert page.stack.currentWidget() is page.editor, "the user's text is not thrown away"
    assert read_skill(library.folder("writing-no-em-dashes")).body.startswith("## Lesson")

    page.editor.setPlainText(original.replace("Use commas instead.", "Use commas or colons."))
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Saved.")
    _idle(qtbot, page)
    saved = read_skill(library.folder("writing-no-em-dashes"))
    assert "Use commas or colons." in saved.body
    assert "Use commas or colons." in page.viewer.toPlainText()


def test_edit_can_rename(qtbot: QtBot, page: SkillsPage, library: SkillLibrary) -> None:
    _open(qtbot, page, "writing-no-em-dashes")
    page.edit_button.click()
    text = page.editor.toPlainText().replace("name: writing-no-em-dashes", "name: no-dashes")
    page.editor.setPlainText(text)
    page.save_button.click()
    qtbot.waitUntil(lambda: "no-dashes" in page.names())
    assert not library.folder("writing-no-em-dashes").exists()
    assert read_skill(library.folder("no-dashes")).description.startswith("Never use em")


def test_turn_off_and_delete_with_confirmation(
    qtbot: QtBot, page: SkillsPage, library: SkillLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(qtbot, page, "git-update-branch-with-main")
    page.toggle_button.click()
    qtbot.waitUntil(lambda: "(off)" in page.list.currentItem().text())
    _idle(qtbot, page)
    assert page.toggle_button.text() == "Turn on"
    assert read_skill(library.folder("git-update-branch-with-main")).enabled is False

    monkeypatch.setattr(page, "_confirm", lambda _text: False)
    page.delete_button.click()
    _idle(qtbot, page)
    assert library.folder("git-update-branch-with-main").exists()

    monkeypatch.setattr(page, "_confirm", lambda _text: True)
    page.delete_button.click()
    qtbot.waitUntil(lambda: page.names() == ["writing-no-em-dashes"])
    assert not library.folder("git-update-branch-with-main").exists()


def test_restore_a_retired_skill(qtbot: QtBot, page: SkillsPage, library: SkillLibrary) -> None:
    library.retire("writing-no-em-dashes")
    page.refresh()
    qtbot.waitUntil(lambda: any("(retired)" in page.list.item(i).text() for i in range(2)))
    _open(qtbot, page, "writing-no-em-dashes")
    assert page.restore_button.isVisible()
    page.restore_button.click()
    qtbot.waitUntil(lambda: not page.restore_button.isVisible())
    assert read_skill(library.folder("writing-no-em-dashes")).retired is False


def test_import_and_export_folders(
    qtbot: QtBot,
    page: SkillsPage,
    library: SkillLibrary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "incoming"
    good = source / "pdf-merge"
    good.mkdir(parents=True)
    (good / "SKILL.md").write_text(
        "---\nname: pdf-merge\ndescription: Merge PDF files with qpdf.\n---\n\nUse qpdf.\n",
        encoding="utf-8",
    )
    (source / "bad").mkdir()
    (source / "bad" / "SKILL.md").write_text("oops", encoding="utf-8")
    monkeypatch.setattr(page, "_choose_folder", lambda _title: str(source))
    page.import_button.click()
    qtbot.waitUntil(lambda: "pdf-merge" in page.names())
    assert "Imported 1 skill(s)." in page.message.text()
    labels = [page.list.item(i).text() for i in range(page.list.count())]
    assert "pdf-merge (imported)" in labels, "an imported skill is listed with its origin"
    assert "writing-no-em-dashes" in labels
    assert "bad" in page.message.text() and "front matter" in page.message.text()

    dest = tmp_path / "exported"
    monkeypatch.setattr(page, "_choose_folder", lambda _title: str(dest))
    page.export_button.click()
    qtbot.waitUntil(lambda: page.message.text().startswith("Exported 3 skill(s)"))
    assert sorted(p.name for p in dest.iterdir()) == [
        "git-update-branch-with-main",
        "pdf-merge",
        "writing-no-em-dashes",
    ]
    assert (dest / "pdf-merge" / "SKILL.md").read_text(encoding="utf-8").startswith("---\n")


def test_cancelled_dialogs_do_nothing(
    qtbot: QtBot, page: SkillsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page, "_choose_folder", lambda _title: "")
    page.import_button.click()
    page.export_button.click()
    assert not page.busy and page.message.text() == ""
