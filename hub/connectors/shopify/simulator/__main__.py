"""``python -m hub.connectors.shopify.simulator``: run the simulator standalone (see ``server.py``)."""

from hub.connectors.shopify.simulator.server import main

main()
