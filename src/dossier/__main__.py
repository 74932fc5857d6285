"""``python -m dossier``: the same as the ``dossier`` command."""

import sys

from dossier.cli import main

sys.exit(main())
