"""The embedded demo project (`reflekt demo`): Segment e-commerce spec events."""
