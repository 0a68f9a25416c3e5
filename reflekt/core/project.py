"""Find, load and validate `reflekt_project.yml`.

The format is the seed's (reflekt 0.3.x README); every optional key has a default, and an
unknown key, a wrong type or a bad enum value is a ConfigError naming the key path and line.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reflekt.core.configcheck import ConfigChecker
from reflekt.core.errors import ConfigError, ProjectNotFoundError
from reflekt.core.yamlfile import KeyPath, load_yaml

PROJECT_FILE = "reflekt_project.yml"
DEFAULT_PROFILES_PATH = "~/.reflekt/reflekt_profiles.yml"
PROFILES_ENV_VAR = "REFLEKT_PROFILES_PATH"

CASINGS = ("title", "snake", "camel", "pascal", "snake_or_camel", "any")
DATA_TYPES = ("string", "integer", "number", "boolean", "object", "array", "any", "null")
SEVERITIES = ("error", "warning", "off")
TYPE_WIDENINGS = ("major", "minor")  # diff.type_widening: how a widened type is classified


@dataclass(frozen=True)
class NamingConvention:
    """How event or property names must look."""

    casing: str = "any"
    capitalize_camel: bool = True
    numbers: bool = False
    reserved: tuple[str, ...] = ()

    @property
    def effective_casing(self) -> str:
        """`camel` with `capitalize_camel: true` means PascalCase, as in the seed."""
        if self.casing == "camel" and self.capitalize_camel:
            return "pascal"
        return self.casing


@dataclass(frozen=True)
class Conventions:
    event: NamingConvention = field(default_factory=NamingConvention)
    property: NamingConvention = field(default_factory=NamingConvention)
    data_types: tuple[str, ...] = DATA_TYPES
    preset: str | None = None  # `conventions: snowplow` (or `preset: snowplow`)
    # how the preset classes a widened type when `diff.type_widening` is not set
    type_widening: str = "major"
    # `shared_definitions.min_events`: RF701 suggests a shared definition for a property
    # defined the same way in at least this many events.
    shared_min_events: int = 3


# `schemas.conventions: <preset>`: the conventions of a tracking ecosystem, by name.
# snowplow: Iglu schema names are snake_case (`link_click`, `add_to_cart`), properties
# camelCase or snake_case (`targetUrl`, `page_url`), digits allowed in both (`ua_parser`,
# `h1`); Snowplow names no reserved words. A widened type (`"string"` -> `["string",
# "null"]`) is an ADDITION in SchemaVer (every earlier event still fits), so the preset makes
# it MINOR unless `diff.type_widening` says otherwise.
CONVENTION_PRESETS: dict[str, Conventions] = {
    "snowplow": Conventions(
        event=NamingConvention(casing="snake", numbers=True),
        property=NamingConvention(casing="snake_or_camel", capitalize_camel=False, numbers=True),
        preset="snowplow",
        type_widening="minor",
    ),
}

SCHEMA_TEST_SEVERITIES = ("warn", "error", "off")


MATERIALIZATIONS = ("view", "table", "incremental")
# `artifacts.dbt.docs.columns`: which columns a model's docs YAML lists.
DOCS_COLUMNS = ("own", "all")
_LOOKBACK = re.compile(r"^\s*(\d{1,4})\s*(hour|day)s?\s*$", re.IGNORECASE)
MAX_LOOKBACK_HOURS = 366 * 24


@dataclass(frozen=True)
class Lookback:
    """`artifacts.dbt.models.lookback`: how far before the last loaded row an incremental
    run starts again (`3 days`, `12 hours`)."""

    count: int
    period: str  # hour | day (dbt.dateadd's date parts)

    def __str__(self) -> str:
        return f"{self.count} {self.period}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class AuditConfig:
    """`audit`: per-code severities (as `lint.rules`), and the violation rate a row check
    tolerates (`0.001`: up to one row in a thousand is not reported)."""

    rules: dict[str, str] = field(default_factory=dict)
    max_violation_rate: float = 0.0


@dataclass(frozen=True)
class LintIgnore:
    """One `lint.ignore` entry: rules switched off for some schemas (or one property of
    them), as reflekt 0.6's `self.lint: false` and a property's `lint: false` did in the file.

    `select` is a --select path (`segment/ecommerce/Legacy_Event`, a version, a plan);
    `rules` codes or names (empty: every rule); `property` a dotted property path (its
    nested properties too), or None for findings anywhere in the schema.
    """

    select: str
    rules: tuple[str, ...] = ()
    property: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class DbtConfig:
    """`artifacts.dbt` settings."""

    sources_prefix: str = "__src_"
    models_prefix: str = "stg_"
    models_filter: str = ""
    docs_prefix: str = "_stg_"
    docs_in_folder: bool = False
    docs_tests: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Severity of the tests derived from the schemas (`required`, `enum`, `pattern`...):
    # `warn` by default, since real data violates tracking plans and the warehouse should
    # say so without failing the run; `off` generates none.
    docs_schema_tests: str = "warn"
    # Which columns a model's docs YAML lists: `own` (the message id and any column with
    # tests, the event's properties, its metadata), since Segment's common columns are the
    # same in every model and are described once, in the package's docs blocks (a 1,000-event
    # package then parses in half the time); `all` lists every column with its `data_type`,
    # for `contract: {enforced: true}`.
    docs_columns: str = "own"
    # How the staging models materialize; `incremental` models reprocess `lookback` of
    # already loaded data each run, so late re-deliveries and late batches stay exact.
    models_materialized: str = "view"
    models_lookback: Lookback = field(default_factory=lambda: Lookback(3, "day"))


@dataclass(frozen=True)
class Project:
    """A loaded, validated Reflekt project."""

    root: Path
    name: str
    vendor: str
    default_profile: str
    version: float = 1.0
    profiles_path_setting: str | None = None
    conventions: Conventions = field(default_factory=Conventions)
    avo_branches: dict[str, str] = field(default_factory=lambda: {"main": "main"})
    dbt: DbtConfig = field(default_factory=DbtConfig)
    lint_rules: dict[str, str] = field(default_factory=dict)
    lint_ignores: tuple[LintIgnore, ...] = ()
    tui_bindings: dict[str, str] = field(default_factory=dict)
    diff_type_widening: str = "major"
    audit: AuditConfig = field(default_factory=lambda: AuditConfig())

    @property
    def config_path(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def schemas_dir(self) -> Path:
        return self.root / "schemas"

    @property
    def meta_schema_path(self) -> Path:
        return self.schemas_dir / ".reflekt" / "event-meta" / "1-0.json"

    @property
    def artifacts_dir(self) -> Path:
        return self.root / "artifacts"

    @property
    def logs_dir(self) -> Path:
        return self.root / ".logs"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".reflekt_cache"

    def profiles_path(self) -> Path:
        """Where the profiles file is: $REFLEKT_PROFILES_PATH, else `profiles_path`, else ~.

        A relative `profiles_path` is relative to the project root (the original resolved it
        against the working directory, so it broke when run from a sub-folder).
        """
        setting = os.environ.get(PROFILES_ENV_VAR) or self.profiles_path_setting
        path = Path(setting or DEFAULT_PROFILES_PATH).expanduser()
        if not path.is_absolute():
            base = Path.cwd() if os.environ.get(PROFILES_ENV_VAR) else self.root
            path = base / path
        return path


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder, from `start` upwards, that holds reflekt_project.yml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise ProjectNotFoundError(
        f"no {PROJECT_FILE} found in {here} or any parent folder",
        hint="run `reflekt init` to create a project, `reflekt demo` to try one, "
        "or pass --project-dir",
    )


def load_project(root: Path | None = None) -> Project:
    """Load the project at `root` (a folder) or find it from the working directory."""
    if root is None:
        root = find_project_root()
    else:
        root = root.expanduser().resolve()
        if root.is_file() and root.name == PROJECT_FILE:
            root = root.parent
        if not (root / PROJECT_FILE).is_file():
            raise ProjectNotFoundError(
                f"no {PROJECT_FILE} in {root}",
                hint="check --project-dir, or run `reflekt init --dir` there",
            )
    doc = load_yaml(root / PROJECT_FILE)
    return _parse_project(root, ConfigChecker(doc), doc.data)


_TOP_KEYS = (
    "version",
    "name",
    "vendor",
    "default_profile",
    "profiles_path",
    "schemas",
    "registry",
    "artifacts",
    "lint",
    "tui",
    "diff",
    "audit",
)


def _parse_project(root: Path, check: ConfigChecker, data: Any) -> Project:
    top = check.mapping((), data, _TOP_KEYS, required=("name", "default_profile"))
    version = check.number(("version",), top["version"]) if "version" in top else 1.0
    name = _label(check, ("name",), top["name"])
    vendor = _label(check, ("vendor",), top.get("vendor") or "com.example")
    default_profile = _label(check, ("default_profile",), top["default_profile"])
    conventions = _parse_conventions(check, top.get("schemas"))
    profiles_path = None
    if top.get("profiles_path") is not None:
        profiles_path = _label(check, ("profiles_path",), top["profiles_path"])
    return Project(
        root=root,
        name=name,
        vendor=vendor,
        default_profile=default_profile,
        version=version,
        profiles_path_setting=profiles_path,
        conventions=conventions,
        avo_branches=_parse_registry(check, top.get("registry")),
        dbt=_parse_dbt(check, top.get("artifacts")),
        lint_rules=_parse_lint(check, top.get("lint")),
        lint_ignores=_parse_lint_ignores(check, top.get("lint")),
        tui_bindings=_parse_tui(check, top.get("tui")),
        diff_type_widening=_parse_diff(check, top.get("diff")) or conventions.type_widening,
        audit=_parse_audit(check, top.get("audit")),
    )


def _label(check: ConfigChecker, key_path: KeyPath, value: Any) -> str:
    """A name or path written as text: not a number (`name: 123`), no control characters."""
    text = check.string(key_path, value, allow_empty=False, numbers=False)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise check.fail(key_path, "must not contain control characters (newline, tab, NUL...)")
    return text


_PREFIX_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
MAX_PREFIX_LENGTH = 64


def _prefix(check: ConfigChecker, key_path: tuple[str, ...], value: Any) -> str:
    """A dbt file/model name prefix: it becomes part of file names and model identifiers, so
    only ASCII letters, digits, `_` and `-` (no `/`, `..`, `\\`, dots, NUL, newlines)."""
    text = check.string(key_path, value, numbers=False)
    bad = sorted({char for char in text if char not in _PREFIX_CHARS})
    if bad:
        shown = ", ".join(repr(char) for char in bad)
        raise check.fail(
            key_path,
            f"{text!r} is not a safe prefix (it holds {shown})",
            hint="a prefix becomes part of file and model names: use letters, digits, '_' "
            "and '-' only, e.g. stg_",
        )
    if len(text) > MAX_PREFIX_LENGTH:
        raise check.fail(key_path, f"a prefix is at most {MAX_PREFIX_LENGTH} characters")
    return text


def _parse_naming(check: ConfigChecker, key_path: tuple[str, ...], value: Any) -> NamingConvention:
    section = check.mapping(key_path, value, ("casing", "capitalize_camel", "numbers", "reserved"))
    default = NamingConvention()
    return NamingConvention(
        casing=check.choice((*key_path, "casing"), section.get("casing", "any"), CASINGS),
        capitalize_camel=check.boolean(
            (*key_path, "capitalize_camel"), section.get("capitalize_camel", True)
        )
        if section.get("capitalize_camel") is not None
        else default.capitalize_camel,
        numbers=check.boolean((*key_path, "numbers"), section["numbers"])
        if section.get("numbers") is not None
        else default.numbers,
        reserved=check.string_list((*key_path, "reserved"), section.get("reserved")),
    )


def _parse_conventions(check: ConfigChecker, value: Any) -> Conventions:
    """`schemas.conventions`: a mapping, a preset's name (`snowplow`), or a mapping with
    `preset:` whose `event` / `property` / `data_types` replace the preset's."""
    schemas = check.mapping(("schemas",), value, ("conventions",))
    path = ("schemas", "conventions")
    raw = schemas.get("conventions")
    if isinstance(raw, str):
        return CONVENTION_PRESETS[check.choice(path, raw, tuple(CONVENTION_PRESETS))]
    conv = check.mapping(
        path, raw, ("preset", "event", "property", "data_types", "shared_definitions")
    )
    base = Conventions()
    if conv.get("preset") is not None:
        name = check.choice((*path, "preset"), conv["preset"], tuple(CONVENTION_PRESETS))
        base = CONVENTION_PRESETS[name]
    data_types: tuple[str, ...] = base.data_types
    if conv.get("data_types") is not None:
        data_types = check.string_list((*path, "data_types"), conv["data_types"])
        for index, data_type in enumerate(data_types):
            check.choice((*path, "data_types", index), data_type, DATA_TYPES)
    shared_path = (*path, "shared_definitions")
    shared = check.mapping(shared_path, conv.get("shared_definitions"), ("min_events",))
    min_events = base.shared_min_events
    if shared.get("min_events") is not None:
        min_events = check.integer((*shared_path, "min_events"), shared["min_events"])
        if min_events < 2:
            raise check.fail((*shared_path, "min_events"), "must be 2 or more")
    return Conventions(
        event=_parse_naming(check, (*path, "event"), conv["event"])
        if conv.get("event") is not None
        else base.event,
        property=_parse_naming(check, (*path, "property"), conv["property"])
        if conv.get("property") is not None
        else base.property,
        data_types=data_types,
        preset=base.preset,
        type_widening=base.type_widening,
        shared_min_events=min_events,
    )


