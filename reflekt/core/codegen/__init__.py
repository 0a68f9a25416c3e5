"""`reflekt build code`: typed tracking code (TypeScript, Python) from the schemas in git.

- `model`: the schemas as language-neutral event types (`CodeEvent`, `TypeNode`).
- `names`: the stable rule that makes event and property names identifiers.
- `typescript`, `python`: one emitter per language, `emit(events, options) -> files`.
- `pipeline`: `build_code()` (select, model, emit, plan the writes, `--check`).
"""
