"""Formatters that turn core results (lint findings, diffs) into text for files and CI.

`findings.py` (lint) and `diff.py` each hold a table `FORMATS: dict[name, function]` with one
shape, `(report, project_root) -> str`; the commands' `--format` choices are those tables'
keys. The functions are pure (data in, str out) so the CLI, the TUI and tests share them.
The envelopes both reports share live beside them: `sarif.py`, `junit.py`, `gitlab.py`
(Code Quality) and `markdown.py` (tables, collapsed sections). `summary.py` holds the
one-line summaries of pull, push and build.
"""
