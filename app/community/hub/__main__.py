"""``python -m app.community.hub serve|token``: the hub without the desktop app's CLI."""

import sys

from app.community.hub import main

sys.exit(main())
