"""`translate-kit` commands (to be filled in)."""

COMMANDS: list = []
