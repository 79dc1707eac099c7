"""A lesson said in words again and again becomes one habit skill with worked replies."""

from __future__ import annotations

import pytest
import sqlite_utils

from app.signals.hints import follows
from app.skills import said_habit
from app.skills.directive import Directive
from app.skills.learn import learn_from_signals
from app.skills.library import SkillLibrary
from app.skills.said_habit import compose, said_line
from app.skills.skill import CATEGORY_HABIT, SECTION_LESSON
from app.skills.synthesize import attach_checked_reply
from app.store import conversations as conv
from app.store import skill_uses
from app.store.db import open_db
from app.store.signals import record_signal

SAID = [
    ("How can I restart the nginx service?", "Run `sudo systemctl restart nginx`.",
     "no, I use doas, not sudo"),
    ("How do I edit /etc/hosts?", "Use `sudo nano /etc/hosts` to edit it.",
     "wrong, there is no sudo here, I use doas"),
    ("How do I reboot now?", "Run `sudo reboot` to restart the machine.",
     "i told you: doas, not sudo"),
    ("How do I mount a USB stick?", "Run `sudo mount /dev/sdb1 /mnt/usb`.",
     "remember, my root tool is doas"),
]


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


def _say(db: sqlite_utils.Database, request: str, reply: str, words: str) -> int:
    conversation = conv.create_conversation(db)
    conv.add_message(db, conversation, "user", request)
    reply_id = conv.add_message(db, conversation, "assistant", reply)
    signal = record_signal(db, "verbal_correction", message_id=reply_id, score=-1, hint=words,
                           detector="nextmsg")
    learn_from_signals(db, [signal])
    return signal


def test_words_said_three_times_make_one_habit_with_swapped_worked_replies(
    db: sqlite_utils.Database,
) -> None:
    signals = [_say(db, *item) for item in SAID]
    skills = SkillLibrary(db).list_skills()
    assert len(skills) == 1, [s.name for s in skills]
    habit = SkillLibrary(db).get(skills[0].name)
    assert habit.category == CATEGORY_HABIT and "doas" in habit.name
    assert set(habit.origin_signals) == set(signals)
    # the newest words, without how the user opened them ("remember,", "i told you:")
    assert habit.section(SECTION_LESSON).splitlines() == [
        "- My root tool is doas.", "- Doas, not sudo.", "- There is no sudo here, I use doas."
    ]
    for word in ("nginx", "hosts", "reboot", "usb"):  # where it applies: every request's words
        assert word in habit.description.lower()
    answers = dict(habit.examples)
    assert answers["How can I restart the nginx service?"] == "Run `doas systemctl restart nginx`."
    assert answers["How do I reboot now?"] == "Run `doas reboot` to restart the machine."
    # "doas, not sudo" said once holds for the replies whose words only named doas
    assert answers["How do I edit /etc/hosts?"] == "Use `doas nano /etc/hosts` to edit it."
    assert len(answers) == len(SAID)
    assert all("sudo" not in answer for answer in answers.values())
    assert "the user said" not in habit.body.lower()


def test_words_said_once_or_twice_stay_one_reply_skills(db: sqlite_utils.Database) -> None:
    _say(db, *SAID[0])
    _say(db, "How do I list open ports?", "Run `netstat -tlnp`.", "no, use ss, not netstat")
    skills = SkillLibrary(db).list_skills()
    assert len(skills) == 2 and all(s.category != CATEGORY_HABIT for s in skills)
    first = next(s for s in skills if "nginx" in s.description)
    assert SkillLibrary(db).get(first.name).examples == [
        ("How can I restart the nginx service?", "Run `doas systemctl restart nginx`.")
    ]


def test_a_later_checked_reply_joins_the_habit_without_pushing_out_its_examples(
    db: sqlite_utils.Database,
) -> None:
    signals = [_say(db, *item) for item in SAID]
    before = len(SkillLibrary(db).get(SkillLibrary(db).list_skills()[0].name).examples)
    reply = "Use `doas systemctl reload nginx`: it keeps the connections open."
    attached = attach_checked_reply(db, signals[0], reply)
    assert attached is not None and before == len(SAID)
    assert len(attached.examples) == before  # the teacher's reply replaced its request's swap
    assert dict(attached.examples)["How can I restart the nginx service?"] == reply


def test_the_users_opener_is_not_part_of_the_lesson() -> None:
    assert said_line("no, I use doas, not sudo") == "I use doas, not sudo."
    assert said_line("i told you: doas, not sudo") == "Doas, not sudo."
    assert said_line("Nope. `doas reboot` is how it works here") == (
        "`doas reboot` is how it works here."
    )
    assert said_line("no apt here, openSUSE uses zypper") == "No apt here, openSUSE uses zypper."


