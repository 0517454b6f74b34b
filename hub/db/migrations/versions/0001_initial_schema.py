"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('credit_limit', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('code', name=op.f('uq_customers_code'))
    )
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('principal', 'key', name=op.f('uq_idempotency_keys_principal_key'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('aggregate_type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_id', sa.String(length=128), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=True),
    sa.Column('causation_id', sa.String(length=128), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('barcode', sa.String(length=64), nullable=True),
    sa.Column('list_price', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('reorder_point', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('reorder_max', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('barcode', name=op.f('uq_products_barcode')),
    sa.UniqueConstraint('sku', name=op.f('uq_products_sku'))
    )
    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('code', name=op.f('uq_suppliers_code'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_table('purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier', sa.String(length=64), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'partially_received', 'received', 'cancelled', name='purchaseorderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supplier'], ['suppliers.code'], name=op.f('fk_purchase_orders_supplier_suppliers')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_purchase_orders_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_supplier'), ['supplier'], unique=False)

    op.create_table('reorder_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('low_stock', 'overstock', name='alertkind', native_enum=False, length=32), nullable=False),
    sa.Column('available', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('on_order', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('reorder_point', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('reorder_max', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=True),
    sa.Column('suggested_qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_reorder_alerts_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reorder_alerts'))
    )
    with op.batch_alter_table('reorder_alerts', schema=None) as batch_op:
        batch_op.create_index('uq_reorder_alerts_active_sku', ['sku'], unique=True, sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))

    op.create_table('sales_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer', sa.String(length=64), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('on_hold', 'confirmed', 'partially_shipped', 'shipped', 'cancelled', name='salesorderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('total', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer'], ['customers.code'], name=op.f('fk_sales_orders_customer_customers')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_sales_orders_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_orders')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_sales_orders_channel_external_id'))
    )
    with op.batch_alter_table('sales_orders', schema=None) as batch_op:
        batch_op.create_index('ix_sales_orders_customer_status', ['customer', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_orders_status'), ['status'], unique=False)

    op.create_table('stock_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_stock_counts_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_counts'))
    )
    op.create_table('stock_levels',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('in_transit', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_stock_levels_sku_products')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_stock_levels_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('sku', 'warehouse', name=op.f('pk_stock_levels'))
    )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.create_index('ix_stock_levels_warehouse', ['warehouse'], unique=False)

    op.create_table('stock_moves',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('destination', sa.String(length=64), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('reference_type', sa.String(length=32), nullable=False),
    sa.Column('reference_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_stock_moves_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_moves'))
    )
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_stock_moves_sku_id', ['sku', 'id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_warehouse', sa.String(length=64), nullable=False),
    sa.Column('to_warehouse', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('in_transit', 'received', name='transferstatus', native_enum=False, length=32), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['from_warehouse'], ['warehouses.code'], name=op.f('fk_transfers_from_warehouse_warehouses')),
    sa.ForeignKeyConstraint(['to_warehouse'], ['warehouses.code'], name=op.f('fk_transfers_to_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    op.create_table('valuations',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('average_cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_valuations_sku_products')),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_valuations'))
    )
    op.create_table('purchase_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('accepted', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('rejected', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_purchase_order_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines'))
    )
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_lines_sku'), ['sku'], unique=False)

    op.create_table('receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['purchase_orders.id'], name=op.f('fk_receipts_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_receipts_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_order_id'), ['order_id'], unique=False)

    op.create_table('sales_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('shipped', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('returned', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('cogs', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_sales_order_lines_order_id_sales_orders')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_sales_order_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order_lines'))
    )
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_order_lines_order_id'), ['order_id'], unique=False)

    op.create_table('sales_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_sales_returns_order_id_sales_orders')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_sales_returns_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_returns'))
    )
    with op.batch_alter_table('sales_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_returns_order_id'), ['order_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('warehouse', sa.String(length=64), nullable=False),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('tracking', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_shipments_order_id_sales_orders')),
    sa.ForeignKeyConstraint(['warehouse'], ['warehouses.code'], name=op.f('fk_shipments_warehouse_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)

    op.create_table('stock_count_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('counted', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('expected', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('variance', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['count_id'], ['stock_counts.id'], name=op.f('fk_stock_count_lines_count_id_stock_counts')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_stock_count_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_count_lines'))
    )
    with op.batch_alter_table('stock_count_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_count_lines_count_id'), ['count_id'], unique=False)

    op.create_table('transfer_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_transfer_lines_sku_products')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_lines_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_lines'))
    )
    with op.batch_alter_table('transfer_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_lines_transfer_id'), ['transfer_id'], unique=False)

    op.create_table('receipt_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('accepted', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('rejected', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_receipt_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_lines'))
    )
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_lines_receipt_id'), ['receipt_id'], unique=False)

    op.create_table('return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('restock', sa.Boolean(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['sales_returns.id'], name=op.f('fk_return_lines_return_id_sales_returns')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_return_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines'))
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_return_id'), ['return_id'], unique=False)

    op.create_table('shipment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_lines_shipment_id_shipments')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_shipment_lines_sku_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_lines'))
    )
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_lines_shipment_id'), ['shipment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_lines_shipment_id'))

    op.drop_table('shipment_lines')
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_return_id'))

    op.drop_table('return_lines')
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_lines_receipt_id'))

    op.drop_table('receipt_lines')
    with op.batch_alter_table('transfer_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_lines_transfer_id'))

    op.drop_table('transfer_lines')
    with op.batch_alter_table('stock_count_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_count_lines_count_id'))

    op.drop_table('stock_count_lines')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('sales_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_returns_order_id'))

    op.drop_table('sales_returns')
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_order_lines_order_id'))

    op.drop_table('sales_order_lines')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_order_id'))

    op.drop_table('receipts')
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_lines_sku'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_lines_order_id'))

    op.drop_table('purchase_order_lines')
    op.drop_table('valuations')
    op.drop_table('transfers')
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_sku_id')

    op.drop_table('stock_moves')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_levels_warehouse')

    op.drop_table('stock_levels')
    op.drop_table('stock_counts')
    with op.batch_alter_table('sales_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_orders_status'))
        batch_op.drop_index('ix_sales_orders_customer_status')

    op.drop_table('sales_orders')
    with op.batch_alter_table('reorder_alerts', schema=None) as batch_op:
        batch_op.drop_index('uq_reorder_alerts_active_sku', sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))

    op.drop_table('reorder_alerts')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_supplier'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_status'))

    op.drop_table('purchase_orders')
    op.drop_table('warehouses')
    op.drop_table('suppliers')
    op.drop_table('products')
    op.drop_table('outbox')
    op.drop_table('idempotency_keys')
    op.drop_table('customers')
    op.drop_table('api_keys')
