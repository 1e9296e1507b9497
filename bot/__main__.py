"""`python -m bot`: the same as `hipbot`."""

import sys

from bot.cli import main

sys.exit(main())
