"""Full names without a cue ("set up by Adomas Garrity"), found from names-dataset's lists and
where the pair stands, while technical pairs of capitalized words stay."""

from __future__ import annotations

import random

import pytest

from app.community.anonymize import LocalIdentity, anonymize
from app.community.anonymize.name_words import SortedWords, name_words
from app.paths import assets_dir

NO_IDENTITY = LocalIdentity(None, None, None, None)
# First names and surnames on names-dataset's lists but not on Faker's.
NAMES = ("Adomas Garrity", "Oluwaseun Haugland", "Kwabena Brzezinski", "Siobhan Tiihonen")
POSITIONS = (
    "The backup job was set up by {name}; run `make backup` to start it.",
    "{name} prefers tabs in Makefiles, so keep them.",
    "Send the report to {name} when `pytest` passes.",
    "The laptop of {name} needs `sudo apt install fd-find` first.",
)


def clean(text: str) -> str:
    return anonymize(text, NO_IDENTITY).text


@pytest.mark.parametrize("template", POSITIONS)
@pytest.mark.parametrize("name", NAMES)
def test_a_bare_full_name_is_removed_in_each_position(template: str, name: str) -> None:
    out = clean(template.format(name=name))
    assert all(part not in out for part in name.split()), out
    assert out == template.format(name="<NAME>")


@pytest.mark.parametrize(
    "text",
    [
        "Open Visual Studio Code, then Arch Linux's wiki on Docker Compose and GitHub Actions.",
        "Fish Shell reads `config.fish`; Run `make` and Use the Makefile as is.",
        "The cache was set up by Redis Cluster, managed with Azure Functions.",
        "Send the logs to Grafana Loki: `docker run grafana/loki`.",
        "Switch to Django Channels and restart.",
        "Install Home Assistant on a Raspberry Pi with Jupyter Notebook and Sublime Text.",
    ],
)
def test_technical_pairs_of_capitalized_words_stay(text: str) -> None:
    assert clean(text) == text


def test_a_pair_half_known_is_a_name_only_where_a_person_fits() -> None:
    """Quarnby is on no list and Hope is an English word: such pairs need a place a person
    fits, and the surer the place, the less their words must say."""
    assert clean("Adomas Quarnby is the default.") == "Adomas Quarnby is the default."
    assert clean("Switch to Adomas Quarnby.") == "Switch to <NAME>."
    assert clean("Hope Garrity is here.") == "Hope Garrity is here."
    assert clean("Send it to Hope Garrity.") == "Send it to <NAME>."
    assert clean("Switch to Hope Quarnby.") == "Switch to Hope Quarnby."
    assert clean("Set up by Hope Quarnby.") == "Set up by <NAME>."
    assert clean("Hope Quarnby prefers tabs.") == "<NAME> prefers tabs."


def test_a_bare_name_found_once_is_removed_where_the_text_repeats_it() -> None:
    out = clean("Ask garrity first.\nThe backup job was set up by Adomas Garrity.")
    assert "garrity" not in out.lower() and "adomas" not in out.lower()


def test_sorted_words_answers_like_a_set() -> None:
    rng = random.Random(7)
    for size in range(40):
        words = {"".join(rng.choice("abc") for _ in range(rng.randint(1, 4))) for _ in range(size)}
        listed = SortedWords(sorted(words))
        for probe in {
            "".join(rng.choice("abcd") for _ in range(rng.randint(0, 4))) for _ in range(60)
        }:
            assert (probe in listed) == (probe in words), (probe, sorted(words))


def test_the_shipped_lists_are_sorted_and_hold_no_english_word() -> None:
    folder = assets_dir() / "names"
    for name in ("first_names.txt", "surnames.txt"):
        lines = [w for w in (folder / name).read_text("utf-8").splitlines() if w[:1] != "#"]
        assert lines == sorted(lines) and len(lines) > 100_000
    words = name_words()
    assert "Garrity" in words.last and "Adomas" in words.first
    assert not any(w in words.first or w.title() in words.last for w in ("visual", "studio"))


