"""Widgets of the Reflekt TUI: each shows core data and posts messages; none calls the network."""
