"""`{{ env_var('NAME') }}` and `{{ env_var('NAME', 'default') }}` in profile values.

Only these two forms are understood. Anything else that looks like a template (`| upper`,
an unquoted name, `~` concatenation, another function) is a config error rather than a
literal token silently sent to a registry as a password. Checking the form and reading the
variable are separate steps, so a profile can be checked whole while a variable is read
only by the command that needs it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from reflekt.core.errors import ConfigError

_CALL = re.compile(
    r"\{\{\s*env_var\(\s*(?P<quote>['\"])(?P<name>(?:(?!(?P=quote)).)*)(?P=quote)\s*"
    r"(?:,\s*(?P<dquote>['\"])(?P<default>(?:(?!(?P=dquote)).)*)(?P=dquote)\s*)?\)\s*\}\}",
    re.DOTALL,
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_OPENER = re.compile(r"\{\{|\{%|\{#")
_FORMS = "{{ env_var('NAME') }} or {{ env_var('NAME', 'default') }}"


@dataclass(frozen=True)
class Where:
    """Where a value was written, for error messages."""

    key: str
    file: Path
    line: int | None
    secret: bool = False


class MissingEnvVarError(ConfigError):
    """A profile value reads an environment variable that is not set (and has no default)."""

    def __init__(self, name: str, where: Where) -> None:
        super().__init__(
            f"{where.key}: environment variable '{name}' is not set",
            file=where.file,
            line=where.line,
            hint=f"export {name}=... or give a default: {{{{ env_var('{name}', '...') }}}}",
        )
        self.name = name


@dataclass(frozen=True)
class Template:
    """A checked profile value: literal text with env_var() calls in it."""

    text: str
    where: Where

    def resolve(self) -> str:
        """The value with each call replaced; MissingEnvVarError if a variable is unset."""

        def substitute(match: re.Match[str]) -> str:
            name = match.group("name")
            if name in os.environ:
                return os.environ[name]
            if match.group("default") is not None:
                return match.group("default")
            raise MissingEnvVarError(name, self.where)

        return _CALL.sub(substitute, self.text)


def parse_template(text: str, where: Where) -> Template:
    """Check that every `{{`, `{%` and `{#` in `text` opens a well-formed env_var() call."""
    covered: list[tuple[int, int]] = []
    for match in _CALL.finditer(text):
        name = match.group("name")
        if not _NAME.match(name):
            problem = (
                "env_var('') names no variable"
                if not name.strip()
                else f"'{name}' is not an environment variable name (letters, digits, _)"
            )
            raise _bad(where, problem)
        covered.append(match.span())
    for opener in _OPENER.finditer(text):
        if not any(start <= opener.start() < end for start, end in covered):
            raise _bad(where, _diagnose(text[opener.start() :], where))
    return Template(text, where)


def _diagnose(rest: str, where: Where) -> str:
    """Say what is wrong with the template starting at `rest`, without echoing secrets."""
    end = rest.find("}}")
    fragment = rest[: end + 2] if end >= 0 else rest
    if re.match(r"\{\{\s*env_var\(\s*[A-Za-z_]", fragment):
        reason = "the variable name must be quoted: env_var('NAME')"
    elif re.match(r"\{\{\s*env_var\(\s*\)", fragment):
        reason = "env_var() names no variable"
    elif re.match(r"\{\{\s*env_var\(", fragment) and "|" in fragment:
        reason = "filters (`| upper`, ...) are not supported"
    elif re.match(r"\{\{\s*env_var\(", fragment):
        reason = "only a plain env_var(...) call is understood (no `~`, `+` or other expressions)"
    elif end < 0 and rest.startswith("{{"):
        reason = "'{{' is never closed with '}}'"
    else:
        reason = "only env_var(...) is understood"
    if where.secret or len(fragment) > 80:
        return f"unrecognised template: {reason}"
    return f"unrecognised template {fragment!r}: {reason}"


def _bad(where: Where, problem: str) -> ConfigError:
    return ConfigError(
        f"{where.key}: {problem}",
        file=where.file,
        line=where.line,
        hint=f"write {_FORMS}; a value that really holds '{{{{' can be read from an "
        "environment variable",
    )
