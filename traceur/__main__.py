"""``python -m traceur`` is the ``traceur`` command."""

from .cli import main

main()
