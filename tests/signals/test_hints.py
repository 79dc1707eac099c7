"""The check that a reply follows a hint, derived from the hint's own words."""

from __future__ import annotations

import pytest

from app.signals.hint_swap import command_form, swap_terms
from app.signals.hint_terms import hint_terms
from app.signals.hint_words import sub_commands
from app.signals.hints import follows, is_echo
from app.signals.nextmsg import extract_hint


@pytest.mark.parametrize(
    ("hint", "original", "reply", "ok"),
    [
        ("I use uv, not pip", "Run `pip install requests`.", "Use uv: `uv add requests`.", True),
        ("I use uv, not pip", "Run `pip install requests`.", "Run `pip install requests`.", False),
        ("use ripgrep instead of grep", "grep -r word .", "Use ripgrep: `rg word`.", True),
        ("use ripgrep instead of grep", "", "Use ripgrep, or `grep -r word`.", False),
        ("I use the fish shell", "Use `export X=1`.", "In the fish shell: `set -Ux X 1`.", True),
        ("I use the fish shell", "Use `export X=1`.", "In any shell: `export X=1`.", False),
        ("I use the fish shell", "Use `export X=1`.", "Use `export X=1` in bash.", False),
        (
            "always end your answer with a line starting with Summary:",
            "Recursion is a function calling itself.",
            "Recursion is a function calling itself.\n\nSummary: it calls itself.",
            True,
        ),
        (
            "always end your answer with a line starting with Summary:",
            "",
            "Recursion is a function calling itself.",
            False,
        ),
        (
            "`pip install x` failed with exit code 1:\nerror: externally-managed-environment",
            "Run `pip install x`.",
            "Install it with `pipx install x`.",
            True,
        ),
        (
            "`pip install x` failed with exit code 1:\nerror: externally-managed-environment",
            "Run `pip install x`.",
            "Run `pip install x` once more.",
            False,
        ),
    ],
)
def test_a_reply_follows_what_the_hint_introduces_and_not_what_it_rejects(
    hint: str, original: str, reply: str, ok: bool
) -> None:
    assert follows(reply, hint_terms(hint, original)) is ok


def test_the_users_words_handed_back_are_no_reply() -> None:
    hint = "I use uv, not pip"
    terms = hint_terms(hint)
    assert not follows("I use uv, not pip.", terms)
    assert not follows("The user said: I use uv. Use `uv add x`.", terms)
    assert is_echo("You use uv, not pip", hint)
    assert not is_echo("Use uv: `uv add requests` adds it to your project.", hint)


def test_a_hint_that_names_nothing_checkable_teaches_nothing() -> None:
    terms = hint_terms("please do it the way I told you")
    assert not terms.checkable
    assert not follows("Sure, here it is.", terms)


def test_the_hint_keeps_a_label_it_ends_with() -> None:
    hint = extract_hint("no, always end your answer with a line that starts with Summary:")
    assert hint == "always end your answer with a line that starts with Summary:"
    assert hint_terms(hint).literal == ("Summary:",)


def test_a_reply_about_the_hint_instead_of_the_request_does_not_follow_it() -> None:
    terms = hint_terms(
        "always end your answer with a line that starts with Summary:",
        "Recursion is when a function calls itself.",
    )
    assert not follows("Yes, always finish your answer with a summary: it is good.", terms)
    assert not follows("Sure.\n\nSummary: I will end with a summary line.", terms)
    assert follows("Recursion: a function calls itself.\n\nSummary: self-reference.", terms)


def test_a_hint_naming_one_thing_in_place_of_another_can_relabel_a_reply() -> None:
    terms = hint_terms("I use the fish shell, not bash", "Add it to your bash config.")
    assert swap_terms("Add it to your bash config.", terms) == "Add it to your fish shell config."
    assert swap_terms("Add it to ~/.bashrc.", terms) is None  # whole words only
    assert hint_terms("don't use sudo").swaps == ()


def test_a_versioned_name_is_the_same_tool() -> None:
    terms = hint_terms("I use uv, not pip", "Run `pip3 install numpy`.")
    assert not follows("Run `pip3 install numpy` to get numpy.", terms)
    assert swap_terms("Install it with pip3.", terms) == "Install it with uv."


