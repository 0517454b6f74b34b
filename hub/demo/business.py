"""The sample business: a tea and teaware trader with three warehouses, as commands.

A week of it, told in the order :mod:`hub.demo.load` replays it. The figures are
chosen so that the end state shows what an operator should see: a purchase order
still partially received after inspection rejected cracked teapots, which therefore
run low (``low_stock``), and far too many celadon cups (``overstock``). Then the books
of that week: invoices for what shipped, a customer paying part of one, the tea
co-operative's bill for its delivery (paid in part), and freight paid from the bank —
so the trial balance has receivables, payables, tax, revenue, cost of goods and expenses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hub.core.commands import (
    CountLine,
    NewCustomer,
    NewProduct,
    NewPurchaseOrder,
    NewReceipt,
    NewReturn,
    NewSalesOrder,
    NewShipment,
    NewStockCount,
    NewSupplier,
    NewTaxRate,
    NewTransfer,
    NewWarehouse,
    PurchaseLine,
    ReceiptLineIn,
    ReturnLineIn,
    SalesLine,
    ShipLine,
    TransferLineIn,
)
from hub.core.payable_commands import BillAllocationIn, BillLineIn, NewBill, NewExpense, NewSupplierPayment
from hub.core.receivable_commands import AllocationIn, NewPayment

__all__ = [
    "COUNT_MAIN",
    "CUSTOMERS",
    "GZ",
    "HZ",
    "LOW_SKU",
    "MARKER",
    "PAID_BY_JADE_GARDEN",
    "PAID_TO_XIHU",
    "PO_CLAY",
    "PO_HANGZHOU",
    "PO_PORCELAIN",
    "PO_TEAS",
    "PRODUCTS",
    "RECEIPT_CLAY",
    "RECEIPT_GAIWANS",
    "RECEIPT_HANGZHOU",
    "RECEIPT_PORCELAIN",
    "RECEIPT_TEAS",
    "RETURN_TEAHOUSE",
    "SH",
    "SHIP_ONLINE",
    "SHIP_RESTAURANT_PART",
    "SHIP_TEAHOUSE",
    "SHOWCASE_SKU",
    "SO_CHANGED_MIND",
    "SO_ONLINE",
    "SO_OVER_LIMIT",
    "SO_RESTAURANT",
    "SO_TEAHOUSE",
    "SUPPLIERS",
    "TAX_RATES",
    "TRANSFER_LONGJING",
    "TRANSFER_SHOWROOM",
    "WAREHOUSES",
    "bill_teas",
    "expense_freight",
    "payment_jade_garden",
    "payment_xihu",
]

D = Decimal

#: The demo's main warehouse; its presence means the demo has been loaded here.
MARKER = "DEMO-SH"
SH, HZ, GZ = MARKER, "DEMO-HZ", "DEMO-GZ"
#: The SKUs the hints point at.
SHOWCASE_SKU = "TEA-LJ-AAA"
LOW_SKU = "POT-YX-200"

#: Chinese VAT: 9 % on tea (agricultural produce), 13 % on teaware.
TAX_RATES = (
    NewTaxRate(code="VAT9", name="VAT 9% (tea)", rate=D("0.09")),
    NewTaxRate(code="VAT13", name="VAT 13% (teaware)", rate=D("0.13")),
)
WAREHOUSES = (
    NewWarehouse(code=SH, name="Shanghai main warehouse (demo)"),
    NewWarehouse(code=HZ, name="Hangzhou tea shop (demo)"),
    NewWarehouse(code=GZ, name="Guangzhou showroom (demo)"),
)
SUPPLIERS = (
    NewSupplier(code="XIHU-TEA", name="West Lake Tea Co-operative", contact="orders@xihu-tea.example", rating=5),
    NewSupplier(code="JDZ-PORCELAIN", name="Jingdezhen Porcelain Works", contact="+86 798 555 0101", rating=4),
    NewSupplier(code="YIXING-CLAY", name="Yixing Zisha Studio", contact="+86 510 555 0188", rating=3),
)
CUSTOMERS = (
    NewCustomer(code="LEAF-CUP", name="Leaf & Cup Teahouse", contact="buyer@leafcup.example"),
    NewCustomer(code="JADE-GARDEN", name="Jade Garden Restaurant", credit_limit=D("5000")),
    NewCustomer(code="TMALL", name="Tmall flagship store (online orders)"),
    NewCustomer(code="TEA-CORNER", name="Hangzhou Tea Corner", contact="+86 571 555 0123", credit_limit=D("300")),
)


def _product(sku: str, name: str, unit: str, price: str, band: tuple[int, int], barcode: str | None) -> NewProduct:
    point, ceiling = band
    tax_code = "VAT9" if sku.startswith("TEA-") else "VAT13"
    return NewProduct(
        sku=sku,
        name=name,
        unit=unit,
        barcode=barcode,
        list_price=D(price),
        reorder_point=D(point),
        reorder_max=D(ceiling),
        tax_code=tax_code,
    )


PRODUCTS = (
    _product("TEA-LJ-AAA", "West Lake Longjing green tea, grade AAA", "kg", "180.00", (5, 25), None),
    _product("TEA-TGY", "Anxi Tieguanyin oolong", "kg", "120.00", (4, 15), None),
    _product("TEA-PUER-357", "Menghai ripe pu-erh cake 357 g", "pcs", "68.00", (10, 40), "6927352100018"),
    _product("CUP-CEL-120", "Longquan celadon tea cup 120 ml", "pcs", "8.50", (50, 200), "6927352100025"),
    _product("GAIWAN-150", "Jingdezhen porcelain gaiwan 150 ml", "pcs", "25.00", (20, 80), "6927352100032"),
    _product("POT-YX-200", "Yixing zisha teapot 200 ml", "pcs", "128.00", (5, 15), "6927352100049"),
    _product("TRAY-BAMBOO-40", "Bamboo gongfu tea tray 40 cm", "pcs", "45.00", (3, 12), "6927352100056"),
    _product("STRAINER-SS", "Stainless steel tea strainer", "pcs", "3.50", (20, 120), "6927352100063"),
)


def _po(supplier: str, warehouse: str, *lines: tuple[str, str, str]) -> NewPurchaseOrder:
    """A purchase order of ``(sku, qty, unit_cost)`` lines."""
    return NewPurchaseOrder(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLine(sku=sku, qty=D(qty), unit_cost=D(cost)) for sku, qty, cost in lines],
    )


def _receipt(*lines: tuple[str, str, str]) -> NewReceipt:
    """A receipt of ``(sku, accepted, rejected)`` lines, as inspected."""
    return NewReceipt(lines=[ReceiptLineIn(sku=s, accepted=D(a), rejected=D(r)) for s, a, r in lines])


def _so(customer: str, warehouse: str, *lines: tuple[str, str, str], external_id: str | None = None) -> NewSalesOrder:
    """A sales order of ``(sku, qty, unit_price)`` lines; ``external_id`` makes it a Tmall order."""
    return NewSalesOrder(
        customer=customer,
        warehouse=warehouse,
        channel="tmall" if external_id else None,
        external_id=external_id,
        lines=[SalesLine(sku=sku, qty=D(qty), unit_price=D(price)) for sku, qty, price in lines],
    )


def _shipment(carrier: str, tracking: str, *lines: tuple[str, str]) -> NewShipment:
    return NewShipment(lines=[ShipLine(sku=s, qty=D(q)) for s, q in lines], carrier=carrier, tracking=tracking)


def _transfer(source: str, destination: str, *lines: tuple[str, str]) -> NewTransfer:
    lines_ = [TransferLineIn(sku=s, qty=D(q)) for s, q in lines]
    return NewTransfer(from_warehouse=source, to_warehouse=destination, lines=lines_)


# Purchasing, days 1–3. Inspection rejects 4 gaiwans (replaced on day 3) and 4 cracked
# teapots (still awaited: that order stays partially received, and teapots run low).
PO_TEAS = _po(
    "XIHU-TEA", SH, ("TEA-LJ-AAA", "12.5", "96.00"), ("TEA-TGY", "10", "58.00"), ("TEA-PUER-357", "30", "41.50")
)
PO_PORCELAIN = _po(
    "JDZ-PORCELAIN", SH, ("CUP-CEL-120", "600", "3.20"), ("GAIWAN-150", "60", "9.80"), ("STRAINER-SS", "100", "1.10")
)
PO_CLAY = _po("YIXING-CLAY", SH, ("POT-YX-200", "12", "48.00"), ("TRAY-BAMBOO-40", "8", "17.50"))
PO_HANGZHOU = _po("XIHU-TEA", HZ, ("TEA-LJ-AAA", "8", "98.00"), ("TEA-TGY", "5", "58.00"))
RECEIPT_TEAS = _receipt(("TEA-LJ-AAA", "12.5", "0"), ("TEA-TGY", "10", "0"), ("TEA-PUER-357", "30", "0"))
RECEIPT_PORCELAIN = _receipt(("CUP-CEL-120", "600", "0"), ("GAIWAN-150", "56", "4"), ("STRAINER-SS", "100", "0"))
RECEIPT_CLAY = _receipt(("POT-YX-200", "8", "4"), ("TRAY-BAMBOO-40", "8", "0"))
RECEIPT_HANGZHOU = _receipt(("TEA-LJ-AAA", "8", "0"), ("TEA-TGY", "5", "0"))
RECEIPT_GAIWANS = _receipt(("GAIWAN-150", "4", "0"))

# Sales, days 2–4: shipped in full, shipped in part, cancelled, held over a credit limit.
SO_TEAHOUSE = _so(
    "LEAF-CUP", SH, ("TEA-LJ-AAA", "2.5", "180.00"), ("CUP-CEL-120", "48", "8.50"), ("GAIWAN-150", "12", "25.00")
)
SO_ONLINE = _so("TMALL", SH, ("POT-YX-200", "2", "128.00"), ("TEA-TGY", "1.5", "120.00"), external_id="TM20240611-0001")
SO_RESTAURANT = _so(
    "JADE-GARDEN", SH, ("TEA-PUER-357", "12", "68.00"), ("TEA-TGY", "3", "118.00"), ("POT-YX-200", "3", "120.00")
)
SO_CHANGED_MIND = _so("LEAF-CUP", SH, ("TRAY-BAMBOO-40", "2", "45.00"), ("STRAINER-SS", "20", "3.50"))
SO_OVER_LIMIT = _so("TEA-CORNER", HZ, ("TEA-LJ-AAA", "2", "175.00"))
SHIP_TEAHOUSE = _shipment(
    "SF Express", "SF1402938475612", ("TEA-LJ-AAA", "2.5"), ("CUP-CEL-120", "48"), ("GAIWAN-150", "12")
)
SHIP_ONLINE = _shipment("YTO Express", "YT7791203345810", ("POT-YX-200", "2"), ("TEA-TGY", "1.5"))
SHIP_RESTAURANT_PART = _shipment("ZTO Express", "ZT73100045582917", ("TEA-PUER-357", "12"), ("TEA-TGY", "2"))

# Days 4–5: a return (unopened cups back on the shelf, broken gaiwans scrapped), stock
# for the showroom (received) and Longjing on its way to Shanghai, and a count of the
# main warehouse: 0.35 kg of Tieguanyin gone in tastings, 2 strainers found, trays exact.
RETURN_TEAHOUSE = NewReturn(
    lines=[
        ReturnLineIn(sku="CUP-CEL-120", qty=D(6), restock=True),
        ReturnLineIn(sku="GAIWAN-150", qty=D(2), restock=False),
    ]
)
TRANSFER_SHOWROOM = _transfer(SH, GZ, ("CUP-CEL-120", "120"), ("GAIWAN-150", "10"), ("TEA-TGY", "2.5"))
TRANSFER_LONGJING = _transfer(HZ, SH, ("TEA-LJ-AAA", "3"))
COUNT_MAIN = NewStockCount(
    warehouse=SH,
    lines=[
        CountLine(sku=s, counted=D(q))
        for s, q in (("TEA-TGY", "3.65"), ("STRAINER-SS", "102"), ("TRAY-BAMBOO-40", "8"))
    ],
)

# Day 6, the books: every shipped order is invoiced (what shipped and was kept, so Leaf &
# Cup's returned cups and gaiwans are not billed); Jade Garden pays part of its invoice;
# the co-operative bills the teas it delivered on day 2 and is paid part of the bill;
# courier fees are paid from the bank. Documents that name earlier ones (or carry a date,
# which bills and payments must) are built when the demo reaches them.
PAID_BY_JADE_GARDEN = D("600.00")
PAID_TO_XIHU = D("1500.00")


def payment_jade_garden(invoice_id: int, currency: str) -> NewPayment:
    """Part of Jade Garden's invoice, by bank transfer."""
    return NewPayment(
        customer="JADE-GARDEN",
        amount=PAID_BY_JADE_GARDEN,
        currency=currency,
        method="bank_transfer",
        reference="JG-0612",
        allocations=[AllocationIn(invoice=invoice_id, amount=PAID_BY_JADE_GARDEN)],
    )


def bill_teas(purchase_order_id: int, date: dt.date) -> NewBill:
    """The co-operative's bill for the teas received on day 2, at the prices ordered."""
    lines = [BillLineIn(sku=line.sku, qty=line.qty, unit_cost=line.unit_cost) for line in PO_TEAS.lines]
    return NewBill(purchase_order=purchase_order_id, supplier_reference="XH-2024-0611", date=date, lines=lines)


def payment_xihu(bill_id: int, currency: str, date: dt.date) -> NewSupplierPayment:
    """Part of the co-operative's bill, by bank transfer."""
    return NewSupplierPayment(
        supplier="XIHU-TEA",
        amount=PAID_TO_XIHU,
        currency=currency,
        date=date,
        method="bank_transfer",
        reference="TT-20240612-01",
        allocations=[BillAllocationIn(bill=bill_id, amount=PAID_TO_XIHU)],
    )


def expense_freight(date: dt.date) -> NewExpense:
    """The week's courier fees to customers, paid from the bank (not landed on stock)."""
    return NewExpense(category="freight", amount=D("86.00"), tax_code="VAT9", date=date, reference="SF-202406-W24")
