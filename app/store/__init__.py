"""The SQLite store: the one owner of Flywheel's database schema (read by app and trainer)."""
