"""Tax rates and the tax of a document line.

A line's amount is ``qty × unit_price − discount`` (the discount an amount taken off the
line, as channels allocate them), rounded to the currency
(:func:`hub.core.money.round_money`). Prices are tax-exclusive unless the document says
``prices_include_tax``:

- exclusive: ``net`` = the amount, ``tax`` = round(net × rate), ``gross`` = net + tax;
- inclusive: ``gross`` = the amount, ``tax`` = round(gross × rate ÷ (1 + rate)),
  ``net`` = gross − tax.

A document's tax is the sum of its lines' rounded taxes, never the tax of its total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hub.core.money import round_money
from hub.core.numbers import ZERO

__all__ = ["EXEMPT", "LineAmounts", "TaxRate", "price_line"]


@dataclass(eq=False)
class TaxRate:
    """A rate of tax, e.g. ``TaxRate("VAT13", "VAT 13%", Decimal("0.13"))``."""

    code: str
    name: str
    rate: Decimal
    created_at: datetime | None = None
    id: int | None = None


#: The rate applied to the lines of a tax-exempt customer.
EXEMPT = TaxRate(code="EXEMPT", name="Exempt", rate=ZERO)


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


def price_line(
    qty: Decimal,
    unit_price: Decimal,
    rate: Decimal,
    currency: str,
    *,
    discount: Decimal = ZERO,
    inclusive: bool = False,
) -> LineAmounts:
    """Net, tax and gross of one line, each rounded to ``currency`` by the one rule.

    ``discount`` is an amount off the line (tax included where the prices include it)."""
    amount = round_money(qty * unit_price - discount, currency)
    if inclusive:
        tax = round_money(amount * rate / (1 + rate), currency)
        return LineAmounts(net=amount - tax, tax=tax, gross=amount)
    tax = round_money(amount * rate, currency)
    return LineAmounts(net=amount, tax=tax, gross=amount + tax)
