"""The frozen app's entry script: PyInstaller starts here, ``app.__main__`` does the rest.

A separate file (rather than ``app/__main__.py`` itself) keeps ``app/`` off the build's
module search path, so none of its modules can pass for a top-level one.

Before anything else it gives the process back the user's environment. PyInstaller's
bootloader points ``LD_LIBRARY_PATH`` at the bundle (saving the user's value as
``LD_LIBRARY_PATH_ORIG``) and leaves ``_PYI_*`` bookkeeping variables, and every child
would inherit them: the terminal's bash would load the bundle's libreadline and libtinfo,
``git`` or ``curl`` its libssl and libz, and fail with symbol errors on a distribution whose
own libraries differ from the build machine's. This process does not need them any more
(the dynamic loader reads the variable once, at start-up), and the trainer child, being this
same executable, sets itself up again from a clean start.
"""

import os
import sys
from collections.abc import MutableMapping

LIBRARY_PATH = "LD_LIBRARY_PATH"
SAVED_SUFFIX = "_ORIG"
BOOTLOADER_PREFIX = "_PYI_"


def restore_user_environment(environ: MutableMapping[str, str]) -> None:
    """Undo the bootloader's changes to ``environ`` (``os.environ`` in the frozen app)."""
    original = environ.pop(LIBRARY_PATH + SAVED_SUFFIX, None)
    if original is None:
        environ.pop(LIBRARY_PATH, None)
    else:
        environ[LIBRARY_PATH] = original
    for key in [k for k in environ if k.startswith(BOOTLOADER_PREFIX)]:
        del environ[key]


if __name__ == "__main__":
    restore_user_environment(os.environ)
    from app.__main__ import main

    sys.exit(main())