def _parse_registry(check: ConfigChecker, value: Any) -> dict[str, str]:
    registry = check.mapping(("registry",), value, ("avo", "segment"))
    check.mapping(("registry", "segment"), registry.get("segment"), ())
    avo = check.mapping(("registry", "avo"), registry.get("avo"), ("branches",))
    branches_path = ("registry", "avo", "branches")
    raw = check.mapping(branches_path, avo.get("branches"), allowed=None)
    branches = {"main": "main"}
    for name, branch_id in raw.items():
        branches[str(name)] = check.string(
            (*branches_path, str(name)), branch_id, allow_empty=False
        )
    return branches


def _parse_dbt(check: ConfigChecker, value: Any) -> DbtConfig:
    artifacts = check.mapping(("artifacts",), value, ("dbt",))
    path = ("artifacts", "dbt")
    dbt = check.mapping(path, artifacts.get("dbt"), ("sources", "models", "docs"))
    sources = check.mapping((*path, "sources"), dbt.get("sources"), ("prefix",))
    models = check.mapping(
        (*path, "models"), dbt.get("models"), ("prefix", "filter", "materialized", "lookback")
    )
    docs = check.mapping(
        (*path, "docs"),
        dbt.get("docs"),
        ("prefix", "in_folder", "tests", "schema_tests", "columns"),
    )
    default = DbtConfig()
    tests_path = (*path, "docs", "tests")
    raw_tests = check.mapping(tests_path, docs.get("tests"), allowed=None)
    tests: dict[str, tuple[str, ...]] = {}
    for column, column_tests in raw_tests.items():
        tests[str(column)] = _parse_test_list(check, (*tests_path, str(column)), column_tests)

    def text(section: Any, key: str, fallback: str, where: tuple[str, ...]) -> str:
        if section.get(key) is None:
            return fallback
        return check.string((*where, key), section[key])

    def prefix(section: Any, fallback: str, where: tuple[str, ...]) -> str:
        if section.get("prefix") is None:
            return fallback
        return _prefix(check, (*where, "prefix"), section["prefix"])

    in_folder = docs.get("in_folder")
    schema_tests = docs.get("schema_tests")
    if schema_tests is False:  # YAML reads a bare `off` as false
        schema_tests = "off"
    return DbtConfig(
        sources_prefix=prefix(sources, default.sources_prefix, (*path, "sources")),
        models_prefix=prefix(models, default.models_prefix, (*path, "models")),
        models_filter=text(models, "filter", "", (*path, "models")).strip(),
        docs_prefix=prefix(docs, default.docs_prefix, (*path, "docs")),
        docs_in_folder=check.boolean((*path, "docs", "in_folder"), in_folder)
        if in_folder is not None
        else False,
        docs_tests=tests,
        docs_schema_tests=default.docs_schema_tests
        if schema_tests is None
        else check.choice((*path, "docs", "schema_tests"), schema_tests, SCHEMA_TEST_SEVERITIES),
        docs_columns=default.docs_columns
        if docs.get("columns") is None
        else check.choice((*path, "docs", "columns"), docs["columns"], DOCS_COLUMNS),
        models_materialized=default.models_materialized
        if models.get("materialized") is None
        else check.choice(
            (*path, "models", "materialized"), models["materialized"], MATERIALIZATIONS
        ),
        models_lookback=default.models_lookback
        if models.get("lookback") is None
        else _lookback(check, (*path, "models", "lookback"), models["lookback"]),
    )


