"""finance: tax rates, account codes, the journal, gap-free numbers; tax and terms on master data

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Amount = sa.Numeric(precision=20, scale=6).with_variant(sa.String(length=40), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'tax_rates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('rate', Amount, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_rates')),
        sa.UniqueConstraint('code', name=op.f('uq_tax_rates_code')),
    )
    op.create_table(
        'account_codes',
        sa.Column('role', sa.String(length=80), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('role', name=op.f('pk_account_codes')),
    )
    op.create_table(
        'journal_entries',
        sa.Column('id', BigId, nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('source_type', sa.String(length=32), nullable=False),
        sa.Column('source_id', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('memo', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    )
    op.create_index('ix_journal_entries_source', 'journal_entries', ['source_type', 'source_id'], unique=False)
    op.create_table(
        'journal_lines',
        sa.Column('id', BigId, nullable=False),
        sa.Column('entry_id', BigId, nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=32), nullable=False),
        sa.Column('role', sa.String(length=80), nullable=False),
        sa.Column('debit', Amount, nullable=False),
        sa.Column('credit', Amount, nullable=False),
        sa.Column('tax_code', sa.String(length=64), nullable=True),
        sa.Column('party', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_lines_entry_id_journal_entries')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines')),
    )
    op.create_index(op.f('ix_journal_lines_entry_id'), 'journal_lines', ['entry_id'], unique=False)
    op.create_table(
        'document_numbers',
        sa.Column('series', sa.String(length=16), nullable=False),
        sa.Column('last', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('series', name=op.f('pk_document_numbers')),
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_code', sa.String(length=64), nullable=True))
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_exempt', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('payment_terms_days')
        batch_op.drop_column('tax_exempt')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('payment_terms_days')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('tax_code')
    op.drop_table('document_numbers')
    op.drop_index(op.f('ix_journal_lines_entry_id'), table_name='journal_lines')
    op.drop_table('journal_lines')
    op.drop_index('ix_journal_entries_source', table_name='journal_entries')
    op.drop_table('journal_entries')
    op.drop_table('account_codes')
    op.drop_table('tax_rates')
