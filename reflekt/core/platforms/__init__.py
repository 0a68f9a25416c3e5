"""What each SDK's warehouse layout is: tables, columns, naming.

One module per SDK (`segment.py`). Lint (column collisions), build (dbt models) and
registries (the rule-type marker a pull keeps) all read these facts from here, so they never
disagree, and none of those layers has to import another to learn them.
"""
