"""The embedded demo, in one package: its project files (`project/`), how they are laid out
on disk (`layout.py`), and its DuckDB warehouse with real-data faults plus the build step
that `reflekt demo` runs (`warehouse.py`)."""
