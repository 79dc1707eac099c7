"""Entry point: ``flywheel`` / ``python -m app``.

Kept tiny on purpose: importing it must stay cheap (no torch, no Qt, no llama.cpp), so
every sub-command pays only for what it uses.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