def _lookback(check: ConfigChecker, key_path: tuple[str, ...], value: Any) -> Lookback:
    """`3 days`, `1 day`, `12 hours` (a bare number counts days)."""
    text = f"{value} days" if isinstance(value, int) and not isinstance(value, bool) else value
    match = _LOOKBACK.match(text) if isinstance(text, str) else None
    if match is None:
        raise check.fail(
            key_path,
            f"{value!r} is not a lookback",
            hint="write a number of days or hours, e.g. `3 days` or `12 hours`",
        )
    lookback = Lookback(int(match.group(1)), match.group(2).lower())
    hours = lookback.count * (24 if lookback.period == "day" else 1)
    if not 0 < hours <= MAX_LOOKBACK_HOURS:
        raise check.fail(key_path, f"{value!r}: a lookback is from 1 hour to 366 days")
    return lookback


def _parse_test_list(check: ConfigChecker, key_path: tuple[str, ...], value: Any) -> tuple:
    """dbt generic tests: names (`unique`) or one-key mappings (`accepted_values: {...}`)."""
    if not isinstance(value, list):
        raise check.fail(key_path, "expected a list of dbt tests, e.g. [unique, not_null]")
    for index, item in enumerate(value):
        if isinstance(item, str):
            continue
        if isinstance(item, dict) and len(item) == 1:
            continue
        raise check.fail((*key_path, index), "a dbt test is a name or a one-key mapping")
    return tuple(value)