def test_a_relabelled_reply_never_invents_a_sub_command() -> None:
    """pip → uv is a name, not a command line: ``uv install numpy`` is no uv command (the
    relabelled teacher replies of say_uv taught it). Without a form the user showed, the
    command goes and the prose keeps the name; with one, the command uses it."""
    terms = hint_terms("I use uv, not pip", "x")
    block = "You can install numpy using pip:\n\n```bash\npip install numpy\n```\n"
    assert swap_terms(block, terms) == "You can install numpy using uv."
    assert swap_terms("Run `pip3 install numpy` first.", terms) == "Run uv to install numpy first."
    assert swap_terms("Use pip: `pip install numpy`.", terms) == "Use uv to install numpy."
    assert swap_terms("Run the command pip install numpy.", terms) is None  # nothing to write
    assert swap_terms(block, terms, {"uv": "uv add"}) == (
        "You can install numpy using uv:\n\n```bash\nuv add numpy\n```"
    )
    assert swap_terms("Run `pip install numpy`.", terms, {"uv": "uv pip install"}) == (
        "Run `uv pip install numpy`."
    )
    flags = hint_terms("I use ripgrep, not grep", "x")  # no sub-command: the name is swapped
    assert swap_terms("```bash\ngrep -rn TODO .\n```", flags) == "```bash\nripgrep -rn TODO .\n```"


def test_the_form_of_a_command_is_read_from_the_users_code() -> None:
    assert command_form("no, use `uv add requests`", "uv", "How do I install requests?") == "uv add"
    assert command_form("```bash\nuv pip install numpy\n```", "uv", "Add numpy?") == (
        "uv pip install"
    )
    asked = "How do I install numpy?"  # "install" is what pip ran, not an argument
    assert command_form("`uv pip install numpy`", "uv", asked, ("install",)) == "uv pip install"
    assert sub_commands("Run `pip3 install numpy`.", "pip") == ("install",)
    assert command_form("I use uv, not pip", "uv") is None  # no code: nothing shown
    assert command_form("`uv --version`", "uv") is None  # a flag is no sub-command


def test_the_hint_names_what_the_user_uses() -> None:
    assert hint_terms("I use the fish shell").named == "fish shell"
    assert hint_terms("my shell is fish, not bash").named == "fish"
    assert hint_terms("always end with a line that starts with Summary:").named == ""


def test_a_code_fence_language_is_not_relabelled() -> None:
    terms = hint_terms("I use the fish shell, not bash", "x")
    assert swap_terms("```bash\nls\n```\nIn bash, run it.", terms) == (
        "```bash\nls\n```\nIn fish shell, run it."
    )


@pytest.mark.parametrize(
    ("hint", "original", "reply", "ok"),
    [
        # a code fence's language is no return to the tool the hint turned away from
        (
            "I use the fish shell, not bash",
            "Add `export PATH=$PATH:~/bin` to your shell config.",
            "In fish:\n```bash\nfish_add_path ~/bin\n```",
            True,
        ),
        ("I use the fish shell, not bash", "", "In fish, bash runs it: `bash x.sh`.", False),
        # the wanted tool's own sub-command named after the rejected one
        (
            "I use uv, not pip",
            "Run `pip install requests`.",
            "Run `uv pip install requests`.",
            True,
        ),
        (
            "I use uv, not pip",
            "Run `pip install requests`.",
            "Run `uv pip install requests` or `pip install requests`.",
            False,
        ),
        # a contraction is one word, not a wish for "don" and "t" or "s"
        ("I don't use sudo, use doas", "Run `sudo apt update`.", "Run `doas apt update`.", True),
        ("it's fish, not bash", "Add it to your bash config.", "Add it to config.fish.", True),
        # a label with punctuation inside is the whole label
        (
            "always start your answer with a TL;DR: line",
            "A hash table maps keys to values.",
            "TL;DR: keys to values.\n\nA hash table maps keys to values.",
            True,
        ),
        (
            "always start your answer with a TL;DR: line",
            "A hash table maps keys to values.",
            "DR: keys to values.\n\nA hash table maps keys to values.",
            False,
        ),
    ],
)
def test_what_a_reply_is_checked_on_is_read_from_the_hint_as_the_user_meant_it(
    hint: str, original: str, reply: str, ok: bool
) -> None:
    assert follows(reply, hint_terms(hint, original)) is ok


