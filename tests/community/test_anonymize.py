"""The anonymizer removes personal data and secrets from skills while keeping them usable."""

from __future__ import annotations

import getpass
import itertools
import random
from pathlib import Path

import pytest

from app.community.anonymize import AnonymizedText, LocalIdentity, anonymize
from bench import anonymize as BENCH
from bench.cases import load_jsonl


def shipped_cases() -> list[dict]:
    return load_jsonl(BENCH.DEFAULT_CASES, BENCH._case)


NOBODY = LocalIdentity(None, None, None, None)
ME = LocalIdentity("Marguerite Okafor-Lindqvist", "mokafor", "mokafor-thinkpad", "/home/mokafor")


def clean(text: str, identity: LocalIdentity = NOBODY) -> str:
    return anonymize(text, identity).text


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("mail jane.roe@example.org today", "jane.roe@example.org", "EMAIL"),
        ("call +1 (555) 201-3344 now", "+1 (555) 201-3344", "PHONE"),
        ("Tel. +49 30 12345678 (Büro)", "+49 30 12345678", "PHONE"),
        ("appelez le 06 12 34 56 78", "06 12 34 56 78", "PHONE"),
        ("móvil +34 612 345 678", "+34 612 345 678", "PHONE"),
        ("携帯 090-1234-5678 まで", "090-1234-5678", "PHONE"),
        ("ligue (11) 91234-5678", "(11) 91234-5678", "PHONE"),
        ("ring 020 7946 0958", "020 7946 0958", "PHONE"),
        ("gateway 192.168.1.23 is down", "192.168.1.23", "IP"),
        ("curl http://[2001:db8:85a3::8a2e:370:7334]:80/", "2001:db8:85a3::8a2e:370:7334", "IP"),
        ("wakeonlan 3c:22:fb:9a:10:4e", "3c:22:fb:9a:10:4e", "MAC"),
        ("export AWS_ACCESS_KEY_ID=AKIAZ7QW3ERTY5UIOP2L", "AKIAZ7QW3ERTY5UIOP2L", "SECRET"),
        ("key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW x", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
         "SECRET"),
        ("git push https://ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Y@github.com/a/b",
         "ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Y", "SECRET"),
        ("token gho_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk1Ji0HgFeDcBa98 ok",
         "gho_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk1Ji0HgFeDcBa98", "SECRET"),
        ("github_pat_11ABCDEFG0abcdefghijkl_MNOPQRSTUVWXYZabcdefghij0123456789klmnopqrstuv works",
         "github_pat_11ABCDEFG0abcdefghijkl_MNOPQRSTUVWXYZabcdefghij0123456789klmnopqrstuv",
         "SECRET"),
        ("slack xoxb-12345678901-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
         "xoxb-12345678901-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "SECRET"),
        ("use sk-proj-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9 here",
         "sk-proj-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9", "SECRET"),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "SECRET"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6y",
         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6y", "SECRET"),
        ("AccountKey=bXlzZWNyZXRrZXkxMjM0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=;x=1",
         "bXlzZWNyZXRrZXkxMjM0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=", "SECRET"),
        ("DB_PASSWORD=hunter2!", "hunter2!", "SECRET"),
        ('api_key: "9f8e7d6c5b4a"', "9f8e7d6c5b4a", "SECRET"),
        ("psql postgres://app:S3cr#t@db:5432/x", "S3cr#t", "SECRET"),
        ("get https://x.io/f.csv?token=abc123def&fmt=csv", "abc123def", "SECRET"),
        ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111", "CARD"),
        ("card 5500-0000-0000-0004", "5500-0000-0000-0004", "CARD"),
        ("IBAN DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00", "IBAN"),
        ("IBAN GB82WEST12345698765432 ok", "GB82WEST12345698765432", "IBAN"),
        ("Thanks to Maria Fernández for this.", "Maria Fernández", "NAME"),
        ("Author: Thandiwe Okonkwo", "Thandiwe Okonkwo", "NAME"),
        ("デプロイ前に佐藤 太郎さんに確認", "佐藤 太郎さん", "NAME"),
        ("Ask Priyankaa about the rollout", "Priyankaa", "NAME"),
        ("ping @knakamura on Slack", "knakamura", "USER"),
    ],
)
def test_each_kind_is_removed_with_its_placeholder(text: str, secret: str, kind: str) -> None:
    result = anonymize(text, NOBODY)
    assert secret not in result.text
    assert any(r.kind == kind and secret in r.original for r in result.redactions)
    assert f"<{kind}>" in result.text


