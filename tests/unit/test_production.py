"""Production cost splitting: the goods arrive worth the materials, to the last place."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hub.core.production import split_cost

D = Decimal


def test_a_cost_is_shared_by_quantity() -> None:
    assert split_cost(D("15.50"), [D(2), D(1)]) == [D("10.333333"), D("5.166667")]
    assert split_cost(D("10"), [D(1)]) == [D("10")]


def test_many_shares_that_round_up_never_leave_the_last_below_zero() -> None:
    # 0.000015 over ten equal lines: 0.0000015 each, which rounds to 0.000002 on its own.
    shares = split_cost(D("0.000015"), [D(1)] * 10)
    assert sum(shares) == D("0.000015") and min(shares) >= 0


amounts = st.integers(0, 10**12).map(lambda n: D(n).scaleb(-6))
quantities = st.lists(st.integers(1, 10**6).map(lambda n: D(n).scaleb(-3)), min_size=1, max_size=20)


@given(amounts, quantities)
def test_shares_add_up_and_are_never_negative(total: Decimal, qtys: list[Decimal]) -> None:
    shares = split_cost(total, qtys)
    assert sum(shares, D(0)) == total
    assert all(share >= 0 and share == share.quantize(D("0.000001")) for share in shares)
