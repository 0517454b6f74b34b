"""order charges: shipping and order-level discounts on sales orders, billed as invoice lines

Invoice and credit note lines gain a ``kind`` (goods, shipping, discount); a charge's
line has no SKU, so ``sku`` may be null there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.db.downgrades import refuse_while

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Amount = sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite')
LineKind = sa.Enum('goods', 'shipping', 'discount', name='linekind', native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        'sales_order_charges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column(
            'kind', sa.Enum('shipping', 'discount', name='chargekind', native_enum=False, length=32), nullable=False
        ),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('amount', Amount, nullable=False),
        sa.Column('tax_code', sa.String(length=64), nullable=True),
        sa.Column('invoiced', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ['order_id'], ['sales_orders.id'], name=op.f('fk_sales_order_charges_order_id_sales_orders')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order_charges')),
    )
    op.create_index(op.f('ix_sales_order_charges_order_id'), 'sales_order_charges', ['order_id'], unique=False)
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.alter_column('sku', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('kind', LineKind, server_default='goods', nullable=False))
        batch_op.add_column(sa.Column('description', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('charge_no', sa.Integer(), nullable=True))
    with op.batch_alter_table('credit_note_lines', schema=None) as batch_op:
        batch_op.alter_column('sku', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('kind', LineKind, server_default='goods', nullable=False))


def downgrade() -> None:
    # Charge lines have no SKU and their invoices' totals are made of them: refuse, before
    # any change, while any exist (hub.db.downgrades says why not delete them).
    refuse_while(
        '0010',
        {
            'sales order charges': 'SELECT count(*) FROM sales_order_charges',
            "invoice lines of charges": "SELECT count(*) FROM invoice_lines WHERE kind <> 'goods'",
            "credit note lines of charges": "SELECT count(*) FROM credit_note_lines WHERE kind <> 'goods'",
        },
        'Restore a backup taken before the upgrade, or stay on this version.',
    )
    with op.batch_alter_table('credit_note_lines', schema=None) as batch_op:
        batch_op.drop_column('kind')
        batch_op.alter_column('sku', existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('charge_no')
        batch_op.drop_column('description')
        batch_op.drop_column('kind')
        batch_op.alter_column('sku', existing_type=sa.String(length=64), nullable=False)
    op.drop_index(op.f('ix_sales_order_charges_order_id'), table_name='sales_order_charges')
    op.drop_table('sales_order_charges')
