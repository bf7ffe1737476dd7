"""Errors that the CLI turns into one clear line instead of a traceback."""

from __future__ import annotations


class TranslateKitError(Exception):
    """Base class: anything a user can fix (bad input, missing model, bad option)."""


class InputError(TranslateKitError):
    """Bad input data; the message names the file and, where known, the line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = path or ""
        if path is not None and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class ModelError(TranslateKitError):
    """A model is missing, incomplete or unusable; the message says what to do."""


class OptionError(TranslateKitError):
    """Options that do not fit together or do not fit the input; front doors report a usage error.

    `option` names the one option at fault ("--beads") where there is one, so that a front door
    can say which value it rejects."""

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


class Cancelled(TranslateKitError):
    """The caller's cancel callback asked a long job to stop; work already written is kept."""