def test_a_contraction_names_nothing_the_user_uses() -> None:
    assert hint_terms("it's fish, not bash").named == "fish"
    assert hint_terms("it\u2019s fish, not bash").swaps == (("bash", "fish"),)
    assert hint_terms("end with a P.S.: line").literal == ("P.S.:",)


# The lesson a hint's command carries, not its whole command line (issue 17): the teacher's
# `git config --global core.editor helix` took "For me that would be Helix: `… hx`".
@pytest.mark.parametrize(
    ("hint", "original", "reply", "ok"),
    [
        # the new word of a command the original already ran, or the tool the prose names
        (
            "On my machine it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "Run `git config --global core.editor kakoune`.",
            True,
        ),
        (
            "On my machine it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "To change it, run `git config --global core.editor kak` and restart git.",
            True,
        ),
        (
            "On my machine it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "Run `git config --global core.editor nano` and save.",
            False,
        ),
        # a program the original did not run: the program, not the user's exact line
        (
            "I work in Micro as my editor, so it's `micro /etc/hosts` for me",
            "Open it with `vim /etc/hosts` and add the line.",
            "Open the hosts file with `micro /etc/hosts`, then add the line and save.",
            True,
        ),
        (
            "my editor is micro, so it's `micro /etc/hosts` for me",
            "Open it with `vim /etc/hosts` and add the line.",
            "Open the file with `micro` and add the line at the end.",
            True,
        ),
        (
            "here it's `buildah bud -t shop .`",
            "Build it with `docker bud -t shop .` in the folder.",
            "Build it with `buildah bud -t web .` in the project folder.",
            True,
        ),
        (
            "buildah, not docker, don't forget: `buildah images`",
            "List them with `docker images`.",
            "List the images with `buildah images --all`.",
            True,
        ),
        # a reply that calls the user's command wrong has not taken the lesson
        (
            "my editor is micro, so it's `micro /etc/hosts` for me",
            "Open it with `vim /etc/hosts` and add the line.",
            "Use `cat` to open the hosts file and add the line. Note: `micro notes.md` is not"
            " the correct file to use.",
            False,
        ),
        (
            "my editor is micro, so it's `micro /etc/hosts` for me",
            "Open it with `vim /etc/hosts` and add the line.",
            "Open the hosts file and add the line, but do not use micro for it.",
            False,
        ),
        # a label inside the code span still has to lead
        (
            "start it with `SHORT: du -sh dir`",
            "Use `du -sh dir` to see its size.",
            "SHORT: use du.\n\nUse `du -sh dir` to see its size.",
            True,
        ),
        (
            "start it with `SHORT: du -sh dir`",
            "Use `du -sh dir` to see its size.",
            "Use `du -sh dir` to see its size.",
            False,
        ),
    ],
)
def test_a_hint_s_command_is_checked_on_the_lesson_it_carries(
    hint: str, original: str, reply: str, ok: bool
) -> None:
    assert follows(reply, hint_terms(hint, original)) is ok


def test_a_name_before_a_code_span_is_no_format_label() -> None:
    terms = hint_terms("For this box that is Kakoune: `kak notes.txt`", "Run `nano notes.txt`.")
    assert "Kakoune:" not in terms.literal
    assert hint_terms("Start with BRIEF: `wc -l f`", "Run `wc -l f`.").literal[0] == "BRIEF:"


