"""Everything that is not UI. Never imports textual, click or rich (a test checks it)."""
