"""``python -m hub.simulators.shopify``: run the simulator standalone (see ``server.py``)."""

from hub.simulators.shopify.server import main

main()
