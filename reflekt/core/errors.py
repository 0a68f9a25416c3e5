"""The ReflektError tree: every expected failure, with a user-facing message and exit code.

The CLI shows `str(error)` (and the hint) and exits with `error.exit_code`; the TUI shows the
same text in a notification. No expected failure should ever reach the user as a traceback.

The tree (exit code in brackets; a subclass keeps its parent's unless it says otherwise):

    ReflektError [2]
      ConfigError, ProjectNotFoundError      reflekt_project.yml / reflekt_profiles.yml
      SelectError                            --select / --source / --against
      SchemaFileError                        a schema file that cannot be read or parsed
      RuleTypeError                          metadata.segment_rule_type Segment does not know
      DbtRunError                            dbt missing, or not runnable against the source
      PushRefusedError [1]                   lint errors in what a push would send
      RegistryError [3]                      a registry refused or failed a request
        RegistryAuthError                    HTTP 401/403
        AnswerShapeError                     an answer that breaks the documented shape
        RegistryNotFoundError                HTTP 404
          PlanNotFoundError                  no Segment tracking plan of that name
        SchemaPublishedError                 an Iglu version already published, other content
      WarehouseError [3]                     a warehouse could not be reached or queried

Every error class lives here, so a front end maps all of them from one import.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_EXTERNAL = 3


class ReflektError(Exception):
    """Base of all expected failures. `file`/`line` locate the problem when there is one."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column

    @property
    def location(self) -> str | None:
        """`file:line:column`, as far as known."""
        if self.file is None:
            return None
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        location = self.location
        return f"{location}: {self.message}" if location else self.message


class ConfigError(ReflektError):
    """A problem in reflekt_project.yml or reflekt_profiles.yml."""


class ProjectNotFoundError(ConfigError):
    """No reflekt_project.yml in the working directory or any parent."""


class SelectError(ReflektError):
    """A --select or --source that matches nothing or is malformed."""


class SchemaFileError(ReflektError):
    """A schema file that cannot be read or parsed."""


class RegistryError(ReflektError):
    """A schema registry (Segment, Avo, Iglu) refused or failed a request.

    `status` and `body`: the HTTP status and decoded answer when the registry answered.
    """

    exit_code = EXIT_EXTERNAL
    status: int | None = None
    body: object = None


class WarehouseError(ReflektError):
    """A warehouse could not be reached or queried."""

    exit_code = EXIT_EXTERNAL


class RegistryNotFoundError(RegistryError):
    """HTTP 404: the plan, branch or workspace does not exist."""


class RegistryAuthError(RegistryError):
    """HTTP 401/403: the registry rejected the credentials."""


class AnswerShapeError(RegistryError):
    """A registry answer that breaks the registry's documented shape."""


class PlanNotFoundError(RegistryNotFoundError):
    """No Segment tracking plan of that name: an error for pull, an empty plan for diff."""


class SchemaPublishedError(RegistryError):
    """An Iglu schema version is published with other content: versions are immutable."""


class PushRefusedError(ReflektError):
    """Push refused because the selection has lint errors (exit 1, like lint findings)."""

    exit_code = EXIT_FINDINGS


class RuleTypeError(ReflektError):
    """`metadata.segment_rule_type` holds something Segment does not know."""


class DbtRunError(ReflektError):
    """dbt is not installed, or cannot run against this kind of source."""


class DbtCancelledError(DbtRunError):
    """A running dbt was stopped on request (the TUI closed the wizard or quit)."""
