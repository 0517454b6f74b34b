"""dead letters say what they are: an event a subscriber failed, or a connector's queued work

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('dead_letters') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='event'))
        batch.add_column(sa.Column('connector_id', sa.String(length=64), nullable=True))
        batch.create_index(op.f('ix_dead_letters_connector_id'), ['connector_id'])
    # Work dead-lettered before this revision is known by its subscriber, connector:<id>.
    op.execute(
        "UPDATE dead_letters SET kind = 'work', connector_id = substr(subscriber, 11) "
        "WHERE subscriber LIKE 'connector:%' AND aggregate_type = 'connector_queue'"
    )


def downgrade() -> None:
    with op.batch_alter_table('dead_letters') as batch:
        batch.drop_index(op.f('ix_dead_letters_connector_id'))
        batch.drop_column('connector_id')
        batch.drop_column('kind')