def test_a_pair_the_text_also_writes_as_code_is_a_program() -> None:
    """The name lists hold programs people typed as names ("Perl", "Faker"); found by reading
    Faker's own README, whose every "faker" the echo of "Perl Faker" then removed."""
    text = "Faker is inspired by Perl Faker and Ruby Faker.\n\n    from faker import Faker\n"
    assert clean(text) == text
    # Its e-mail address or ssh login does not make a person's name code.
    out = clean("Set up by Adomas Garrity: adomas.garrity@example.org, `ssh garrity@build1`.")
    assert "Adomas" not in out and "Garrity" not in out


def test_a_word_of_a_found_name_stays_where_the_text_writes_it_as_code() -> None:
    """Found after a cue, "Nano" is on the surname list; its echo must not break a command."""
    out = clean("Thanks to Jetson Nano! Edit it with `nano ~/.bashrc`.")
    assert out == "Thanks to <NAME>! Edit it with `nano ~/.bashrc`."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Adomas Window prefers tabs in Makefiles.", "<NAME> prefers tabs in Makefiles."),
        ("Siobhan Ladder said the build is broken.", "<NAME> said the build is broken."),
        ("The laptop of Kwabena Bucket needs `fd`.", "The laptop of <NAME> needs `fd`."),
        ("It runs on behalf of Oluwaseun Kettle.", "It runs on behalf of <NAME>."),
        ("My colleague Adomas Pillow set it up.", "My colleague <NAME> set it up."),
        ("Zorbulak Quarnby asked for tabs.", "<NAME> asked for tabs."),
        ("The change was approved by Siobhan Ladder.", "The change was approved by <NAME>."),
        ("Reply to Zorbulak Tramvik first.", "Reply to <NAME> first."),
        ("The desk of Zorbulak Tramvik is empty.", "The desk of <NAME> is empty."),
    ],
)
def test_a_pair_is_a_name_where_only_a_person_fits_whatever_its_words(
    text: str, expected: str
) -> None:
    """A surname that is an English word ("Window") or a first name on no list ("Zorbulak"):
    before "prefers", "said", "asked", after "the laptop of", "on behalf of", "my colleague",
    nothing but a person fits."""
    assert clean(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Adomas Window is the default.",
        "Send it to Adomas Window.",
        "Set up by Adomas Window.",
        "Adomas Window's cache is full.",
        "Adomas Window wants a version key.",
        "Switch to Zorbulak Quarnby.",
        "Zorbulak Quarnby says hello.",
        "The account of Zorbulak Quarnby is new.",
        "The change was signed by Zorbulak Quarnby.",
        "Send the logs to Zorbulak Quarnby.",
        "Make the app talk to Zorbulak Quarnby.",
    ],
)
def test_such_a_pair_stays_where_a_program_fits_too(text: str) -> None:
    """Programs are said to want, say and own things ("Docker Compose wants a version key"),
    and are sent to, set up by and switched to: there an English surname or an unlisted first
    name is not enough."""
    assert clean(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Docker Compose wants a `version` key; Redis Cluster recommends three masters.",
        "Run Docker Desktop first. Use Redis Cluster when the team of Kafka Streams says so.",
        "Docker Compose prefers the v2 syntax: run `docker compose up`.",
        "Raspberry Pi said nothing; Visual Studio prefers tabs.",
    ],
)
def test_programs_stay_in_the_places_a_person_fits_too(text: str) -> None:
    """A program written as code in the same text, or whose first word is an English word,
    stays even before "prefers" or "said"."""
    assert clean(text) == text


@pytest.mark.parametrize(
    "template",
    ["The backup job was set up by {name}.", "Send the report to {name}.", "Ask {name}."],
)
@pytest.mark.parametrize("name", ["Ólafur Window", "Zorbuláček Quarnby", "Þórhildur Kettle"])
def test_a_pair_with_letters_english_does_not_use_is_a_name_wherever_a_person_fits(
    template: str, name: str
) -> None:
    """Products are named in ASCII: a word with other letters that is no English word makes
    the pair a name after "by" or "to" too, whatever list its words are on."""
    assert clean(template.format(name=name)) == template.format(name="<NAME>")
    assert clean(f"{name} is the default.") == f"{name} is the default."


