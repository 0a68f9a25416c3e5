"""Reflekt: event schemas as code."""

__version__ = "0.1.0"
