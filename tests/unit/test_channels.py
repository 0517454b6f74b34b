"""Channel allocation: what a channel offers of a SKU and how it is split by warehouse.

The split is checked against a plain reference of the rule (every warehouse's share of
the ATS in proportion to its stock, rounded down, the remainder to the best-stocked
first), so shortcuts in the implementation cannot change an answer."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from hypothesis import given
from hypothesis import strategies as st

from hub.core.channels import AllocationRule, ChannelAllocation, SkuOverride

WAREHOUSES = ("A", "B", "C")
ZERO = Decimal(0)

quantities = st.one_of(
    st.integers(min_value=-5, max_value=500).map(Decimal),
    st.decimals(min_value=-5, max_value=500, places=2, allow_nan=False, allow_infinity=False),
)
rules = st.builds(
    AllocationRule,
    percent=st.sampled_from([Decimal(100), Decimal(50), Decimal("33.3"), Decimal(0)]),
    cap=st.one_of(st.none(), st.integers(0, 300).map(Decimal)),
    buffer=st.integers(0, 20).map(Decimal),
)


def _reference(allocation: ChannelAllocation, sku: str, available: dict[str, Decimal]) -> dict[str, Decimal]:
    def rounded(value: Decimal) -> Decimal:
        places = Decimal(1) if allocation.whole_units else Decimal("0.000001")
        return value.quantize(places, rounding=ROUND_FLOOR)

    stock = {w: max(ZERO, available.get(w, ZERO)) for w in allocation.warehouses}
    total = sum(stock.values(), ZERO)
    ats = rounded(allocation.rule_for(sku).apply(total))
    if total == 0 or ats == 0:
        return dict.fromkeys(allocation.warehouses, ZERO)
    shares = {w: rounded(ats * q / total) for w, q in stock.items()}
    remainder = ats - sum(shares.values(), ZERO)
    step = Decimal(1) if allocation.whole_units else remainder
    for w in sorted(allocation.warehouses, key=lambda w: (-stock[w], w)):
        if remainder <= 0:
            break
        extra = min(step, remainder, stock[w] - shares[w])
        if extra > 0:
            shares[w] += extra
            remainder -= extra
    return shares


@given(
    rule=rules,
    whole=st.booleans(),
    levels=st.lists(quantities, min_size=3, max_size=3),
    override=st.one_of(st.none(), st.integers(0, 100).map(lambda p: SkuOverride(percent=Decimal(p)))),
)
def test_the_split_is_the_rule_and_adds_up_to_what_is_offered(
    rule: AllocationRule, whole: bool, levels: list[Decimal], override: SkuOverride | None
) -> None:
    allocation = ChannelAllocation(
        warehouses=WAREHOUSES, rule=rule, overrides={"X": override} if override else {}, whole_units=whole
    )
    available = dict(zip(WAREHOUSES, levels, strict=True))
    split = allocation.split("X", available)
    assert split == _reference(allocation, "X", available)
    assert sum(split.values(), ZERO) == allocation.available_to_sell("X", available)
    for warehouse, share in split.items():
        assert ZERO <= share <= max(ZERO, available[warehouse])
        if whole and available[warehouse] == available[warehouse].to_integral_value():
            assert share == share.to_integral_value()


def test_offering_everything_gives_each_warehouse_its_own_stock() -> None:
    allocation = ChannelAllocation(warehouses=WAREHOUSES)
    assert allocation.split("X", {"A": Decimal(7), "B": Decimal(0), "C": Decimal(-2)}) == {
        "A": Decimal(7),
        "B": ZERO,
        "C": ZERO,
    }
