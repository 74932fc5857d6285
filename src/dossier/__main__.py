"""``python -m dossier``: the same as the ``dossier`` command."""

import sys

from dossier.cli import main

# Guarded: a worker process started with "spawn" (dossier.index.bulk) imports this module again.
if __name__ == "__main__":
    sys.exit(main())
