"""Handlers for production: issuing materials and receiving finished goods."""

from __future__ import annotations

from hub.core.commands import NewProductionIssue, NewProductionReceipt
from hub.core.errors import InvalidInput
from hub.core.events import ProductionIssued, ProductionLineMoved, ProductionReceived
from hub.core.handlers._refs import known, known_products
from hub.core.handlers._stock import close_book, open_book
from hub.core.ports import UnitOfWork
from hub.core.production import ProductionIssue, ProductionLine, ProductionReceipt

__all__ = ["issue_to_production", "receive_from_production"]


def _lines(lines: list[ProductionLine]) -> list[ProductionLineMoved]:
    return [ProductionLineMoved(sku=line.sku, qty=line.qty, cost=line.cost) for line in lines]


async def issue_to_production(cmd: NewProductionIssue, uow: UnitOfWork) -> ProductionIssue:
    """Move materials warehouse → production at average cost, all lines or none."""
    await known(uow.warehouses, cmd.warehouse, "warehouse", "warehouse")
    await known_products(uow, cmd.lines)
    issue = ProductionIssue(
        warehouse=cmd.warehouse, lines=[ProductionLine(sku=line.sku, qty=line.qty) for line in cmd.lines]
    )
    await uow.production_issues.add(issue)
    skus = [line.sku for line in issue.lines]
    book = await open_book(uow, [(sku, issue.warehouse) for sku in skus], valued=skus)
    issue.issue(book)
    assert issue.id is not None
    uow.emit(ProductionIssued(issue_id=issue.id, warehouse=issue.warehouse, cost=issue.cost, lines=_lines(issue.lines)))
    await close_book(uow, book)
    return issue


async def receive_from_production(cmd: NewProductionReceipt, uow: UnitOfWork) -> ProductionReceipt:
    """Move finished goods production → warehouse, worth what the named issues cost.

    The issues are locked first (documents before stock, as every handler locks), so two
    receipts naming the same issue serialise and the second finds it consumed."""
    issues: list[ProductionIssue] = []
    for i, issue_id in enumerate(cmd.from_issues):
        issue = await uow.production_issues.get(issue_id, lock=True)
        if issue is None:
            raise InvalidInput(f"production issue {issue_id} does not exist", field=f"from_issues[{i}]")
        issues.append(issue)
    await known(uow.warehouses, cmd.warehouse, "warehouse", "warehouse")
    await known_products(uow, cmd.lines)
    receipt = ProductionReceipt(
        warehouse=cmd.warehouse, lines=[ProductionLine(sku=line.sku, qty=line.qty) for line in cmd.lines]
    )
    # Refuse a consumed issue before the receipt takes an id: nothing written.
    for i, issue in enumerate(issues):
        receipt.check_unconsumed(issue, f"from_issues[{i}]")
    await uow.production_receipts.add(receipt)
    skus = [line.sku for line in receipt.lines]
    book = await open_book(uow, [(sku, receipt.warehouse) for sku in skus], valued=skus)
    receipt.receive(issues, book)
    assert receipt.id is not None
    uow.emit(
        ProductionReceived(
            receipt_id=receipt.id,
            warehouse=receipt.warehouse,
            from_issues=receipt.from_issues,
            cost=receipt.cost,
            lines=_lines(receipt.lines),
        )
    )
    await close_book(uow, book)
    return receipt
