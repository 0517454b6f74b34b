"""Encrypting connector configs at rest (they hold access tokens and webhook secrets).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from ``HUB_SECRET_KEY``. On the
embedded default (a SQLite file) a missing key is generated once into a ``.secret``
file beside the database, readable by its owner only; with PostgreSQL the key must be
configured, because several processes on several machines must share it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from hub.connectors.sdk.errors import ConfigurationError

__all__ = ["SecretBox", "secret_box_for"]


class SecretBox:
    def __init__(self, key: str) -> None:
        if not key:
            raise ConfigurationError("HUB_SECRET_KEY is empty")
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value, sort_keys=True).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as error:
            raise ConfigurationError(
                "a connector config cannot be decrypted: HUB_SECRET_KEY differs from the key it was stored with"
            ) from error
        return data


def secret_box_for(secret_key: str | None, database_path: str | None) -> SecretBox:
    """The box for this hub: from the configured key, or the SQLite file's key file."""
    if secret_key:
        return SecretBox(secret_key)
    if not database_path or database_path == ":memory:":
        raise ConfigurationError("set HUB_SECRET_KEY: connector credentials are stored encrypted with it")
    path = Path(f"{database_path}.secret")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as sink:
            sink.write(secrets.token_urlsafe(32))
    return SecretBox(path.read_text().strip())
