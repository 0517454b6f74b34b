"""The fault harness: a seeded trading day against a hub under faults, then every invariant.

``plan.py`` draws the day and its faults from one seed; ``stack.py`` runs the hub as
real processes beside the Shopify simulator (and Tansu, PostgreSQL's admin side);
``day.py`` plays the day; ``checks.py`` judges the result; ``report.py`` prints it.
``bench/faults.py`` is the command; ``tests/faults/`` runs a short day in the suite.
"""
