"""Learning on the user's machine: the adapter registry shared by the app and the trainer."""
