"""connector credentials: tokens an instance's vendor gave it since it was configured

OAuth2 vendors (Xero, QuickBooks, Amazon) rotate the refresh token on every refresh;
the newest one is stored here, encrypted, with the access token and its expiry.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('connector_credentials',
    sa.Column('connector_id', sa.String(length=64), nullable=False),
    sa.Column('secrets', sa.Text(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connector_instances.id'], name=op.f('fk_connector_credentials_connector_id_connector_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connector_id', name=op.f('pk_connector_credentials'))
    )


def downgrade() -> None:
    op.drop_table('connector_credentials')
