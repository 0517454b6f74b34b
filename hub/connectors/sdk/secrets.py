"""Encrypting connector configs and tokens at rest (they hold credentials).

Fernet (AES-128-CBC + HMAC-SHA256) with keys derived from ``HUB_SECRET_KEY``. On the
embedded default (a SQLite file) a missing key is generated once into a ``.secret``
file beside the database, readable by its owner only; with PostgreSQL the key must be
configured, because several processes on several machines must share it.

Rotating the key: set ``HUB_SECRET_KEY`` to the new key and ``HUB_SECRET_KEY_OLD`` to
the previous one(s), comma separated. Everything sealed with an old key still opens;
everything sealed from then on uses the new one, and ``hub secrets rotate`` re-seals
what is stored, after which the old keys can go.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hub.connectors.sdk.errors import ConfigurationError

__all__ = ["SecretBox", "secret_box_for"]


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class SecretBox:
    """Seals with ``key``; opens what ``key`` or any of ``old`` sealed."""

    def __init__(self, key: str, old: Sequence[str] = ()) -> None:
        if not key:
            raise ConfigurationError("HUB_SECRET_KEY is empty")
        self._current = _fernet(key)
        self._any = MultiFernet([self._current, *(_fernet(k) for k in old if k and k != key)])

    def seal(self, value: dict[str, Any]) -> str:
        return self._current.encrypt(json.dumps(value, sort_keys=True).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._any.decrypt(token.encode()))
        except InvalidToken as error:
            raise ConfigurationError(
                "a connector config cannot be decrypted: it was stored with a key that is neither "
                "HUB_SECRET_KEY nor one of HUB_SECRET_KEY_OLD"
            ) from error
        return data

    def is_current(self, token: str) -> bool:
        """Sealed with the current key (re-sealing it would change nothing)."""
        try:
            self._current.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def reseal(self, token: str) -> str:
        """``token`` sealed with the current key (raises ConfigurationError if no key opens it)."""
        return self.seal(self.open(token))


def secret_box_for(secret_key: str | None, database_path: str | None, old_keys: Sequence[str] = ()) -> SecretBox:
    """The box for this hub: from the configured key, or the SQLite file's key file.

    A configured key on SQLite still opens what the key file sealed, so moving from the
    file to ``HUB_SECRET_KEY`` needs no step of its own (``hub secrets rotate`` re-seals)."""
    path = Path(f"{database_path}.secret") if database_path and database_path != ":memory:" else None
    if secret_key:
        file_key = [path.read_text().strip()] if path is not None and path.exists() else []
        return SecretBox(secret_key, [*old_keys, *file_key])
    if path is None:
        raise ConfigurationError("set HUB_SECRET_KEY: connector credentials are stored encrypted with it")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as sink:
            sink.write(secrets.token_urlsafe(32))
    return SecretBox(path.read_text().strip(), old_keys)
