"""production: issues of materials, receipts of finished goods, and their lines

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Amount = sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite')
JsonDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'production_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('warehouse', sa.String(length=64), nullable=False),
        sa.Column('from_issues', JsonDoc, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['warehouse'], ['warehouses.code'], name=op.f('fk_production_receipts_warehouse_warehouses')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_production_receipts')),
    )
    op.create_table(
        'production_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('warehouse', sa.String(length=64), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['receipt_id'], ['production_receipts.id'], name=op.f('fk_production_issues_receipt_id_production_receipts')
        ),
        sa.ForeignKeyConstraint(
            ['warehouse'], ['warehouses.code'], name=op.f('fk_production_issues_warehouse_warehouses')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_production_issues')),
    )
    op.create_index(op.f('ix_production_issues_receipt_id'), 'production_issues', ['receipt_id'], unique=False)
    op.create_table(
        'production_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=True),
        sa.Column('receipt_id', sa.Integer(), nullable=True),
        sa.Column('sku', sa.String(length=64), nullable=False),
        sa.Column('qty', Amount, nullable=False),
        sa.Column('cost', Amount, nullable=False),
        sa.ForeignKeyConstraint(
            ['issue_id'], ['production_issues.id'], name=op.f('fk_production_lines_issue_id_production_issues')
        ),
        sa.ForeignKeyConstraint(
            ['receipt_id'], ['production_receipts.id'], name=op.f('fk_production_lines_receipt_id_production_receipts')
        ),
        sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_production_lines_sku_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_production_lines')),
    )
    op.create_index(op.f('ix_production_lines_issue_id'), 'production_lines', ['issue_id'], unique=False)
    op.create_index(op.f('ix_production_lines_receipt_id'), 'production_lines', ['receipt_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_production_lines_receipt_id'), table_name='production_lines')
    op.drop_index(op.f('ix_production_lines_issue_id'), table_name='production_lines')
    op.drop_table('production_lines')
    op.drop_index(op.f('ix_production_issues_receipt_id'), table_name='production_issues')
    op.drop_table('production_issues')
    op.drop_table('production_receipts')
