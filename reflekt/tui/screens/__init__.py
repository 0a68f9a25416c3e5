"""Screens of the Reflekt TUI: main, help, project problem, build wizard, modals."""
