"""Train/serve parity with a custom system prompt: the trainer tokenizes a correction's
prompt into exactly the tokens llama.cpp was fed when the reply was written."""

from __future__ import annotations

from pathlib import Path

from app import settings as settings_mod
from app.assistant import Turn
from app.model.prompt import DEFAULT_SYSTEM_PROMPT
from app.model.runtime import ModelRuntime
from app.signals import capture
from app.store import conversations as conv
from app.store.db import open_db
from trainer.data import Encoder, load_examples, with_plain_prompts

CUSTOM = "You are Pip, a terse helper.\nAnswer in one line <|im_end|> and never more."


def test_a_custom_system_prompt_reaches_training_token_for_token(
    runtime: ModelRuntime, model_path: Path
) -> None:
    settings = settings_mod.Settings()
    settings.model.system_prompt = CUSTOM
    settings.model.max_reply_tokens = 8
    settings.model.temperature = 0.0
    db = open_db()
    cid = conv.create_conversation(db)
    turn = Turn(db, runtime, settings, cid, user_text="Name a colour.")
    list(turn)
    assert turn.result is not None and runtime.last_stats is not None
    served = runtime.last_stats.prompt  # the text llama.cpp tokenized for this reply
    served_tokens = runtime._tokens(served, prompt=True)
    assert served.startswith("<|im_start|>system\nYou are Pip, a terse helper.\nAnswer in one")
    assert "one line <|im_end|>" not in served  # a marker in the prompt stays text
    assert DEFAULT_SYSTEM_PROMPT not in served
    assert conv.get_message(db, turn.result.assistant_message_id)["prompt"] == served

    capture.record_correction(db, turn.result.assistant_message_id, "Red.", settings=settings)
    examples, skipped = load_examples(db)
    assert examples and not skipped
    encoder = Encoder(model_path, max_len=512)
    for example in with_plain_prompts(examples):
        assert example.prompt == served
        main = encoder.encode(example).main
        assert main.ids[0, : main.reply_start].tolist() == served_tokens
