"""Health checks behind `reflekt debug`: project, profile, meta-schema, connections."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from reflekt.core.errors import EXIT_EXTERNAL, EXIT_OK, EXIT_USAGE, ReflektError
from reflekt.core.profiles import Profile, load_profile
from reflekt.core.project import Project
from reflekt.core.secrets import redact


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    exit_code: int = EXIT_OK
    hint: str | None = None


@dataclass
class DebugReport:
    checks: list[CheckResult] = field(default_factory=list)
    profile: Profile | None = None

    @property
    def exit_code(self) -> int:
        return max((check.exit_code for check in self.checks), default=EXIT_OK)

    def add(self, name: str, action: Callable[[], str]) -> bool:
        """Run one check; a ReflektError becomes a failed result, not an exception."""
        try:
            detail = action()
        except ReflektError as error:
            self.checks.append(
                CheckResult(name, False, redact(str(error)), error.exit_code, error.hint)
            )
            return False
        self.checks.append(CheckResult(name, True, detail))
        return True


def check_meta_schema(project: Project) -> str:
    """The meta-schema exists, is JSON, and is itself a valid schema of Reflekt's dialect
    (draft-07 plus `any`, as lint reads it)."""
    from reflekt.core.readfile import UnreadableFileError, read_regular
    from reflekt.core.schemas import parse_schema_text

    path = project.meta_schema_path
    try:
        text = read_regular(path).decode("utf-8")  # a FIFO or /dev/zero: no hang
    except FileNotFoundError:
        raise ReflektError(
            f"meta-schema not found: {path}",
            hint="restore schemas/.reflekt/event-meta/1-0.json (`reflekt init` writes the default)",
        ) from None
    except UnreadableFileError as exc:
        raise ReflektError(exc.message, file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReflektError(f"cannot read the meta-schema: {exc}", file=path) from None
    body, problems = parse_schema_text(text)
    if problems:
        problem = problems[0]
        raise ReflektError(problem.message, file=path, line=problem.line, column=problem.column)
    if body is None:
        raise ReflektError("the meta-schema is not a JSON object", file=path)
    import jsonschema

    from reflekt.core.lint.meta import draft7_metaschema

    # Reflekt's dialect, as lint reads it: draft-07 plus the `any` type.
    dialect = jsonschema.Draft7Validator(
        draft7_metaschema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(dialect.iter_errors(body))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ReflektError(
            f"not a valid draft-07 JSON Schema at {where}: {error.message}", file=path
        ) from None
    from reflekt.core.lint.meta import load_meta_schema

    load_meta_schema(path)  # and compiles as lint compiles it (ConfigError otherwise)
    required = (body.get("properties", {}).get("metadata") or {}).get("required") or []
    return f"{path.relative_to(project.root)} ok" + (
        f" (requires metadata: {', '.join(map(str, required))})" if required else ""
    )


def run_debug(project: Project, profile_name: str | None, connect: bool) -> DebugReport:
    """Check the project, the profile (and, with `connect`, each registry and source)."""
    report = DebugReport()
    report.add("project", lambda: f"{project.name} at {project.root}")
    report.add("meta-schema", lambda: check_meta_schema(project))

    def profile_check() -> str:
        report.profile = load_profile(project, profile_name)
        profile = report.profile
        return (
            f"'{profile.name}' from {profile.path}: {len(profile.registries)} registr"
            f"{'y' if len(profile.registries) == 1 else 'ies'}, {len(profile.sources)} source(s)"
        )

    if not report.add("profile", profile_check) or not connect or report.profile is None:
        return report
    for registry in report.profile.registries:
        report.add(f"registry {registry.type}", partial(_check_registry, registry))
    for source in report.profile.sources:
        report.add(f"source {source.id}", partial(_check_source, source))
    return report


def _check_registry(registry) -> str:
    from reflekt.core.registries import check_registry

    return check_registry(registry)


def _check_source(source) -> str:
    from reflekt.core.warehouse import check_source

    return check_source(source)


def describe_registry(registry) -> dict[str, str]:
    """Printable settings of a registry (secrets masked)."""
    return {
        key: str(value)
        for key, value in vars(registry).items()
        if key != "type" and value is not None
    }


def json_dump(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


__all__ = ["EXIT_EXTERNAL", "EXIT_USAGE", "CheckResult", "DebugReport", "run_debug"]
