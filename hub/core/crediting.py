"""Credit notes: part of an invoice given back — units of its lines, or an amount shared over them.

Never more than was invoiced less already credited: each invoice line counts the units,
net and tax credited so far, and the last unit (or the last of the amount) takes what is
left of the line, so rounding can never credit a cent too much. A note is applied to the
invoice's amount due, up to what is due (:meth:`~hub.core.invoicing.Invoice.apply_credit`);
the rest is customer credit.

A discount line (from the order's charges; negative amounts) takes its share of an amount
credited, so the note gives back revenue and discount in proportion; and units given back
take their share of the invoice's discount with them, so a return never gives back more
than the customer paid for them. Units of a line with a discount of its own (a channel's
line-level discount) are credited at their discounted price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hub.core.errors import InvalidInput
from hub.core.invoicing import Invoice, InvoiceLine, InvoiceStatus, LineKind
from hub.core.money import round_money
from hub.core.numbers import ZERO
from hub.core.tax import price_line

__all__ = ["CreditNote", "CreditNoteLine", "credit_amount", "credit_units"]


@dataclass(eq=False)
class CreditNoteLine:
    """Units of an invoice line given back (``qty``), or a share of an amount (``qty`` None)."""

    sku: str | None
    qty: Decimal | None
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_code: str | None = None
    kind: LineKind = LineKind.GOODS
    line_no: int = 0
    id: int | None = None
    credit_note_id: int | None = None


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


def _creditable(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.VOID:
        raise InvalidInput(f"invoice {invoice.number} is void", field="invoice")


def credit_units(invoice: Invoice, picks: Sequence[tuple[str, Decimal]], field: str = "lines") -> list[CreditNoteLine]:
    """Credit lines for units of ``invoice``'s lines; the last unit of a line takes what is left of it."""
    _creditable(invoice)
    by_sku = {line.sku: line for line in invoice.lines}
    seen: set[str] = set()
    targets = []
    for i, (sku, qty) in enumerate(picks):
        line = by_sku.get(sku)
        if line is None:
            raise InvalidInput(f"{sku} is not on invoice {invoice.number}", field=f"{field}[{i}].sku")
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
    goods_left = sum((line.creditable for line in invoice.lines if line.kind == LineKind.GOODS), ZERO)
    credits = []
    for line, qty in targets:
        if qty == line.qty - line.credited_qty:
            net, tax = line.net - line.credited_net, line.tax - line.credited_tax
        else:
            amounts = price_line(
                qty,
                line.unit_price,
                line.tax_rate,
                invoice.currency,
                discount=_discount_of(line, qty, invoice.currency),
                inclusive=invoice.prices_include_tax,
            )
            # An amount credit may already have taken part of the line.
            net = min(amounts.net, line.net - line.credited_net)
            tax = min(amounts.tax, line.tax - line.credited_tax)
        line.credited_qty += qty
        credits.append(_credit(line, qty, net, tax))
    return credits + _discount_shares(invoice, sum((c.gross for c in credits), ZERO), goods_left)


def _discount_of(line: InvoiceLine, qty: Decimal, currency: str) -> Decimal:
    """The part of the line's own discount that goes with ``qty`` more units credited (counted
    on the units credited so far, so a line's credits add up to its discount)."""
    if not line.discount:
        return ZERO
    before = round_money(line.discount * line.credited_qty / line.qty, currency)
    return round_money(line.discount * (line.credited_qty + qty) / line.qty, currency) - before


def credit_amount(invoice: Invoice, amount: Decimal, field: str = "amount") -> list[CreditNoteLine]:
    """Credit lines sharing ``amount`` (tax included) in proportion to what is left on each line."""
    _creditable(invoice)
    if amount != round_money(amount, invoice.currency):
        raise InvalidInput(f"{amount} has more places than {invoice.currency} has", field=field)
    left = invoice.total - invoice.credited
    if amount > left:
        raise InvalidInput(
            f"crediting {amount} exceeds the {left} invoiced and not yet credited on {invoice.number}", field=field
        )
    lines = [line for line in invoice.lines if line.creditable != 0]
    # Shares in proportion to what is left on each line, rounded, each between zero and
    # what is left of its line (below zero on a discount); the rounding difference goes
    # to the first lines with room, so no share passes its line.
    shares = [_within(line, round_money(amount * line.creditable / left, invoice.currency)) for line in lines]
    rest = amount - sum(shares, ZERO)
    for i, line in enumerate(lines):
        low, high = min(ZERO, line.creditable), max(ZERO, line.creditable)
        step = max(min(rest, high - shares[i]), low - shares[i])
        shares[i] += step
        rest -= step
    return [_share(invoice, line, share) for line, share in zip(lines, shares, strict=True) if share]


def _share(invoice: Invoice, line: InvoiceLine, share: Decimal) -> CreditNoteLine:
    """Credit ``share`` (tax included) of ``line``: all that is left of it, or its part split by the line's rate."""
    if share == line.creditable:
        net, tax = line.net - line.credited_net, line.tax - line.credited_tax
    else:
        # Worked on the share's size, so a discount's negative share is bounded alike.
        sign = -1 if line.creditable < 0 else 1
        size = sign * share
        net_left, tax_left = sign * (line.net - line.credited_net), sign * (line.tax - line.credited_tax)
        tax = round_money(size * line.tax_rate / (1 + line.tax_rate), invoice.currency)
        # Neither part may pass what is left of it on the line.
        tax = sign * max(min(tax, tax_left), size - net_left)
        net = share - tax
    return _credit(line, None, net, tax)


def _discount_shares(invoice: Invoice, given: Decimal, goods_left: Decimal) -> list[CreditNoteLine]:
    """The discount that went with goods given back: each discount line's share in proportion to
    the goods credited, so a return never gives back more than was paid (nor the note below zero)."""
    if given <= 0 or goods_left <= 0:
        return []
    room = invoice.total - invoice.credited - given  # below zero: the goods alone pass the invoice
    shares = []
    for line in invoice.lines:
        if line.kind != LineKind.DISCOUNT or line.creditable >= 0:
            continue
        share = max(round_money(line.creditable * given / goods_left, invoice.currency), line.creditable)
        share = max(min(share, room), line.creditable, -given)
        if share:
            room -= share
            given += share
            shares.append(_share(invoice, line, share))
    return shares


def _within(line: InvoiceLine, share: Decimal) -> Decimal:
    return max(min(share, max(ZERO, line.creditable)), min(ZERO, line.creditable))


def _credit(line: InvoiceLine, qty: Decimal | None, net: Decimal, tax: Decimal) -> CreditNoteLine:
    line.credited_net += net
    line.credited_tax += tax
    return CreditNoteLine(
        sku=line.sku,
        kind=line.kind,
        qty=qty,
        tax_code=line.tax_code,
        tax_rate=line.tax_rate,
        net=net,
        tax=tax,
        gross=net + tax,
    )
