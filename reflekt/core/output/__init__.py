"""Formatters that turn core results (lint findings, diffs) into text for files and CI.

Each module holds a table `FORMATS: dict[name, function]`; the functions are pure (data in,
str out) so the CLI, the TUI and tests share them.
"""
