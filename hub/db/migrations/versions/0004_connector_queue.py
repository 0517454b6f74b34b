"""connector work queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('connector_queue',
    sa.Column('connector_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['connector_id'], ['connector_instances.id'], name=op.f('fk_connector_queue_connector_id_connector_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connector_id', 'kind', 'key', name=op.f('pk_connector_queue'))
    )
    with op.batch_alter_table('connector_queue', schema=None) as batch_op:
        batch_op.create_index('ix_connector_queue_due', ['connector_id', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('connector_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_connector_queue_due')

    op.drop_table('connector_queue')
