"""Sales invoices: what a customer is billed for what shipped.

An invoice bills shipped quantities not yet invoiced (a sales order line counts what
its invoices hold, ``invoiced``, and of that what returns credited back, ``credited``)::

    open ──payment──▶ partially_paid ──payment──▶ paid        (amount_due reaches 0)
    open ──void──▶ void                                       (nothing paid or credited)

The first invoice of an order also bills its charges not yet invoiced, each as a line
of its own with no SKU: shipping at its amount, an order-level discount at minus its
amount (a discount that would take the invoice below zero waits for a later invoice).
A void makes the charges it billed billable again.

A goods line takes its share of the order line's discount
(:meth:`~hub.core.sales.SalesOrderLine.discount_share`) as its ``discount``, an amount.
Each line is priced by :func:`hub.core.tax.price_line` — rounded per line by the one
rule of :mod:`hub.core.money` — and the invoice's totals are the sums of its lines.

Payments (:mod:`hub.core.payments`) and credit notes (:mod:`hub.core.crediting`)
settle it; each line counts what credit notes gave back of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.numbers import ZERO
from hub.core.sales import ChargeKind, OrderCharge, SalesOrder, SalesOrderLine
from hub.core.tax import EXEMPT, TaxRate, price_line

__all__ = [
    "REVENUE_ROLES",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "LineKind",
    "billable",
    "invoice_number",
    "line_rate",
    "pick_billable",
    "unbilled_charges",
]


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class LineKind(StrEnum):
    """What an invoice (or credit note) line bills: goods of a SKU, or one of the order's charges."""

    GOODS = "goods"
    SHIPPING = "shipping"
    DISCOUNT = "discount"


#: The revenue role each kind of line posts its net to (a discount's net is negative: a debit).
REVENUE_ROLES = {LineKind.GOODS: "revenue", LineKind.SHIPPING: "shipping_revenue", LineKind.DISCOUNT: "discounts"}


def unbilled_charges(order: SalesOrder) -> list[OrderCharge]:
    """The order's charges on no invoice (that is not void) yet."""
    return [charge for charge in order.charges if not charge.invoiced]


def invoice_number(series: str, n: int) -> str:
    """``INV-000001``: the series and its gap-free number."""
    return f"{series}-{n:06d}"


def billable(line: SalesOrderLine) -> Decimal:
    """Shipped and kept (not returned), less what invoices still bill for (invoiced − credited)."""
    return max(ZERO, line.shipped - line.returned - (line.invoiced - line.credited))


def pick_billable(
    order: SalesOrder, picks: Sequence[tuple[str, Decimal]] | None
) -> list[tuple[SalesOrderLine, Decimal]]:
    """The order lines and quantities to invoice: ``picks`` checked against what is billable,
    or (``None``) everything billable. Raises :class:`InvalidInput` naming the field."""
    if picks is None:
        chosen = [(line, billable(line)) for line in order.lines if billable(line) > 0]
        if not chosen:
            raise InvalidTransition(f"sales order {order.id} has nothing shipped that is not invoiced")
        return chosen
    by_sku = {line.sku: line for line in order.lines}
    seen: set[str] = set()
    chosen = []
    for i, (sku, qty) in enumerate(picks):
        line = by_sku.get(sku)
        if line is None:
            raise InvalidInput(f"{sku} is not on sales order {order.id}", field=f"lines[{i}].sku")
        if sku in seen:
            raise InvalidInput(f"{sku} appears on more than one line", field=f"lines[{i}].sku")
        seen.add(sku)
        if qty > billable(line):
            raise InvalidInput(
                f"{sku}: invoicing {qty} exceeds the {billable(line)} shipped and not invoiced",
                field=f"lines[{i}].qty",
            )
        chosen.append((line, qty))
    return chosen


def line_rate(line_code: str | None, product_code: str | None, exempt: bool) -> str | None:
    """The tax code a sales line is billed at: the line's, else the product's, else none
    (untaxed). A tax-exempt customer's lines are :data:`~hub.core.tax.EXEMPT`."""
    if exempt:
        return EXEMPT.code
    return line_code or product_code


@dataclass(eq=False)
class InvoiceLine:
    #: None on a charge's line.
    sku: str | None
    qty: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_code: str | None = None
    #: An amount off a goods line: its share of the order line's discount.
    discount: Decimal = ZERO
    kind: LineKind = LineKind.GOODS
    #: What a charge's line is for (the charge's description), and which of the order's
    #: charges it bills (its ``line_no``); None on goods.
    description: str | None = None
    charge_no: int | None = None
    #: Units, net and tax given back by credit notes so far.
    credited_qty: Decimal = ZERO
    credited_net: Decimal = ZERO
    credited_tax: Decimal = ZERO
    line_no: int = 0
    id: int | None = None
    invoice_id: int | None = None

    @property
    def creditable(self) -> Decimal:
        """What is left to credit on this line, tax included."""
        return self.gross - self.credited_net - self.credited_tax


