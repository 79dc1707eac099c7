"""The terminal assistant's logic, free of Qt: command approval, the shell session, sandboxing.

A later layer wraps these in widgets; keeping them Qt-free lets them be tested with real
processes and reused by the CLI.
"""
