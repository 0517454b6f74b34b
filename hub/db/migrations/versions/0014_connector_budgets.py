"""connector budgets: rate-limit quotas a vendor counts per account, shared by every process

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('connector_budgets',
    sa.Column('connector_id', sa.String(length=64), nullable=False),
    sa.Column('budget', sa.String(length=32), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connector_instances.id'], name=op.f('fk_connector_budgets_connector_id_connector_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connector_id', 'budget', name=op.f('pk_connector_budgets'))
    )


def downgrade() -> None:
    op.drop_table('connector_budgets')
