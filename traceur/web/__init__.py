"""The volunteers' web app (``traceur web``)."""
