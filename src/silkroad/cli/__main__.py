"""``python -m silkroad.cli``: the same entry point as the ``silkroad`` script."""

from silkroad.cli.app import main

main()
