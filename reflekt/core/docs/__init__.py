"""`reflekt build docs`: the event catalog (a static HTML site, or Markdown pages).

- `model`: the catalog as frozen data (events, versions with their changelog from the diff
  core, properties tables, the property index and its conflicts, facets);
- `inputs`: what it reads besides the schemas (lint findings, the last dbt build's models,
  an audit report);
- `render`: the Jinja templates (HTML autoescaped, Markdown through escaping filters);
- `pipeline`: `build_docs()`, planned and applied by the builds' header-guarded writer.
"""