def test_a_tool_the_hint_s_command_runs_in_the_original_s_place_can_be_relabelled() -> None:
    """A hint saying "here it's `buildah bud …`" after ``docker bud …``: docker → buildah
    is the swap, and the tool named is the one a try may be opened with ("Using buildah: …")."""
    terms = hint_terms("here it's `buildah bud -t shop .`", "Run `docker bud -t shop .` here.")
    assert terms.swaps == (("docker", "buildah"),)
    assert terms.named == "buildah"
    relabelled = swap_terms("Run `docker bud -t shop .` here.", terms, {"buildah": "buildah bud"})
    assert relabelled == "Run `buildah bud -t shop .` here."
    assert follows(relabelled, terms)
    prose = hint_terms("I use Kakoune, so `kak ~/.bashrc`", "Open it with `nano ~/.bashrc`.")
    assert prose.named == "Kakoune"
    assert prose.swaps == (("nano", "kak"),)


# Odd hints never break a training run: `command_forms` reads every hinted example's hint.
@pytest.mark.parametrize(
    "hint",
    [
        "use ` ` here",
        "I use   ` \t ` now",
        "Note: ` `",
        "`  ` failed with exit code 1",
        "not ` `, use `ls`",
        "a`b`c` `d",
        "",
        "``",
        "`",
        "```",
        "use `ls",
        "j'utilise `hx` — pas nano ✓, c’est Hélix",
        "use " + "x" * 20_000 + " `ls -la` " + "`" * 99,
    ],
)
@pytest.mark.parametrize("original", ["", "run `ls`", "` `", "Use `nano ~/.bashrc`."])
def test_an_odd_hint_never_raises(hint: str, original: str) -> None:
    terms = hint_terms(hint, original)
    for reply in ("", "` `", "run `ls -la` here", "Use `hx ~/.bashrc`.", original):
        assert follows(reply, terms) in (True, False)
        swap_terms(reply, terms, {"hx": "hx"})
    for tool in ("ls", "hx", " "):
        command_form(hint, tool, original, sub_commands(original, tool))


def test_a_code_span_of_only_whitespace_is_nothing_to_check() -> None:
    assert hint_terms("`  ` failed with exit code 1", "run `ls`").rejected == ()
    assert not hint_terms("use ` ` here", "run `ls`").checkable


# A word before a code span names the user's tool only after a verb of use, as "it's X"
# before a command that changes the original's, or as the span's own program; otherwise it
# is what it looks like: a label.
def test_a_word_before_a_code_span_is_the_user_s_tool_only_when_the_hint_says_so() -> None:
    original = "Open it with `nano ~/.ssh/config`."
    note = hint_terms("Note: `hx ~/.ssh/config`", original)
    assert note.wanted == (("hx",),)
    assert not follows("Note: open it with `nano ~/.ssh/config` and save.", note)
    assert follows("Note: open it with `hx ~/.ssh/config` and save.", note)
    assert "Summary:" in hint_terms("Summary: `hx ~/.ssh/config`", original).literal
    great = hint_terms("that would be great: `hx ~/.ssh/config`", original)
    assert great.wanted == (("hx",),)
    assert great.named == "hx"
    assert hint_terms("that would be great, thanks", original).named != "great"
    # the user's own names still count
    assert hint_terms("I use Helix: `hx ~/.ssh/config`", original).wanted == (("hx", "Helix"),)
    said = hint_terms("For me that would be Helix: `hx ~/.ssh/config`", original)
    assert said.wanted == (("hx", "Helix"),)
    assert "Helix:" not in said.literal
    same = hint_terms("Buildah: `buildah images`", "Run `docker images`.")
    assert "Buildah:" not in same.literal
    # a label the hint tells to lead, or one in capitals, stays a label even as a tool
    assert "NOTE:" in hint_terms("I use NOTE: `hx ~/.ssh/config`", original).literal
    lead = hint_terms("start with Hx: `hx ~/.ssh/config`", original)
    assert "Hx:" in lead.literal


