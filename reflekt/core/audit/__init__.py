"""`reflekt audit`: does the data in the warehouse follow the schemas?

Two levels, both as findings with stable codes (`rules.py`):
- structure, from the build's one `information_schema` query (`structure.py`);
- rows, as SQL the warehouse runs: one aggregate query per event table, every check of every
  column in one pass (`checks.py`), plus, only when something was found and samples are
  wanted, one bounded query for up to N example values per finding. No row comes back.
"""
