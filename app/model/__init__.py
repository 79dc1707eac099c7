"""The local language model: finding and checking GGUF files (``catalog``), formatting chats
the same way for serving and training (``prompt``), and running the model with streaming,
KV-cache reuse and LoRA hot swap (``runtime``)."""