def test_private_key_block_is_removed_whole() -> None:
    block = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n" \
            "-----END OPENSSH PRIVATE KEY-----"
    out = clean(f"Key:\n{block}\nthen ssh-add it")
    assert out == "Key:\n<PRIVATE_KEY>\nthen ssh-add it"


def test_signed_url_loses_its_whole_query() -> None:
    url = ("https://b.s3.amazonaws.com/r.pdf?X-Amz-Credential=AKIAXX%2F2024&X-Amz-Expires=60"
           "&X-Amz-Signature=0a1b2c3d4e5f")
    assert clean(url) == "https://b.s3.amazonaws.com/r.pdf?<SECRET>"


def test_placeholders_keep_paths_and_commands_usable() -> None:
    assert clean("cd /home/alice/projects/acme-api/src") == "cd ~/projects/<PROJECT>/src"
    assert clean("ssh alice@10.0.0.5") == "ssh <USER>@<IP>"
    assert clean(r"type C:\Users\bob\AppData\x.txt") == r"type %USERPROFILE%\AppData\x.txt"
    assert clean("open /Users/carol/Library/Logs") == "open ~/Library/Logs"


@pytest.mark.parametrize(
    "text",
    [
        "See https://docs.python.org/3/ and https://github.com/org/repo/issues/12",
        "Order 4111 1111 1111 1112 shipped",  # fails Luhn: an order number, not a card
        "ref 4532015112830367 is the order id",  # fails Luhn too
        "IBAN DE89 3704 0044 0532 0130 01 is a typo",  # wrong checksum
        "max_tokens=256 and token_limit: 4096",
        "git checkout 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
        "listen 127.0.0.1:8080 and ::1; allow 10.0.0.0/8",
        "pip install requests==2.31.0 on 2024-05-01",
        'token = os.environ["GITHUB_TOKEN"]; password: ${DB_PASSWORD}',
        "git clone git@github.com:acme/app.git",
        "Use Docker Compose with Ruby and Max Pooling layers",
        "sudo -u root crontab -l",
        "@dataclass\nclass Job:\n    @property\n    def name(self): ...",
        "uses: actions/checkout@v4, npm i @types/node, @pytest.mark.slow",
    ],
)
def test_harmless_text_is_kept(text: str) -> None:
    assert clean(text) == text


def test_own_identity_is_always_removed() -> None:
    text = ("MOKAFOR wrote this on mokafor-thinkpad (http://mokafor-thinkpad:8080/); "
            "files in /home/mokafor/notes; signed Marguerite Okafor-Lindqvist, "
            "aka Okafor-Lindqvist; prompt mokafor@mokafor-thinkpad:~$")
    out = clean(text, ME).lower()
    for value in ("mokafor", "marguerite", "okafor", "lindqvist", "/home/mokafor"):
        assert value not in out
    assert "~/notes" in out


def test_generic_account_names_are_not_identity() -> None:
    generic = LocalIdentity(None, "root", "localhost", "/root")
    assert clean("sudo -u root ls /root on localhost", generic) == \
        "sudo -u root ls /root on localhost"


def test_current_identity_comes_from_the_os() -> None:
    identity = LocalIdentity.current()
    assert identity.username == getpass.getuser()
    assert identity.home == str(Path.home())
    assert identity.hostname


def test_overlapping_detections_become_one_redaction() -> None:
    # The username, the e-mail and the URL credentials overlap; one span each survives.
    text = "mail mokafor@example.com or https://mokafor:pa55word@git.acme.io/x"
    result = anonymize(text, ME)
    spans = [(r.start, r.end) for r in result.redactions]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert result.text == "mail <EMAIL> or https://<USER>:<SECRET>@<HOST>/x"


