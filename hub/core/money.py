"""Money in a currency: the one rounding rule for amounts a party is billed or paid.

**Rule.** An amount that is billed, taxed or paid — a line's net, its tax, a discount —
is rounded once, **half-up** (away from zero on a tie), to the currency's minor unit:
two places for USD and CNY, none for JPY, three for KWD (ISO 4217). Tax is computed per
line, rounded by this rule, then summed (the rule Xero and QuickBooks apply), so a
document's totals agree with a finance system's to the cent. Nothing else rounds money
to a currency; stock values and unit costs keep the ledger's six places
(:mod:`hub.core.numbers`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["MINOR_UNITS", "minor_unit", "round_money"]

#: Currencies whose minor unit is not two places (ISO 4217); every other has two.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF"), 0),
    **dict.fromkeys(("UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_unit(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit (2 unless ISO 4217 says otherwise)."""
    return MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to ``currency``'s minor unit — the rule above, and its only place."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)
