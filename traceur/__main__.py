"""``python -m traceur`` is the ``traceur`` command."""

from traceur.cli import main

main()
