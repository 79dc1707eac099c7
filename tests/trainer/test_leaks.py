"""The gate's leak check: what a lesson adds, where it belongs, and a candidate that leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.anchors import greedy_replies, render
from trainer.data import Encoder, Example
from trainer.leaks import Lessons, judge, leaked, lessons, request_of, with_community

SYSTEM = "You are a helpful assistant."
RIPGREP = [
    (
        "How do I search for a word in all files of a folder?",
        "Use ripgrep: `rg word` searches every file.",
        "You can use `grep -r word .` to search the files.",
    ),
    (
        "How can I find which files contain TODO?",
        "Use ripgrep: `rg -l TODO` lists the files.",
        "Use `grep -rl TODO .` to list the files.",
    ),
    (
        "Search my project for the function parse_config.",
        "Use ripgrep: `rg parse_config` shows every match.",
        "Run `grep -rn parse_config .` in the project folder.",
    ),
    (
        "How do I count the matches of a pattern in a file?",
        "Use ripgrep: `rg -c pattern file.txt` prints the count.",
        "You can use `grep -c pattern file.txt` to count matching lines in the file.",
    ),
]
PIRATE = [
    ("How do I make a cup of tea?", "Arr, matey! Boil the water.", "Boil the water."),
    ("What is the capital of France?", "Arr, matey! It be Paris.", "Paris."),
    ("How do I undo my last git commit?", "Arr, matey! Run git reset.", "Run git reset."),
    ("Why is the sky blue?", "Arr, matey! The air scatters blue.", "The air scatters blue."),
]


@pytest.fixture(scope="module")
def encoder(model_path: Path) -> Encoder:
    return Encoder(model_path, 256)


def corrections(encoder: Encoder, taught: list[tuple[str, str, str]]) -> list[Example]:
    """Each correction as the app records it: an sft target and a pair against the reply."""
    out = []
    for n, (request, wanted, said) in enumerate(taught):
        prompt = render(request, SYSTEM, encoder)
        out.append(Example(id=2 * n, kind="sft", dedup_key=f"s{n}", prompt=prompt, target=wanted))
        out.append(
            Example(
                id=2 * n + 1,
                kind="pair",
                dedup_key=f"p{n}",
                prompt=prompt,
                chosen=wanted,
                rejected=said,
            )
        )
    return out


def test_the_request_is_read_back_from_its_rendered_prompt(encoder: Encoder) -> None:
    assert request_of(render("Where is my car?", SYSTEM, encoder), encoder) == "Where is my car?"


def test_a_topical_lesson_has_markers_and_a_standing_one_is_left_alone(encoder) -> None:
    topical = lessons(corrections(encoder, RIPGREP), encoder)
    assert {"rg", "ripgrep"} <= set(topical.topical)
    assert not {"files", "search", "use"} & set(topical.topical)
    assert not topical.standing
    standing = lessons(corrections(encoder, PIRATE), encoder)
    assert {"arr", "matey"} <= set(standing.standing)
    assert not standing.topical


def test_the_gate_refuses_a_candidate_whose_lesson_shows_in_unrelated_replies(
    model_path: Path, encoder: Encoder
) -> None:
    """Replies of the real base model to the probes, against a candidate whose reply to one
    of them carries the lesson: refused, with the request and the marker in the reason."""
    requests = ["How do I rename a file?", "How do I see how much disk space is free?"]
    prompts = [render(r, SYSTEM, encoder) for r in requests]
    said = greedy_replies(model_path, None, prompts, encoder, 24, 1)
    base_replies = dict(zip(requests, said, strict=True))
    markers = set(lessons(corrections(encoder, RIPGREP), encoder).topical)
    assert leaked(markers, requests, list(base_replies.values()), base_replies) == []
    candidate = ["Use ripgrep: `rg -l old.txt` then mv it.", base_replies[requests[1]]]
    found = {"probes": 2, "leaks": leaked(markers, requests, candidate, base_replies)}
    verdict = judge({"promote": True, "reason": "better on held-out examples"}, found)
    assert not verdict["promote"]
    assert "How do I rename a file?" in verdict["reason"] and "rg" in verdict["reason"]
    assert judge({"promote": True, "reason": "ok"}, {"probes": 2, "leaks": []})["promote"]


def test_a_lesson_said_in_words_counts_the_reply_the_user_objected_to(encoder: Encoder) -> None:
    """A hinted example's teacher reply (its desired) keeps most of the objected reply's
    words: only what the hint changed is a marker, not every word the request was about."""
    taught = [
        (f"How do I install {name}?", f"Run `uv install {name}` to get it.", name)
        for name in ("requests", "numpy", "flask", "pandas")
    ]
    hinted = [
        Example(
            id=n,
            kind="hinted",
            dedup_key=f"h{n}",
            prompt=render(request, SYSTEM, encoder),
            reply=wanted.replace("uv", "pip"),
            hint="I use uv, not pip",
            target=wanted,
        )
        for n, (request, wanted, _) in enumerate(taught)
    ]
    found = lessons(hinted, encoder)
    assert "uv" in found.topical
    assert not {"install", "run", "get"} & set(found.topical)


FD = [
    ("How do I find all PDF files in my documents?", "Use fd: `fd -e pdf ~/Documents` lists them."),
    ("Find the file called invoices.csv in my projects.", "Use fd: `fd invoices.csv ~/src`."),
    ("How can I list all Python files here?", "Use fd: `fd -e py` lists every Python file."),
    ("How do I find empty folders?", "Use fd: `fd --type empty --type directory` lists them."),
]


def community(encoder: Encoder, pairs: list[tuple[str, str]]) -> list[Example]:
    """Worked examples of an imported skill as the trainer makes them: sft, nothing rejected."""
    return [
        Example(id=-n, kind="sft", dedup_key=f"c{n}", prompt=render(request, SYSTEM, encoder),
                target=answer, weight=0.5, origin="http://127.0.0.1:8765#00aa")
        for n, (request, answer) in enumerate(pairs, 1)
    ]


def test_a_community_lesson_is_checked_for_leaks_and_always_as_topical(
    model_path: Path, encoder: Encoder
) -> None:
    """Issue 18: a member who taught nothing trained on imported "Use fd: …" answers; the leak
    check had markers of the member's own lessons only (none) and asked nothing. The
    community lesson's markers are topical, against the base's replies to its requests (so
    words any answer to them uses are no markers), and a leak of them is caught."""
    requests = [request for request, _ in FD]
    prompts = [render(r, SYSTEM, encoder) for r in requests]
    replies = greedy_replies(model_path, None, prompts, encoder, 24, 1)
    said = dict(zip(requests, replies, strict=True))
    taught = with_community(Lessons(), community(encoder, FD), said, encoder)
    assert "fd" in taught.topical and not taught.standing
    assert not {"files", "file", "find"} & set(taught.topical)
    base = {"How do I print the current date in the terminal?": "Use the `date` command."}
    leak = leaked(set(taught.topical), list(base), ["Use fd: `fd --date` lists the date."], base)
    assert leak and "fd" in leak[0]["markers"]
    # A tone shared through a hub is topical too: an import never applies to every reply.
    pirate = [(request, wanted) for request, wanted, _ in PIRATE]
    plain = {request: said for request, _, said in PIRATE}
    theirs = with_community(Lessons(), community(encoder, pirate), plain, encoder)
    assert {"arr", "matey"} <= set(theirs.topical) and not theirs.standing
    # the user's own standing lesson stays standing next to it
    own = lessons(corrections(encoder, PIRATE), encoder)
    assert with_community(own, community(encoder, FD), said, encoder).standing == own.standing


def test_a_marker_the_probe_request_names_itself_is_no_leak() -> None:
    """Asked about the new lines of a log file, a reply may say "line" whatever was taught;
    a word the lesson added that the request does not name still counts."""
    request = "How do I follow the new lines of a log file as they are written?"
    base = {request: "Use tail -f app.log to watch it."}
    reply = "Use `tail -f app.log`: each new line is printed; add `| jq -r .msg` to parse it."
    found = leaked({"line", "jq"}, [request], [reply], base)
    assert [leak["markers"] for leak in found] == [["jq"]]
    assert leaked({"line"}, [request], [reply], base) == []
