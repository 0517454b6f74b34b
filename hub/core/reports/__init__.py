"""The reports a trading business reads every week, computed from plain facts.

Each module turns facts read from the ledger and the journal (by ``hub.db.reports``)
into a :class:`Report`; nothing here reads storage, so a test can recompute any figure
from ``/v1/moves`` and ``/v1/journal`` with the same functions or by hand.

    sales          qty, net revenue, COGS, margin by sku | customer | channel | month
    inventory      on hand, value, turnover, days of cover, slow movers
    purchases      spend, received vs ordered, reject rate, on-time rate
    ar-aging, ap-aging                                 amounts due by days past due, per party
    trial-balance, profit-and-loss, balance-sheet     sums of journal lines, per currency
    demand         daily history and a 30-day exponentially smoothed forecast
"""

from hub.core.reports.aging import Credit, OpenItem, aging_report, allocation_days
from hub.core.reports.books import PostedLine, balance_sheet, profit_and_loss, trial_balance
from hub.core.reports.demand import daily_history, demand_report, forecast_demand
from hub.core.reports.inventory import MoveFact, inventory_report
from hub.core.reports.purchases import OrderedLine, ReceivedLine, purchases_report
from hub.core.reports.sales import Sale, sales_report
from hub.core.reports.table import Column, Report

__all__ = [
    "Column",
    "Credit",
    "MoveFact",
    "OpenItem",
    "OrderedLine",
    "PostedLine",
    "ReceivedLine",
    "Report",
    "Sale",
    "aging_report",
    "allocation_days",
    "balance_sheet",
    "daily_history",
    "demand_report",
    "forecast_demand",
    "inventory_report",
    "profit_and_loss",
    "purchases_report",
    "sales_report",
    "trial_balance",
]