@pytest.mark.parametrize("name", ["Jiří Garrity", "Gülşen Haugland", "Adomas Dvořák"])
def test_names_with_letters_beyond_latin_1_are_on_the_lists(name: str) -> None:
    """The lists once kept only names in Latin-1 letters, so every Czech, Polish, Turkish or
    Hungarian name with "ř", "ł", "ş" or "ő" was on none: such a pair with a listed word was a
    name only where a person fits, and two of them nowhere."""
    words = name_words()
    first, last = name.split()
    assert first in words.first and last in words.last
    assert clean(f"{name} runs the backups.") == "<NAME> runs the backups."


@pytest.mark.parametrize(
    "text",
    [
        "The backup job was set up by Adomas Garrity. Run `chown garrity backup/` after.",
        "Adomas Garrity prefers tabs. Use `sudo -u adomas make`.",
    ],
)
def test_a_name_whose_word_is_a_command_argument_is_still_removed(text: str) -> None:
    """An account name is often a first name or a surname; only a command word is a program."""
    out = clean(text)
    assert "Adomas" not in out and "Garrity" not in out
    assert "garrity" not in out and "adomas" not in out


@pytest.mark.parametrize("text", ["To Adomas Quarnby: the backup runs at 2.", "By Adomas Quarnby"])
def test_a_name_after_a_capitalized_to_or_by_opening_a_line_is_removed(text: str) -> None:
    out = clean(text)
    assert "Adomas" not in out and "Quarnby" not in out


def test_a_full_name_written_surname_first_is_removed() -> None:
    """East Asian and Hungarian names are written family name first; "Zhang Wei" passed
    unchanged where "Wei Zhang" was found (a community scenario, written blind)."""
    text = "that is how Zhang Wei (+86 138 0013 8000) merges the weekly exports."
    assert clean(text) == "that is how <NAME> (<PHONE>) merges the weekly exports."


@pytest.mark.parametrize(
    "name", ["Zhang Wei", "Wang Fang", "Chen Jie", "Choi Jiwoo", "Wu Tao", "Yang Ying"]
)
@pytest.mark.parametrize(
    "template",
    [
        "that is how {name} merges the weekly exports.",
        "{name} runs the backups on Fridays.",
        "The dashboard was built for {name} last year.",
    ],
)
def test_a_listed_surname_before_a_listed_first_name_is_a_name_anywhere(
    template: str, name: str
) -> None:
    """A surname of the lists followed by a first name of the lists that is no English word
    is a name wherever it stands, as a first name followed by a surname is."""
    assert clean(template.format(name=name)) == template.format(name="<NAME>")


@pytest.mark.parametrize(
    "text",
    [
        "Open Visual Studio Code and Arch Linux's wiki.",
        "Sun Microsystems made Java; Park Avenue is in New York.",
        "Long Polling beats Server Sent Events here; Young Generation GC pauses are short.",
        "Use Apache Kafka with Redis Streams and Google Chrome.",
        "Ubuntu Jammy ships Python 3.10; Linux Mint follows it.",
    ],
)
def test_reversed_pairs_of_words_and_products_stay(text: str) -> None:
    assert clean(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Call Zhang Wei tomorrow.",
        "Email Zhang Wei today.",
        "Call Nagy Imre tomorrow.",
        "Thanks. Call Adomas Garrity about it.",
        "Park Minho fixed the build.",
    ],
)
def test_a_name_after_a_sentence_opening_word_is_found(text: str) -> None:
    """A sentence's capitalized first word no longer hides the name after it, and "Park",
    Korea's third surname, is no longer cut as an English word (reviewer's A5)."""
    out = anonymize(text, NO_IDENTITY).text
    assert "<NAME>" in out and not any(w in out for w in ("Wei", "Imre", "Garrity", "Minho"))


def test_a_product_after_a_sentence_opening_word_stays() -> None:
    text = "Open Visual Studio Code. Install Arch Linux. Use Grafana Loki for logs."
    assert anonymize(text, NO_IDENTITY).text == text


def test_a_french_title_opening_with_le_is_no_name() -> None:
    """"Le" is on the family-first surname list but mostly the French article (reviewer's A6)."""
    text = "I read Le Monde daily."
    assert anonymize(text, NO_IDENTITY).text == text
