"""Settings, read from ``HUB_*`` environment variables (and a ``.env`` file if present)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    #: ``sqlite+aiosqlite:///./hub.db`` (embedded default) or ``postgresql+asyncpg://user@host/db``.
    database_url: str = "sqlite+aiosqlite:///./hub.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Apply pending schema migrations when ``hub serve`` starts.
    migrate_on_start: bool = True
    #: Stamped on every event envelope.
    tenant: str = "default"
    #: Currency of documents that do not name one (ISO 4217).
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    #: Connections per process to PostgreSQL (plus as many overflow).
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
