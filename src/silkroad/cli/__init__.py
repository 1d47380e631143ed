"""The ``silkroad`` command: a thin layer over the library (open the store, call, print).

One module per command family (:mod:`~silkroad.cli.ingest`, :mod:`~silkroad.cli.analysis`,
:mod:`~silkroad.cli.brief`, :mod:`~silkroad.cli.lookup`, :mod:`~silkroad.cli.tables`, :mod:`~silkroad.cli.demo`,
:mod:`~silkroad.cli.download`), the shared option bundles in :mod:`~silkroad.cli.common`, and
:mod:`~silkroad.cli.app`, which builds the app and registers each family explicitly.
"""

from silkroad.cli.app import app, main

__all__ = ["app", "main"]