@dataclass(eq=False)
class Invoice:
    number: str
    customer: str
    sales_order_id: int
    currency: str
    issue_date: date
    due_date: date
    lines: list[InvoiceLine]
    prices_include_tax: bool = False
    net_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    total: Decimal = ZERO
    #: Σ payments allocated to it.
    paid: Decimal = ZERO
    #: Σ credit notes on it (their totals), and the part of that applied to what was due.
    credited: Decimal = ZERO
    credit_applied: Decimal = ZERO
    amount_due: Decimal = ZERO
    status: InvoiceStatus = InvoiceStatus.OPEN
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @classmethod
    def bill(
        cls,
        order: SalesOrder,
        picks: Sequence[tuple[SalesOrderLine, Decimal]],
        rates: dict[str, TaxRate],
        codes: Sequence[str | None],
        charge_codes: Sequence[str | None] = (),
        *,
        number: str,
        issue_date: date,
        due_date: date,
    ) -> Invoice:
        """Price ``picks`` (one tax code per pick, ``None`` untaxed) and count them invoiced,
        with the order's :func:`unbilled_charges` (one tax code each in ``charge_codes``)."""
        lines = []
        for i, ((so_line, qty), code) in enumerate(zip(picks, codes, strict=True)):
            rate = rates[code].rate if code is not None else ZERO
            discount = so_line.discount_share(qty, order.currency)
            amounts = price_line(
                qty, so_line.unit_price, rate, order.currency, discount=discount, inclusive=order.prices_include_tax
            )
            lines.append(
                InvoiceLine(
                    sku=so_line.sku,
                    qty=qty,
                    unit_price=so_line.unit_price,
                    tax_code=code,
                    tax_rate=rate,
                    net=amounts.net,
                    tax=amounts.tax,
                    gross=amounts.gross,
                    discount=discount,
                    line_no=i + 1,
                )
            )
            so_line.invoiced += qty
            so_line.discount_invoiced += discount
        charged = _charge_lines(order, rates, charge_codes, sum((line.gross for line in lines), ZERO))
        for charge, line in charged:
            charge.invoiced = True
            line.line_no = len(lines) + 1
            lines.append(line)
        invoice = cls(
            number=number,
            customer=order.customer,
            sales_order_id=order.id or 0,
            currency=order.currency,
            issue_date=issue_date,
            due_date=due_date,
            lines=lines,
            prices_include_tax=order.prices_include_tax,
            net_total=sum((line.net for line in lines), ZERO),
            tax_total=sum((line.tax for line in lines), ZERO),
            total=sum((line.gross for line in lines), ZERO),
        )
        invoice._settle()
        return invoice

    def _settle(self) -> None:
        if self.status == InvoiceStatus.VOID:
            return
        self.amount_due = self.total - self.paid - self.credit_applied
        if self.amount_due == 0:
            self.status = InvoiceStatus.PAID
        elif self.amount_due < self.total:
            self.status = InvoiceStatus.PARTIALLY_PAID
        else:
            self.status = InvoiceStatus.OPEN

    # -- payments -----------------------------------------------------------------------------

    def pay(self, amount: Decimal, field: str) -> None:
        """Allocate ``amount`` of a payment (raises :class:`InvalidInput` naming ``field``)."""
        if self.status == InvoiceStatus.VOID:
            raise InvalidInput(f"invoice {self.number} is void", field=field)
        if amount > self.amount_due:
            raise InvalidInput(
                f"allocating {amount} to invoice {self.number} exceeds its amount due {self.amount_due}", field=field
            )
        self.paid += amount
        self._settle()

    # -- void ---------------------------------------------------------------------------------

    def void(self, order: SalesOrder) -> None:
        """Cancel the invoice: its quantities become billable again on the order."""
        if self.status == InvoiceStatus.VOID:
            raise InvalidTransition(f"invoice {self.number} is already void")
        # Units credited count too: a credit note of a zero-priced line carries no amount.
        if self.paid or self.credited or any(line.credited_qty for line in self.lines):
            raise InvalidTransition(f"invoice {self.number} has payments or credit notes and cannot be voided")
        by_sku = {line.sku: line for line in order.lines}
        for line in self.lines:
            if line.sku is not None:
                by_sku[line.sku].invoiced -= line.qty
                by_sku[line.sku].discount_invoiced -= line.discount
        billed = {line.charge_no for line in self.lines if line.charge_no is not None}
        for charge in order.charges:
            if charge.line_no in billed:
                charge.invoiced = False
        self.status = InvoiceStatus.VOID
        self.amount_due = ZERO

    def apply_credit(self, total: Decimal) -> Decimal:
        """Count a credit note of ``total`` against the invoice; says how much reduced the amount due."""
        applied = min(total, self.amount_due)
        self.credited += total
        self.credit_applied += applied
        self._settle()
        return applied


def _charge_lines(
    order: SalesOrder, rates: dict[str, TaxRate], codes: Sequence[str | None], goods: Decimal
) -> list[tuple[OrderCharge, InvoiceLine]]:
    """The lines of the order's unbilled charges; discounts wait if they would take the invoice below zero."""
    priced = []
    for charge, code in zip(unbilled_charges(order), codes, strict=True):
        rate = rates[code].rate if code is not None else ZERO
        amounts = price_line(Decimal(1), charge.signed, rate, order.currency, inclusive=order.prices_include_tax)
        line = InvoiceLine(
            sku=None,
            qty=Decimal(1),
            unit_price=charge.signed,
            tax_code=code,
            tax_rate=rate,
            net=amounts.net,
            tax=amounts.tax,
            gross=amounts.gross,
            kind=LineKind(charge.kind.value),
            description=charge.description,
            charge_no=charge.line_no,
        )
        priced.append((charge, line))
    if goods + sum((line.gross for _, line in priced), ZERO) < 0:
        priced = [(charge, line) for charge, line in priced if charge.kind != ChargeKind.DISCOUNT]
    return priced
