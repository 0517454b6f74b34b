"""Sales invoices and credit notes: what a customer is billed for what shipped, and what is given back.

An invoice bills shipped quantities not yet invoiced (a sales order line counts what
its invoices hold, ``invoiced``, and of that what returns credited back, ``credited``)::

    open ──payment──▶ partially_paid ──payment──▶ paid        (amount_due reaches 0)
    open ──void──▶ void                                       (nothing paid or credited)

Each line is priced by :func:`hub.core.tax.price_line` — rounded per line by the one
rule of :mod:`hub.core.money` — and the invoice's totals are the sums of its lines.

A credit note gives back part of an invoice: some units of its lines, or an amount
spread over the lines in proportion to what is left on each. Never more than was
invoiced less already credited: the last unit (or the last of the amount) takes what
is left of the line's net and tax, so rounding can never credit a cent too much. The
note is applied to the invoice's amount due, up to what is due; the rest is customer
credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.money import round_money
from hub.core.numbers import ZERO
from hub.core.sales import SalesOrder, SalesOrderLine
from hub.core.tax import EXEMPT, TaxRate, price_line

__all__ = [
    "CreditNote",
    "CreditNoteLine",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "billable",
    "invoice_number",
    "line_rate",
    "pick_billable",
]


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


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
    sku: str
    qty: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_code: str | None = None
    discount: Decimal = ZERO
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
class CreditNoteLine:
    """Units of an invoice line given back (``qty``), or a share of an amount (``qty`` None)."""

    sku: str
    qty: Decimal | None
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_code: str | None = None
    line_no: int = 0
    id: int | None = None
    credit_note_id: int | None = None


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
        *,
        number: str,
        issue_date: date,
        due_date: date,
    ) -> Invoice:
        """Price ``picks`` (one tax code per pick, ``None`` untaxed) and count them invoiced."""
        lines = []
        for i, ((so_line, qty), code) in enumerate(zip(picks, codes, strict=True)):
            rate = rates[code].rate if code is not None else ZERO
            amounts = price_line(qty, so_line.unit_price, rate, order.currency, inclusive=order.prices_include_tax)
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
                    line_no=i + 1,
                )
            )
            so_line.invoiced += qty
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
            by_sku[line.sku].invoiced -= line.qty
        self.status = InvoiceStatus.VOID
        self.amount_due = ZERO

    # -- credit notes ---------------------------------------------------------------------------

    def _creditable_now(self, field: str) -> None:
        if self.status == InvoiceStatus.VOID:
            raise InvalidInput(f"invoice {self.number} is void", field=field)

    def credit_units(self, picks: Sequence[tuple[str, Decimal]], field: str = "lines") -> list[CreditNoteLine]:
        """Credit lines for units of the invoice's lines; the last unit takes what is left."""
        self._creditable_now("invoice")
        by_sku = {line.sku: line for line in self.lines}
        seen: set[str] = set()
        targets = []
        for i, (sku, qty) in enumerate(picks):
            line = by_sku.get(sku)
            if line is None:
                raise InvalidInput(f"{sku} is not on invoice {self.number}", field=f"{field}[{i}].sku")
            if sku in seen:
                raise InvalidInput(f"{sku} appears on more than one line", field=f"{field}[{i}].sku")
            seen.add(sku)
            left = line.qty - line.credited_qty
            if qty > left:
                raise InvalidInput(
                    f"{sku}: crediting {qty} exceeds the {left} invoiced and not yet credited",
                    field=f"{field}[{i}].qty",
                )
            targets.append((line, qty))
        credits = []
        for line, qty in targets:
            if qty == line.qty - line.credited_qty:
                net, tax = line.net - line.credited_net, line.tax - line.credited_tax
            else:
                amounts = price_line(
                    qty, line.unit_price, line.tax_rate, self.currency, inclusive=self.prices_include_tax
                )
                # An amount credit may already have taken part of the line.
                net = min(amounts.net, line.net - line.credited_net)
                tax = min(amounts.tax, line.tax - line.credited_tax)
            line.credited_qty += qty
            credits.append(self._credit(line, qty, net, tax))
        return credits

    def credit_amount(self, amount: Decimal, field: str = "amount") -> list[CreditNoteLine]:
        """Credit lines sharing ``amount`` (tax included) in proportion to what is left on each line."""
        self._creditable_now("invoice")
        if amount != round_money(amount, self.currency):
            raise InvalidInput(f"{amount} has more places than {self.currency} has", field=field)
        left = self.total - self.credited
        if amount > left:
            raise InvalidInput(
                f"crediting {amount} exceeds the {left} invoiced and not yet credited on {self.number}", field=field
            )
        lines = [line for line in self.lines if line.creditable > 0]
        # Shares in proportion to what is left on each line, rounded; the rounding
        # difference goes to the first lines with room, so no share passes its line.
        shares = [min(line.creditable, round_money(amount * line.creditable / left, self.currency)) for line in lines]
        rest = amount - sum(shares, ZERO)
        for i, line in enumerate(lines):
            step = max(min(rest, line.creditable - shares[i]), -shares[i])
            shares[i] += step
            rest -= step
        credits = []
        for line, share in zip(lines, shares, strict=True):
            if share == line.creditable:
                net, tax = line.net - line.credited_net, line.tax - line.credited_tax
            else:
                tax = round_money(share * line.tax_rate / (1 + line.tax_rate), self.currency)
                # Neither part may pass what is left of it on the line.
                tax = max(min(tax, line.tax - line.credited_tax), share - (line.net - line.credited_net))
                net = share - tax
            if share:
                credits.append(self._credit(line, None, net, tax))
        return credits

    def _credit(self, line: InvoiceLine, qty: Decimal | None, net: Decimal, tax: Decimal) -> CreditNoteLine:
        line.credited_net += net
        line.credited_tax += tax
        return CreditNoteLine(
            sku=line.sku, qty=qty, tax_code=line.tax_code, tax_rate=line.tax_rate, net=net, tax=tax, gross=net + tax
        )

    def apply_credit(self, total: Decimal) -> Decimal:
        """Count a credit note of ``total`` against the invoice; says how much reduced the amount due."""
        applied = min(total, self.amount_due)
        self.credited += total
        self.credit_applied += applied
        self._settle()
        return applied


@dataclass(eq=False)
class CreditNote:
    number: str
    invoice_id: int
    customer: str
    currency: str
    issue_date: date
    reason: str
    lines: list[CreditNoteLine]
    #: The return that issued it, if one did.
    return_id: int | None = None
    net_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    total: Decimal = ZERO
    #: The part that reduced the invoice's amount due, and the rest, left as customer credit.
    applied: Decimal = ZERO
    unapplied: Decimal = ZERO
    created_at: datetime | None = None
    id: int | None = None

    @classmethod
    def against(
        cls, invoice: Invoice, lines: list[CreditNoteLine], *, number: str, issue_date: date, reason: str
    ) -> CreditNote:
        """A note of ``lines`` on ``invoice``, applied to it at once."""
        for i, line in enumerate(lines):
            line.line_no = i + 1
        total = sum((line.gross for line in lines), ZERO)
        applied = invoice.apply_credit(total)
        return cls(
            number=number,
            invoice_id=invoice.id or 0,
            customer=invoice.customer,
            currency=invoice.currency,
            issue_date=issue_date,
            reason=reason,
            lines=lines,
            net_total=sum((line.net for line in lines), ZERO),
            tax_total=sum((line.tax for line in lines), ZERO),
            total=total,
            applied=applied,
            unapplied=total - applied,
        )
