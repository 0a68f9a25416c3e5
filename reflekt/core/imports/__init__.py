"""`reflekt import warehouse`: event schemas drafted from the Segment tables of a warehouse.

- `tables.py`: which tables are Segment event tables, their event names and property columns.
- `sampling.py`: the SQL pushed to the warehouse (one aggregate query per table, one bounded
  query per enum candidate), never pulling rows.
- `shape.py`: columns and their statistics -> a schema body (types, nesting, required, enum).
- `importer.py`: the job: introspect, sample, draft, write all or nothing.
"""