def _parse_lint(check: ConfigChecker, value: Any) -> dict[str, str]:
    lint = check.mapping(("lint",), value, _LINT_KEYS)
    rules = check.mapping(("lint", "rules"), lint.get("rules"), allowed=None)
    parsed: dict[str, str] = {}
    for rule, severity in rules.items():
        key_path = ("lint", "rules", str(rule))
        if severity is False:  # YAML reads a bare `off` as false
            severity = "off"
        parsed[str(rule)] = check.choice(key_path, severity, SEVERITIES)
    return parsed


_LINT_KEYS = ("rules", "ignore")
_IGNORE_KEYS = ("select", "rules", "property", "reason")


def _parse_lint_ignores(check: ConfigChecker, value: Any) -> tuple[LintIgnore, ...]:
    """`lint.ignore`: a list of {select, rules?, property?, reason?} (rule names are checked
    against the rule registry by the lint engine, which knows them)."""
    lint = check.mapping(("lint",), value, _LINT_KEYS)
    raw = lint.get("ignore")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise check.fail(("lint", "ignore"), "expected a list of {select, rules, property}")
    parsed: list[LintIgnore] = []
    for index, item in enumerate(raw):
        key_path = ("lint", "ignore", index)
        entry = check.mapping(key_path, item, _IGNORE_KEYS, required=("select",))
        prop = entry.get("property")
        parsed.append(
            LintIgnore(
                select=_label(check, (*key_path, "select"), entry["select"]),
                rules=check.string_list((*key_path, "rules"), entry.get("rules")),
                property=None if prop is None else _label(check, (*key_path, "property"), prop),
                reason=check.string((*key_path, "reason"), entry.get("reason") or ""),
            )
        )
    return tuple(parsed)