# The original's word kept in the code where the hint's command changed it: the reply names
# the user's tool but runs the old command.
@pytest.mark.parametrize(
    ("hint", "original", "reply", "ok"),
    [
        (
            "it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "Kakoune is great, but run `git config --global core.editor nano`.",
            False,
        ),
        (
            "it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "Use Kakoune rather than nano: `git config --global core.editor kak`.",
            True,
        ),
        (
            "it's Kakoune: `git config --global core.editor kak`",
            "Run `git config --global core.editor nano`.",
            "Kakoune it is, run:\n\n```bash\ngit config --global core.editor kakoune\n```",
            True,
        ),
        (
            "here it's `buildah bud -t shop .`",
            "Build it with `docker bud -t shop .` in the folder.",
            "Build it in the folder; buildah is fine, but run `docker bud -t shop .`.",
            False,
        ),
    ],
)
def test_a_reply_running_the_word_the_hint_s_command_replaced_does_not_follow(
    hint: str, original: str, reply: str, ok: bool
) -> None:
    assert follows(reply, hint_terms(hint, original)) is ok


def test_a_wrapper_swapped_for_another_keeps_the_command_it_runs() -> None:
    # "sudo systemctl restart nginx" runs systemctl, not a sub-command of sudo: it became
    # "Run doas to systemctl restart nginx." as if sudo were pip.
    terms = hint_terms("no, I use doas, not sudo", "Run `sudo systemctl restart nginx`.")
    swapped = swap_terms("Run `sudo systemctl restart nginx`.", terms)
    assert swapped == "Run `doas systemctl restart nginx`."
    pip = hint_terms("I use uv, not pip", "Run `pip install requests`.")
    assert swap_terms("Run `pip install requests`.", pip) == "Run uv to install requests."


def test_the_command_right_before_not_y_is_what_replaces_y() -> None:
    # "Arch" is where the user is; the command before "not apt" is what they run instead.
    terms = hint_terms("I'm on Arch. `sudo pacman -S git`, not apt.", "Run `sudo apt install git`.")
    assert ("apt", "pacman") in terms.swaps and ("apt", "Arch") not in terms.swaps


@pytest.mark.parametrize(
    ("hint", "rejected"),
    [
        ("it's in the AUR, I use yay for that. stop giving me snap stuff", "snap"),
        ("there is no apt here, it's Arch", "apt"),
        ("there's no sudo on this box", "sudo"),
        ("I told you I use Arch. pacman -Ss, there is no apt-cache here", "apt-cache"),
    ],
)
def test_what_the_user_says_is_not_there_is_rejected(hint: str, rejected: str) -> None:
    terms = hint_terms(hint, "Run `sudo apt install x`, then `apt-cache policy x`.")
    assert rejected in terms.rejected


@pytest.mark.parametrize(
    "hint",
    [
        "there is no such file, it's in ~/notes",
        "it says there is no tracking information for the current branch",
        "there are no errors, it just hangs",
    ],
)
def test_what_is_not_there_is_rejected_only_when_the_reply_used_it(hint: str) -> None:
    terms = hint_terms(hint, "Run `git pull` to update the branch.")
    assert not {"such", "tracking", "errors"} & set(terms.rejected), terms.rejected


def test_a_reply_following_stop_giving_me_x_need_not_say_giving() -> None:
    terms = hint_terms("it's in the AUR, I use yay for that. stop giving me snap stuff",
                       "Run `sudo snap install spotify`.")
    assert follows("Install it from the AUR with `yay -S spotify`.", terms)


def test_a_tool_the_user_says_they_use_is_named_before_the_end_of_their_words() -> None:
    # the last words of the hint ("apt stuff") are what the user turns away from
    terms = hint_terms("it's in the AUR, I use yay for that. stop giving me snap and apt stuff",
                       "Run `sudo apt install spotify`.")
    assert terms.named == "yay"


@pytest.mark.parametrize(
    ("hint", "original", "swap"),
    [
        ("`doas systemctl restart nginx`, not sudo", "Run `sudo systemctl restart nginx`.",
         ("sudo", "doas")),
        ("`doas reboot` instead of sudo", "Run `sudo reboot`.", ("sudo", "doas")),
        ("`npm ci`, not install", "Run `npm install`.", ("install", "ci")),
    ],
)
def test_the_word_of_a_command_that_stands_where_y_stood_replaces_it(
    hint: str, original: str, swap: tuple[str, str]
) -> None:
    terms = hint_terms(hint, original)
    assert {new for old, new in terms.swaps if old == swap[0]} == {swap[1]}, terms.swaps
