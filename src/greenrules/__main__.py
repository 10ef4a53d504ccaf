"""``python -m greenrules`` runs the command line."""

import sys

from greenrules._cli import main

sys.exit(main())
