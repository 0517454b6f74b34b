"""Pure functions between canonical and vendor models (no I/O), tested from vendor shapes."""
