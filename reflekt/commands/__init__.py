"""One module per CLI command; each exposes `command`. Shared plumbing is in `_common`."""
