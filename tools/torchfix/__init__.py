"""Helpers for tools/gen-torch-fixtures.py: sample specs, the torch adapters, and the runner."""
