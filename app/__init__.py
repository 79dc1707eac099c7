"""Flywheel: a local desktop personal agent that learns on-device from what follows its actions."""

__version__ = "0.1.0"
