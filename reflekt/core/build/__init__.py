"""Build data artifacts from event schemas: the dbt package builder and its writer.

`reflekt.core.build.pipeline.build_dbt()` is the one call behind `reflekt build dbt`, the demo
and the TUI's build wizard.
"""