def test_a_reply_one_correction_passed_but_the_habit_does_not_bear_out_is_no_example() -> None:
    said = [
        ("How do I install ffmpeg?", "Run `apt install ffmpeg`.", "no, I'm on openSUSE, zypper"),
        ("How do I update?", "Run `apt update`.", "wrong distro, mine is openSUSE: zypper dup"),
        ("How do I remove vim?", "Run `sudo apt remove vim`.", "openSUSE! use zypper remove"),
    ]
    directives = [Directive("verbal_correction", q, a, hint=h, signal_ids=(i,))
                  for i, (q, a, h) in enumerate(said, 1)]
    checked = [("How do I update?", "Use `sudo apt-get install update`."),
               ("How do I remove vim?", "Run `sudo zypper remove vim`.")]
    skill = compose(None, directives, checked, 300, 500)
    assert skill.examples == [("How do I remove vim?", "Run `sudo zypper remove vim`.")]


def test_a_word_every_reply_already_says_is_no_lesson_of_its_own(
    db: sqlite_utils.Database,
) -> None:
    # "git" recurs in these words too, but every corrected reply said it: keyed on it, a
    # second habit gathered part of the same lesson.
    said = [
        ("How do I update my branch?", "Run `git pull origin main`.",
         "our default branch is develop, not main"),
        ("How do I see my new commits?", "Run `git log main..HEAD`.", "`git log develop..HEAD`"),
        ("How do I start a feature?", "Run `git switch -c feat main`.",
         "remember: `git switch -c feat develop`"),
        ("How do I reset to the server copy?", "Run `git reset --hard origin/master`.",
         "stop saying master, it's `git reset --hard origin/develop`"),
    ]
    for item in said:
        _say(db, *item)
    skills = SkillLibrary(db).list_skills()
    assert [s.category for s in skills] == [CATEGORY_HABIT], [s.name for s in skills]
    assert "develop" in skills[0].name


def test_words_that_only_open_a_correction_make_no_habit(db: sqlite_utils.Database) -> None:
    for request, reply, _ in SAID[:3]:
        _say(db, request, reply, "ugh, come on")  # crashed the turn: a habit with no lesson
    assert all(s.category != CATEGORY_HABIT for s in SkillLibrary(db).list_skills())


def test_a_complaint_said_three_times_is_no_habit(db: sqlite_utils.Database) -> None:
    for request, reply, _ in SAID[:3]:
        _say(db, request, reply, "it still doesn't work")
    assert all(s.category != CATEGORY_HABIT for s in SkillLibrary(db).list_skills())


def test_corrections_about_something_else_do_not_retire_the_habit(
    db: sqlite_utils.Database,
) -> None:
    for item in SAID:
        _say(db, *item)
    habit = SkillLibrary(db).list_skills()[0]
    for n in range(5):  # replies that used the habit, corrected about something else
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", f"How do I list open ports on host {n}?")
        reply_id = conv.add_message(db, conversation, "assistant", "Run `doas netstat -tlnp`.")
        skill_uses.record(db, reply_id, [habit.id], 0.0)
        signal = record_signal(db, "verbal_correction", message_id=reply_id, score=-1,
                               hint="no, use ss, not netstat", detector="nextmsg")
        learn_from_signals(db, [signal])
    assert not SkillLibrary(db).get(habit.name).retired
    assert said_habit.contradicted_by(
        said_habit.spoken_habits(SkillLibrary(db))[0][1],
        Directive("verbal_correction", "How do I reboot?", "Run `doas reboot`.",
                  hint="no, sudo, not doas"),
    )


def test_words_two_corrections_share_by_chance_do_not_join_the_habit(
    db: sqlite_utils.Database,
) -> None:
    more = [("How do I edit fstab?", "Run `sudo nano /etc/fstab`.",
             "sudo isn't installed on this machine, doas"),
            ("How do I restart ssh?", "Run `sudo systemctl restart ssh`.",
             "doas! sudo isn't installed on this machine")]
    for item in [*SAID, *more]:
        _say(db, *item)
    # "installed" and "machine" in two of the habit's words and in this one: no lesson of it
    _say(db, "How do I run a Python script?", "Run `python3 script.py`.",
         "python isn't installed on this machine, use the flatpak")
    names = [s.name for s in SkillLibrary(db).list_skills()]
    assert len(names) == 2, names


