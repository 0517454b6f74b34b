"""Settings, read from ``HUB_*`` environment variables (and a ``.env`` file if present)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
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
    #: How far a supplier bill's unit cost may be from the order's (a fraction, "0.02" = 2 %)
    #: before the bill is put on hold for approval.
    price_tolerance: Decimal = Field(default=Decimal("0.02"), ge=0, le=1)
    #: Issue the invoice of every shipment in the same transaction as the shipment.
    auto_invoice: bool = False
    #: Connections per process to PostgreSQL (plus as many overflow).
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "info"
    #: Encrypts connector credentials at rest. Required with PostgreSQL; on the embedded
    #: SQLite default a key file is made beside the database when it is not set.
    secret_key: SecretStr | None = None
    #: Keys used before the current ``secret_key``, comma separated: what they sealed
    #: still opens until ``hub secrets rotate`` has re-sealed it with the current key.
    secret_key_old: SecretStr | None = None

    # -- events -------------------------------------------------------------------------------
    #: ``local``: the outbox is dispatched in-process to subscribers (embedded default);
    #: ``kafka``: the relay publishes it to Kafka and workers consume from there.
    transport: Literal["local", "kafka"] = "local"
    #: Kafka bootstrap servers, comma separated.
    kafka_bootstrap: str = "127.0.0.1:9092"
    #: Partitions of the topics the hub creates (``hub.<aggregate>.v1``).
    kafka_partitions: int = Field(default=6, ge=1)
    #: Longest a Kafka consumer's fetch waits for messages (ms). Brokers that hold a fetch
    #: for its whole wait rather than answering when a message arrives (Tansu) add up to
    #: this much to every event's latency; shorter means more fetches while idle.
    kafka_fetch_max_wait_ms: int = Field(default=100, ge=0, le=60_000)
    #: Seconds a subscriber's consumer may hold partitions with records waiting, handing it
    #: none, before the workers start their consumers afresh (see ``hub.outbox.stall``).
    kafka_stall_seconds: float = Field(default=30.0, gt=0)
    #: Outbox rows the relay publishes per batch.
    relay_batch_size: int = Field(default=1000, ge=1, le=100_000)
    #: Seconds between outbox polls when no commit signal arrives.
    poll_interval: float = Field(default=1.0, gt=0)
    #: Attempts a subscriber gets at one event before it becomes a dead letter.
    consumer_max_attempts: int = Field(default=5, ge=1)
    #: First retry delay in seconds; doubles per attempt (with jitter) up to 30 s.
    consumer_retry_delay: float = Field(default=0.5, ge=0)

    # -- connectors ----------------------------------------------------------------------------
    #: Largest request body the API reads (bytes); a larger one is refused with 413 unread.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    #: Seconds between looks for connector instances added or removed by another process.
    connector_refresh: float = Field(default=5.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
