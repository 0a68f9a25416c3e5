"""What the catalog reads besides the schemas: lint findings, the last dbt build, an audit.

Each reader is bounded (regular files only, size caps, a file count cap) and tolerant where
the input is optional: a dbt package that is missing or hand-edited gives no models; a
generated docs file that does not parse is left out. An `--with-audit` report the user named
must be usable: a missing, unreadable or foreign file is one clear error (exit 2).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from reflekt.core import escape
from reflekt.core.build.common_docs import referenced_block
from reflekt.core.build.dbt import header_schema_ids, model_source, package_name_for
from reflekt.core.build.writer import read_generated
from reflekt.core.docs.model import AuditData, DbtModel, LintLine, ModelColumn, SchemaFile
from reflekt.core.errors import ReflektError
from reflekt.core.project import Project
from reflekt.core.readfile import UnreadableFileError, read_regular
from reflekt.core.schemas import SchemaDocument, printable

AUDIT_LIMIT = 256 * 1024 * 1024  # bytes of an audit report (its samples are capped already)
MAX_MODEL_FILES = 200_000  # generated docs and SQL files looked at in the dbt package
SOURCE_SHOWN_LIMIT = 512 * 1024  # characters of a schema file shown as its JSON source
TRAITS_CALL = "users"  # the call type the `users` model's docs block names


def schema_files(documents: Mapping[str, SchemaDocument]) -> list[SchemaFile]:
    """The schema files `load_event_schemas` read (by schema id), with their text for the
    JSON source (cut past SOURCE_SHOWN_LIMIT characters)."""
    from reflekt.core.build.events import EventSchema

    found: list[SchemaFile] = []
    for schema_id, doc in sorted(documents.items()):
        if doc.body is None:
            continue
        text = doc.text
        if len(text) > SOURCE_SHOWN_LIMIT:
            text = text[:SOURCE_SHOWN_LIMIT] + "\n… (cut: the file is longer)\n"
        found.append(SchemaFile(EventSchema.from_body(schema_id, doc.body), doc.body, text))
    return found


def lint_lines(
    project: Project, schema_ids: Sequence[str], jobs: int = 1
) -> dict[str, list[LintLine]]:
    """Lint findings per schema id, through the lint cache (what did not change is not
    linted again); `jobs` > 1 lints a large cold selection in forked processes."""
    from reflekt.core.lint import lint_project

    paths = [str(project.schemas_dir / schema_id) for schema_id in schema_ids]
    report = lint_project(project, paths, jobs=jobs, cache=True, whole_project=False)
    lines: dict[str, list[LintLine]] = {}
    for finding in sorted(report.findings, key=lambda f: (f.line or 0, f.rule, f.message)):
        lines.setdefault(finding.schema_id, []).append(
            LintLine(
                finding.severity,
                finding.rule,
                finding.rule_name,
                finding.message,
                finding.line,
                finding.property,
            )
        )
    return lines


def dbt_models(project: Project) -> dict[str, DbtModel]:
    """The models of the last `reflekt build dbt`, by the schema ids their docs file's
    header names ({} when there is no package), each with the SDK and call its description's
    docs block names and the table its SQL file's `source()` reads (a generated file of the
    model's name naming the same schema ids, else no table). An event's rows land in its own
    model's table, not in `users` (the traits of identify() events, which names them too)."""
    package = project.artifacts_dir / "dbt" / package_name_for(project.name)
    models_dir = package / "models"
    if not models_dir.is_dir():
        return {}
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    read: list[tuple[DbtModel, list[str]]] = []  # each docs file's model, its schema ids
    sql_files: dict[str, Path] = {}  # model name (the file's stem) -> its path
    for path in _package_files(models_dir):
        if path.suffix == ".sql":
            sql_files.setdefault(path.stem, path)
            continue
        text = read_generated(path)
        ids = header_schema_ids(text) if text is not None else []
        if text is None or not ids:
            continue
        model = _model(text, path.relative_to(project.root).as_posix(), loader)
        if model is not None:
            read.append((model, ids))
    found: dict[str, DbtModel] = {}
    for model, ids in read:
        sql_path = sql_files.get(model.name)
        table = _model_table(sql_path, ids) if sql_path is not None else ""
        shown = replace(model, table=table) if table else model
        for schema_id in ids:
            held = found.get(schema_id)
            if held is None or shown.call != TRAITS_CALL or held.call == TRAITS_CALL:
                found[schema_id] = shown
    return found


def _package_files(models_dir: Path) -> Iterator[Path]:
    """The package's docs (`.yml`, `.yaml`) and SQL files, sorted, MAX_MODEL_FILES at most."""
    count = 0
    for folder, dirs, names in os.walk(models_dir):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith((".yml", ".yaml", ".sql")):
                continue
            count += 1
            if count > MAX_MODEL_FILES:
                return
            yield Path(folder, name)


def _model_table(path: Path, schema_ids: Sequence[str]) -> str:
    """The table a generated model's SQL reads, when the file names the same schema ids as
    its docs file ("" for a hand-written, edited or other model's file)."""
    text = read_generated(path)
    if text is None or header_schema_ids(text) != list(schema_ids):
        return ""
    source = model_source(text)
    return source[1] if source is not None else ""


def _model(text: str, path: str, loader: Any) -> DbtModel | None:
    import yaml

    try:
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return None
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, list) or not models or not isinstance(models[0], dict):
        return None
    entry = models[0]
    columns = []
    for column in entry.get("columns") or []:
        if isinstance(column, dict) and isinstance(column.get("name"), str):
            description = column.get("description")
            columns.append(
                ModelColumn(
                    column["name"],
                    str(column.get("data_type") or ""),
                    escape.jinja_text_decode(description) if isinstance(description, str) else "",
                )
            )
    description = entry.get("description")
    block = referenced_block(description) if isinstance(description, str) else None
    sdk, call = block if block is not None else ("", "")
    return DbtModel(str(entry.get("name") or ""), path, tuple(columns), sdk=sdk, call=call)


def read_audit(path: str | Path) -> AuditData:
    """An audit report written by `reflekt audit --format json`; ReflektError (exit 2) for
    a file that is missing, unreadable, too large, not JSON, or not such a report."""
    shown = printable(os.fspath(path))
    hint = "write one with: reflekt audit --source ID.DATABASE.SCHEMA --format json > audit.json"
    try:
        raw = read_regular(path, AUDIT_LIMIT)
    except UnreadableFileError as error:
        raise ReflektError(f"--with-audit {shown}: {error.message}", hint=hint) from None
    except OSError as error:
        raise ReflektError(
            f"--with-audit {shown}: cannot read the file ({error.strerror or error})", hint=hint
        ) from None
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ReflektError(f"--with-audit {shown}: not JSON ({error})", hint=hint) from None
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("findings"), list)
        or not isinstance(document.get("volume", []), list)
    ):
        raise ReflektError(
            f"--with-audit {shown}: not a `reflekt audit --format json` report "
            "(no `findings` list)",
            hint=hint,
        )
    audited = document.get("audited")
    return AuditData(
        source=str(document.get("source") or ""),
        since=str(document.get("since") or ""),
        until=str(document.get("until") or ""),
        audited=frozenset(a for a in audited if isinstance(a, str))
        if isinstance(audited, list)
        else frozenset(),
        findings=tuple(f for f in document["findings"] if isinstance(f, dict)),
        volume=tuple(v for v in document.get("volume", []) if isinstance(v, dict)),
    )
