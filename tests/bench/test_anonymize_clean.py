"""bench.anonymize: words the anonymizer replaces in text that names nobody."""

from __future__ import annotations

import json

from bench.anonymize import NO_IDENTITY
from bench.anonymize_clean import replaced_words, scenario_texts


def test_replaced_words_counts_each_word_a_redaction_covers() -> None:
    texts = ["Run `make test` before you push.", "Thanks to Maria Keller, mail maria@acme.io"]
    result = replaced_words(texts, NO_IDENTITY)
    assert result["texts"] == 2
    assert result["name_words"] == 2 and result["names_removed"] == ["Maria Keller"]
    assert result["replaced_words"] == 2 + 3  # the name, then maria, acme, io


def test_scenario_texts_leave_out_the_strings_that_carry_a_sensitive_value(tmp_path) -> None:
    scenario = {
        "teach": [{"prompt": "Find PDFs", "correction": "Use fd in /home/jo.doe/Documents"}],
        "heldout": [{"prompt": "List files", "expect": "ls"}],
        "sensitive": ["/home/jo.doe/Documents"],
    }
    (tmp_path / "one.json").write_text(json.dumps(scenario), encoding="utf-8")
    assert scenario_texts(tmp_path) == ["Find PDFs", "List files"]
