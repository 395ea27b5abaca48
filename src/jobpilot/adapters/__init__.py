"""Implementations of kit ports; only wiring.py chooses between them."""
