"""The one exception type users see: a message that says what was wrong and how to fix it."""


class BrainmodelError(Exception):
    """Bad input or missing data. The CLI prints the message and exits with status 2."""