def _rebuild(text: str, result: AnonymizedText) -> str:
    out, cursor = [], 0
    for red in result.redactions:
        assert text[red.start:red.end] == red.original
        out += [text[cursor:red.start], red.placeholder]
        cursor = red.end
    return "".join([*out, text[cursor:]])


def test_output_is_deterministic_and_matches_redactions() -> None:
    text = "\n".join(case["text"] for case in shipped_cases()[:200])
    first, second = anonymize(text, ME), anonymize(text, ME)
    assert first == second
    assert _rebuild(text, first) == first.text


def test_non_text_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="expects str"):
        anonymize(b"bytes", NOBODY)  # type: ignore[arg-type]


def test_binary_like_input_does_not_crash() -> None:
    rng = random.Random(7)
    text = "".join(chr(rng.choice((0, 7, 0xD800, 0xFFFF, rng.randrange(0x20, 0x3000))))
                   for _ in range(50_000))
    result = anonymize(text + " jane@example.org", NOBODY)
    assert result.text.endswith("<EMAIL>")
    assert _rebuild(text + " jane@example.org", result) == result.text


@pytest.mark.parametrize("unit", ["a@", "1 ", "a.", "Maria Garcia ", "-----BEGIN PRIVATE KEY-----"])
def test_megabyte_inputs_complete(unit: str) -> None:
    text = unit * (1_000_000 // len(unit)) + "\nDB_PASSWORD=Zx9!pQ2#wE"
    assert "Zx9!pQ2#wE" not in clean(text)


def test_shipped_cases_meet_the_goals() -> None:
    cases = shipped_cases()
    assert len(cases) >= 500
    result, _ = BENCH.evaluate(cases)
    assert result["leaked_secrets"] == 0
    assert result["recall"] >= 0.99
    assert result["kept_ratio"] >= 0.9
    assert result["recall_by_category"]["host"]["n"] >= 80
    assert result["min_category_recall"] >= 0.99, result["recall_by_category"]


def test_a_name_found_once_is_removed_wherever_the_text_repeats_it() -> None:
    """A synthesized skill's description lists its requests' words in lower case; the name
    its example spells out must not survive there (found by bench.community)."""
    text = (
        "description: Applies to requests like: also file, colleague, jonas, lindqvist, sent\n"
        "Answer: `fd deploy.yaml` finds the file Jonas Lindqvist sent. JONAS knows.\n"
        "Ask Grace Hopper; you will find it. Deploy it with the team."
    )
    out = clean(text)
    assert "jonas" not in out.lower() and "lindqvist" not in out.lower()
    # Ordinary words stay, even when a found name's first name is one of them.
    assert "you will find it" in out and "Deploy it with the team" in out
    assert "colleague" in out and "fd deploy.yaml" in out


def test_the_account_name_of_a_home_folder_is_removed_wherever_it_is_repeated() -> None:
    """A skill's keyword list splits the path into words; the account's pieces must not
    reach the hub through it (bench.community found "tomas" and "berg" there)."""
    out = clean("Run `ls /home/tomas.berg/webshop`. Also: add, lodash, home, tomas, berg, webshop")
    assert "tomas" not in out.lower() and "berg" not in out.lower()
    assert "`ls ~/webshop`" in out and "lodash, home" in out
    kept = clean("cd /home/build.server/app; also build, server, app")
    assert kept == "cd ~/app; also build, server, app"  # ordinary words stay


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reach him (+86 138 0013 8000) today", "reach him (<PHONE>) today"),
        ("the hotline (+49 30 12345678) answers", "the hotline (<PHONE>) answers"),
        ("call (0044 20 7946 0958) first", "call (<PHONE>) first"),
        ("call +1 (555) 201-3344 now", "call <PHONE> now"),
        ("ligue (11) 91234-5678", "ligue <PHONE>"),
    ],
)
def test_a_phone_number_in_parentheses_leaves_both_of_them(text: str, expected: str) -> None:
    """"(+86 138 0013 8000)" lost its opening parenthesis and kept the closing one."""
    assert clean(text) == expected
