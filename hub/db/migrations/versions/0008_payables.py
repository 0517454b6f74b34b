"""payables: tax and dates on purchase orders, supplier bills, supplier payments, expenses

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
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
    op.create_table(
        'bills',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('supplier', sa.String(length=64), nullable=False),
        sa.Column('purchase_order_id', sa.Integer(), nullable=False),
        sa.Column('supplier_reference', sa.String(length=128), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('prices_include_tax', sa.Boolean(), nullable=False),
        sa.Column('net_total', Amount, nullable=False),
        sa.Column('tax_total', Amount, nullable=False),
        sa.Column('total', Amount, nullable=False),
        sa.Column('amount_paid', Amount, nullable=False),
        sa.Column(
            'status',
            sa.Enum('on_hold', 'open', 'partially_paid', 'paid', name='billstatus', native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column('hold_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_bills_purchase_order_id_purchase_orders')
        ),
        sa.ForeignKeyConstraint(['supplier'], ['suppliers.code'], name=op.f('fk_bills_supplier_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bills')),
        sa.UniqueConstraint('number', name=op.f('uq_bills_number')),
        sa.UniqueConstraint('supplier', 'supplier_reference', name=op.f('uq_bills_supplier_supplier_reference')),
    )
    op.create_index(op.f('ix_bills_purchase_order_id'), 'bills', ['purchase_order_id'], unique=False)
    op.create_index(op.f('ix_bills_status'), 'bills', ['status'], unique=False)
    op.create_table(
        'bill_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('sku', sa.String(length=64), nullable=False),
        sa.Column('qty', Amount, nullable=False),
        sa.Column('unit_cost', Amount, nullable=False),
        sa.Column('order_unit_cost', Amount, nullable=False),
        sa.Column('received_unit_cost', Amount, nullable=False),
        sa.Column('tax_code', sa.String(length=64), nullable=True),
        sa.Column('tax_rate', Amount, nullable=False),
        sa.Column('net', Amount, nullable=False),
        sa.Column('tax', Amount, nullable=False),
        sa.Column('gross', Amount, nullable=False),
        sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_bill_lines_bill_id_bills')),
        sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_bill_lines_sku_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_lines')),
    )
    op.create_index(op.f('ix_bill_lines_bill_id'), 'bill_lines', ['bill_id'], unique=False)
    op.create_table(
        'supplier_payments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('supplier', sa.String(length=64), nullable=False),
        sa.Column('amount', Amount, nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('method', sa.String(length=64), nullable=False),
        sa.Column('reference', sa.String(length=128), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['supplier'], ['suppliers.code'], name=op.f('fk_supplier_payments_supplier_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_payments')),
        sa.UniqueConstraint('number', name=op.f('uq_supplier_payments_number')),
    )
    op.create_index(op.f('ix_supplier_payments_supplier'), 'supplier_payments', ['supplier'], unique=False)
    op.create_table(
        'supplier_payment_allocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('amount', Amount, nullable=False),
        sa.ForeignKeyConstraint(
            ['bill_id'], ['bills.id'], name=op.f('fk_supplier_payment_allocations_bill_id_bills')
        ),
        sa.ForeignKeyConstraint(
            ['payment_id'],
            ['supplier_payments.id'],
            name=op.f('fk_supplier_payment_allocations_payment_id_supplier_payments'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_payment_allocations')),
    )
    op.create_index(
        op.f('ix_supplier_payment_allocations_bill_id'), 'supplier_payment_allocations', ['bill_id'], unique=False
    )
    op.create_index(
        op.f('ix_supplier_payment_allocations_payment_id'),
        'supplier_payment_allocations',
        ['payment_id'],
        unique=False,
    )
    op.create_table(
        'expenses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('net', Amount, nullable=False),
        sa.Column('tax', Amount, nullable=False),
        sa.Column('total', Amount, nullable=False),
        sa.Column('tax_code', sa.String(length=64), nullable=True),
        sa.Column('tax_rate', Amount, nullable=False),
        sa.Column('supplier', sa.String(length=64), nullable=True),
        sa.Column('reference', sa.String(length=128), nullable=True),
        sa.Column('landed_on_receipt', sa.Integer(), nullable=True),
        sa.Column('capitalised', Amount, nullable=False),
        sa.Column('expensed_to_cogs', Amount, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['landed_on_receipt'], ['receipts.id'], name=op.f('fk_expenses_landed_on_receipt_receipts')
        ),
        sa.ForeignKeyConstraint(['supplier'], ['suppliers.code'], name=op.f('fk_expenses_supplier_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expenses')),
        sa.UniqueConstraint('number', name=op.f('uq_expenses_number')),
    )
    op.create_index(op.f('ix_expenses_category'), 'expenses', ['category'], unique=False)
    op.create_index(op.f('ix_expenses_supplier'), 'expenses', ['supplier'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_expenses_supplier'), table_name='expenses')
    op.drop_index(op.f('ix_expenses_category'), table_name='expenses')
    op.drop_table('expenses')
    op.drop_index(op.f('ix_supplier_payment_allocations_payment_id'), table_name='supplier_payment_allocations')
    op.drop_index(op.f('ix_supplier_payment_allocations_bill_id'), table_name='supplier_payment_allocations')
    op.drop_table('supplier_payment_allocations')
    op.drop_index(op.f('ix_supplier_payments_supplier'), table_name='supplier_payments')
    op.drop_table('supplier_payments')
    op.drop_index(op.f('ix_bill_lines_bill_id'), table_name='bill_lines')
    op.drop_table('bill_lines')
    op.drop_index(op.f('ix_bills_status'), table_name='bills')
    op.drop_index(op.f('ix_bills_purchase_order_id'), table_name='bills')
    op.drop_table('bills')
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.drop_column('billed')
        batch_op.drop_column('tax_code')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_column('expected_date')
        batch_op.drop_column('prices_include_tax')