def _parse_tui(check: ConfigChecker, value: Any) -> dict[str, str]:
    tui = check.mapping(("tui",), value, ("bindings",))
    bindings = check.mapping(("tui", "bindings"), tui.get("bindings"), allowed=None)
    return {
        str(binding_id): check.string(("tui", "bindings", str(binding_id)), keys, allow_empty=False)
        for binding_id, keys in bindings.items()
    }


def _parse_diff(check: ConfigChecker, value: Any) -> str | None:
    """`diff.type_widening`; None when not set (the conventions' preset decides)."""
    diff = check.mapping(("diff",), value, ("type_widening",))
    if "type_widening" not in diff:
        return None
    return check.choice(("diff", "type_widening"), diff["type_widening"], TYPE_WIDENINGS)


def _parse_audit(check: ConfigChecker, value: Any) -> AuditConfig:
    audit = check.mapping(("audit",), value, ("rules", "max_violation_rate"))
    rules = check.mapping(("audit", "rules"), audit.get("rules"), allowed=None)
    parsed: dict[str, str] = {}
    for code, severity in rules.items():
        if severity is False:  # YAML reads a bare `off` as false
            severity = "off"
        parsed[str(code)] = check.choice(("audit", "rules", str(code)), severity, SEVERITIES)
    rate = audit.get("max_violation_rate", 0)
    key_path = ("audit", "max_violation_rate")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
        raise check.fail(key_path, f"{rate!r} is not a rate from 0 to 1 (e.g. 0.001)")
    return AuditConfig(parsed, float(rate))


def validate_rule_names(project: Project, known: dict[str, str]) -> None:
    """Check that `lint.rules` names known rules; `known` maps codes and names to codes."""
    for rule in project.lint_rules:
        if rule not in known:
            raise ConfigError(
                f"lint.rules: unknown rule '{rule}'",
                file=project.config_path,
                hint="`reflekt lint --list-rules` shows the codes and names",
            )
