"""dossier: a terminal dossier browser for actors, events and sources kept as plain files."""

#: The release; ``dossier --version`` prints it and the packaging metadata reads it from here.
__version__ = "0.1.0"
