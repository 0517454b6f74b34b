"""The Shopify connector (Admin GraphQL).

config.py       instance config and mappings         client.py   cost-paced GraphQL
queries.py      every document it sends              cost.py / schema.py  the vendor's rules
stock.py        stock out                            orders.py   orders in
fulfillments.py shipments out                        connector.py  the whole, registered as "shopify"
(the fake store for tests, the demo and benchmarks is hub.simulators.shopify)
"""
