"""``flywheel community …`` against a real hub: what a user types, prints and gets back.

The commands run in this process (``app.cli.run``) so they find the membership token in
the test's in-memory keyring; everything else is real: parser, settings file, database,
HTTP to a hub served by uvicorn.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app import settings as settings_mod
from app.cli import run
from app.community.client import store_membership_token
from app.skills.injection import COMMUNITY_EXAMPLE
from app.skills.library import SkillLibrary
from app.store.db import open_db

from .conftest import Hub, publish

Flywheel = Callable[..., tuple[int, str, str]]


@pytest.fixture
def flywheel(capsys: pytest.CaptureFixture[str]) -> Flywheel:
    """Run ``flywheel community ARGS``; returns (exit code, stdout, stderr)."""

    def community(*args: str) -> tuple[int, str, str]:
        code = run(["community", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return community


def join(hub_url: str, token: str = "token", share: bool = True) -> None:
    settings = settings_mod.Settings()
    settings.community.share_enabled, settings.community.hub_url = share, hub_url
    settings_mod.save(settings)
    store_membership_token(hub_url, token)


@pytest.fixture
def hub(make_hub) -> Hub:
    hub = make_hub()
    join(hub.url, hub.storage.issue_token("cli"))
    return hub


def test_search_show_and_import(hub: Hub, flywheel: Flywheel) -> None:
    remote = publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.", endorsements=1,
                     examples=(("What uses the disk here?", "Run `du -sh *`."),))
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    code, out, _ = flywheel("search", "--domain", "shell")
    assert code == 0 and out.startswith(f"{remote}    1 endorsed  disk-usage-du [shell]")
    assert "git-rebase" not in out
    code, out, _ = flywheel("search", "rebase")
    assert code == 0 and "git-rebase" in out and "disk-usage-du" not in out
    assert flywheel("search", "nothing-like-this")[1] == "no skills found\n"

    code, out, _ = flywheel("show", remote)
    assert code == 0
    assert f"user: What uses the disk here?\n\n{COMMUNITY_EXAMPLE}" in out
    assert "endorsements: 1" in out
    assert "base model family: smollm2" in out

    code, out, _ = flywheel("import", remote)
    assert (code, out) == (0, "imported disk-usage-du (enabled, on trial: 0 of 5 uses judged)\n")
    skill = SkillLibrary(open_db()).get("disk-usage-du")
    assert skill.enabled and skill.community_origin == f"{hub.url}#{remote}"
    code, _, err = flywheel("import", remote)
    assert code == 1 and "already in your skills" in err


def test_unknown_and_malformed_ids_are_one_line_errors(hub: Hub, flywheel: Flywheel) -> None:
    code, out, err = flywheel("show", "0123456789abcdef")
    assert code == 1 and out == "" and err.startswith("error: The hub has no such skill")
    assert err.count("\n") == 1
    requests = len(hub.app.paths)
    code, _, err = flywheel("import", "not-an-id")
    assert code == 1 and "not a hub skill id" in err
    assert len(hub.app.paths) == requests, "refused before any request"


def test_subscribe_sync_inbox_enable_dismiss(hub: Hub, flywheel: Flywheel) -> None:
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    publish(hub, "git-stash", "Stash before switching branches.", domain="git")
    assert flywheel("subscribe", "Git")[:2] == (
        0, "subscribed to git; `flywheel community sync` fetches its skills\n")
    assert flywheel("subscribe")[1] == "git\n"
    assert flywheel("inbox")[1] == "the inbox is empty\n"
    code, out, _ = flywheel("sync")
    assert (code, out) == (0, "Checked 1 domain(s): 2 new in the inbox, 0 enabled (trusted), "
                              "0 refused.\n")
    code, out, _ = flywheel("inbox")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and all("0 endorsed, git" in line for line in lines)
    items = {line.split()[1]: int(line.split()[0]) for line in lines}
    assert flywheel("enable", str(items["git-rebase"]))[1] == (
        "enabled git-rebase (on trial: 0 of 5 uses judged)\n")
    assert flywheel("dismiss", str(items["git-stash"]))[:2] == (
        0, f"dismissed inbox item {items['git-stash']}\n")
    assert flywheel("inbox")[1] == "the inbox is empty\n"
    code, _, err = flywheel("dismiss", str(items["git-stash"]))
    assert code == 1 and err == f"error: no inbox item {items['git-stash']}\n"
    assert flywheel("unsubscribe", "git")[1] == "unsubscribed from git\n"
    code, _, err = flywheel("unsubscribe", "git")
    assert code == 1 and err == "error: not subscribed to 'git'\n"


def test_trust_setting_and_feedback(hub: Hub, flywheel: Flywheel) -> None:
    remote = publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git",
                     endorsements=2, approve=False)
    assert flywheel("trust", "2")[1] == (
        "skills of subscribed domains with at least 2 endorsements are enabled at once\n")
    assert settings_mod.load().community.trust_endorsements == 2
    flywheel("subscribe", "git")
    assert "1 enabled (trusted)" in flywheel("sync")[1]
    assert flywheel("feedback")[1].startswith("No feedback to send yet")
    SkillLibrary(open_db()).update_state("git-rebase", uses=4, successes=4)
    code, out, _ = flywheel("feedback")
    assert code == 0 and out.startswith("queued feedback on git-rebase (listed in the sharing log")
    assert f"endorsed {remote}" not in out, "it waits in the sharing log first"
    code, out, _ = flywheel("feedback", "--now")
    assert code == 0 and out.startswith(f"endorsed {remote}\n")
    assert flywheel("feedback", "--now")[1].startswith("No feedback"), "never sent twice"
    assert hub.app.paths.count(f"POST /v1/skills/{remote}/endorse") == 3, "2 members + this one"


def test_sharing_off_and_hub_down_fail_clearly(make_hub, flywheel: Flywheel) -> None:
    hub = make_hub()
    join(hub.url, hub.storage.issue_token("cli"), share=False)
    for args in (("search",), ("show", "0123456789abcdef"), ("sync",), ("feedback",),
                 ("import", "0123456789abcdef")):
        code, out, err = flywheel(*args)
        assert code == 1 and out == "" and err.startswith("error: community sharing is turned off")
    assert hub.app.paths == [], "no request at all with sharing off"
    down = make_hub(start=False)
    join(down.url)
    code, _, err = flywheel("search")
    assert code == 1 and err.startswith(f"error: The hub {down.url} did not answer")
    assert err.endswith("; try again later.\n") and err.count("\n") == 1


def test_a_hub_answering_garbage_is_one_line(garbage_hub, flywheel: Flywheel) -> None:
    join(garbage_hub.url)
    code, out, err = flywheel("search")
    assert (code, out) == (1, "")
    assert err == (f"error: The hub's answer could not be used: {garbage_hub.url} answered "
                   "with something that is not JSON: is it a Flywheel hub?\n")
