"""payables: tax and dates on purchase orders, supplier bills, supplier payments, expenses

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Amount = sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prices_include_tax', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('expected_date', sa.Date(), nullable=True))
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('billed', Amount, server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.drop_column('billed')
        batch_op.drop_column('tax_code')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_column('expected_date')
        batch_op.drop_column('prices_include_tax')
