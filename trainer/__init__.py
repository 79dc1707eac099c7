"""The trainer process: on-device LoRA training, GGUF export, the promotion gate.

It runs apart from the desktop app (``python -m trainer run``), which never imports torch;
the two meet only in the database, the adapter files and the trainer's JSON-lines stdout.
Nothing here imports Qt.
"""