def test_words_with_no_reply_to_show_them_make_a_habit_once_a_checked_reply_comes(
    db: sqlite_utils.Database,
) -> None:
    # A fact about the machine names no "X, not Y" the corrected replies hold (they ran pip,
    # the words reject apt), so no swapped reply shows it and no habit forms at first; the
    # trainer's teacher (or the chat) later writes a checked reply, and the habit forms then.
    said = [
        ("How do I install git?", "Run `sudo pip install git`.",
         "I'm on Arch. `sudo pacman -S git`, not apt."),
        ("How do I update everything?", "Run `pip install -U everything`.",
         "wrong, this is Arch Linux, it's pacman"),
        ("How do I remove vlc?", "Run `sudo uninstall vlc`.", "I told you I use Arch, pacman"),
    ]
    signals = [_say(db, *item) for item in said]
    assert all(s.category != CATEGORY_HABIT for s in SkillLibrary(db).list_skills())
    reply = "On Arch Linux, `sudo pacman -Syu` updates everything."
    attached = attach_checked_reply(db, signals[1], reply)
    assert attached is not None and attached.category == CATEGORY_HABIT
    skills = SkillLibrary(db).list_skills()
    assert [s.name for s in skills] == [attached.name]  # the one-reply skills folded into it
    assert set(attached.origin_signals) == set(signals)
    assert dict(attached.examples) == {"How do I update everything?": reply}


def test_words_about_a_reply_s_shape_keep_replies_that_show_their_own_code() -> None:
    # "long" is what these words share, but no reply that follows them says it: each shows
    # the long option its own correction gave.
    said = [
        ("How do I copy a folder?", "Run `cp -r src dst`.",
         "use long option names please: `cp --recursive src dst`"),
        ("How do I list hidden files?", "Run `ls -a`.", "long options! `ls --all`"),
        ("How do I make nested folders?", "Run `mkdir -p a/b`.",
         "again, long options: `mkdir --parents a/b`"),
    ]
    directives = [Directive("verbal_correction", q, a, hint=h, signal_ids=(i,))
                  for i, (q, a, h) in enumerate(said, 1)]
    checked = [("How do I copy a folder?", "Use `cp --recursive src dst` to copy it."),
               ("How do I list hidden files?", "Run `ls -a` to list them.")]
    skill = compose(None, directives, checked, 300, 500)
    assert skill.examples == [checked[0]]


def test_thumbs_down_without_a_reason_take_no_place_among_the_latest_words(
    db: sqlite_utils.Database,
) -> None:
    for item in SAID[:2]:
        _say(db, *item)
    for n in range(said_habit.RECENT):  # twelve replies thumbed down, no reason given
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", f"Tell me a joke about number {n}.")
        reply_id = conv.add_message(db, conversation, "assistant", f"{n} walked into a bar.")
        learn_from_signals(db, [record_signal(db, "thumb", message_id=reply_id, score=-1,
                                                detector="thumb")])
    _say(db, *SAID[2])
    habits = [s for s in SkillLibrary(db).list_skills() if s.category == CATEGORY_HABIT]
    assert len(habits) == 1 and len(habits[0].origin_signals) == 3


def test_the_habit_s_wish_still_names_what_the_user_uses() -> None:
    # The teacher's last try opens with what the words name ("Using pacman: …"); with the
    # habit's swaps added, the wish had lost it and no try of say_arch was checked.
    said = Directive("verbal_correction", "How do I install git?", "Run `pip install git`.",
                     hint="wrong distro again. pacman -Rns vlc")
    assert said_habit.wish(said, (("apt", "pacman"),)).named
    plain = Directive("verbal_correction", "How do I update?", "Run `pip install -U x`.",
                      hint="this is Arch, not Ubuntu")
    assert said_habit.wish(plain, (("apt", "pacman"),)).named == "Arch"


def test_the_habit_s_wish_keeps_what_the_correction_itself_asks() -> None:
    # The teacher checks its tries with it: a reply about trash-put that answers nothing of
    # the request ("build") must not pass for having dropped the request's topic.
    said = Directive("verbal_correction", "How do I delete the build folder?",
                     "Run `rm -r build` to delete the build folder.", hint="trash-put, not rm!")
    wanted = said_habit.wish(said, (("rm", "trash-put"),))
    assert follows("Run `trash-put build` to move the build folder to the trash.", wanted)
    assert not follows("trash-put moves files to the trash, so you can restore them.", wanted)


def test_a_correction_folded_into_a_habit_later_leaves_no_one_reply_skill_behind(
    db: sqlite_utils.Database,
) -> None:
    # An old doas correction, twelve others, then the habit: the trainer's teacher later
    # writes the old one's checked reply, and it joins the habit; its skill must go.
    old = _say(db, *SAID[0])
    for n in range(said_habit.RECENT):
        _say(db, f"How do I list folder {n}?", "Run `ls -l`.", f"no, use eza for folder {n}")
    for item in SAID[1:]:
        _say(db, *item)
    attach_checked_reply(db, old, "Run `doas systemctl restart nginx` to restart it.")
    holding = [s.name for s in SkillLibrary(db).list_skills() if old in s.origin_signals]
    assert len(holding) == 1 and holding[0].startswith("said-"), holding
