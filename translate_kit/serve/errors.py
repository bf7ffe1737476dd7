"""Errors the service answers with an HTTP status and a one-line message (never a traceback)."""

from __future__ import annotations


class ServeError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())
        self.headers = headers or {}
