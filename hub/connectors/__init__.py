"""Connectors: one subpackage per external system, built on :mod:`hub.connectors.sdk`."""
