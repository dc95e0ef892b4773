"""Reads of the documents app, one module per feature."""
