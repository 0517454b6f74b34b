"""The service layer: one async function per command, taking its unit of work.

A handler validates the command against the current records, lets the domain
objects act, and emits events; the caller commits the unit of work.
"""

from hub.core.handlers.catalog import (
    create_customer,
    create_product,
    create_supplier,
    create_warehouse,
    update_product,
)
from hub.core.handlers.expenses import record_expense
from hub.core.handlers.finance import create_tax_rate, set_account_codes
from hub.core.handlers.inventory import create_transfer, post_stock_count, receive_transfer
from hub.core.handlers.invoicing import issue_credit_note, issue_invoice, void_invoice
from hub.core.handlers.payables import allocate_supplier_payment, approve_bill, create_bill, pay_supplier
from hub.core.handlers.payments import allocate_payment, receive_payment
from hub.core.handlers.production import issue_to_production, receive_from_production
from hub.core.handlers.purchasing import (
    approve_purchase_order,
    cancel_purchase_order,
    create_purchase_order,
    receive_purchase_order,
)
from hub.core.handlers.sales import (
    approve_sales_order,
    cancel_sales_order,
    create_sales_order,
    reduce_sales_order,
    return_sales_order,
    ship_sales_order,
)

__all__ = [
    "allocate_payment",
    "allocate_supplier_payment",
    "approve_bill",
    "approve_purchase_order",
    "approve_sales_order",
    "cancel_purchase_order",
    "cancel_sales_order",
    "create_bill",
    "create_customer",
    "create_product",
    "create_purchase_order",
    "create_sales_order",
    "create_supplier",
    "create_tax_rate",
    "create_transfer",
    "create_warehouse",
    "issue_credit_note",
    "issue_invoice",
    "issue_to_production",
    "pay_supplier",
    "post_stock_count",
    "receive_from_production",
    "receive_payment",
    "receive_purchase_order",
    "receive_transfer",
    "record_expense",
    "reduce_sales_order",
    "return_sales_order",
    "set_account_codes",
    "ship_sales_order",
    "update_product",
    "void_invoice",
]
