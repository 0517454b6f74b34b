"""line discounts: an amount off a sales order line (a channel's line-level discount)

``discount`` is the amount off the line as a whole; ``discount_invoiced`` the part of it
on invoices not voided (invoice lines already have a ``discount`` column, now an amount).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.db.downgrades import refuse_while

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Amount = sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount', Amount, server_default='0', nullable=False))
        batch_op.add_column(sa.Column('discount_invoiced', Amount, server_default='0', nullable=False))


def downgrade() -> None:
    # Invoices already billed less for these lines: dropping the discounts would leave
    # orders whose totals disagree with their invoices.
    refuse_while(
        '0011',
        {'sales order lines with a discount': 'SELECT count(*) FROM sales_order_lines WHERE CAST(discount AS REAL) <> 0'},
        'Restore a backup taken before the upgrade, or stay on this version.',
    )
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.drop_column('discount_invoiced')
        batch_op.drop_column('discount')
