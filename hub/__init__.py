"""jxc-hub: the 进销存 (purchasing, sales, inventory) integration hub."""

__version__ = "0.1.0"
