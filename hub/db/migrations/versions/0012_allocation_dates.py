"""allocation dates: the day each supplier payment allocation was set against its bill

AP aging as at a past day counts only the allocations made by then. Allocations made
before this migration are dated their payment's date (what aging counted them from).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('supplier_payment_allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date', sa.Date(), nullable=True))
    op.execute(
        'UPDATE supplier_payment_allocations SET "date" = '
        '(SELECT p."date" FROM supplier_payments p WHERE p.id = supplier_payment_allocations.payment_id)'
    )
    with op.batch_alter_table('supplier_payment_allocations', schema=None) as batch_op:
        batch_op.alter_column('date', existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('supplier_payment_allocations', schema=None) as batch_op:
        batch_op.drop_column('date')
