"""Load `reflekt_profiles.yml`: registries and warehouse sources of one profile.

Values may be `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') }}`. Secrets
(tokens, passwords) are wrapped in `Secret` so they print masked everywhere.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reflekt.core.configcheck import ConfigChecker
from reflekt.core.errors import ConfigError
from reflekt.core.project import Project
from reflekt.core.secrets import Secret
from reflekt.core.yamlfile import YamlDocument, load_yaml

SEGMENT_API_URL = "https://api.segmentapis.com"
AVO_API_URL = "https://api.avo.app"

SECRET_KEYS = frozenset({"api_token", "service_account_secret", "password", "private_key"})

# Keys each source type takes: (required, optional).
SOURCE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "duckdb": (("path",), ()),
    "postgres": (("host", "database", "user"), ("port", "password", "sslmode")),
    "redshift": (("host", "database", "user"), ("port", "password", "sslmode")),
    "snowflake": (
        ("account", "user"),
        ("password", "role", "warehouse", "database", "authenticator"),
    ),
}
DEFAULT_PORTS = {"postgres": 5432, "redshift": 5439}

_ENV_VAR = re.compile(
    r"\{\{\s*env_var\(\s*(['\"])(?P<name>[^'\"]+)\1\s*(?:,\s*(['\"])(?P<default>[^'\"]*)\3\s*)?\)\s*\}\}"
)


@dataclass(frozen=True)
class SegmentRegistryConfig:
    api_token: Secret
    api_url: str = SEGMENT_API_URL
    type: str = "segment"


@dataclass(frozen=True)
class AvoRegistryConfig:
    workspace_id: str
    service_account_name: str
    service_account_secret: Secret
    api_url: str = AVO_API_URL
    type: str = "avo"


RegistryConfig = SegmentRegistryConfig | AvoRegistryConfig


@dataclass(frozen=True)
class SourceConfig:
    """A warehouse connection. `settings` holds the type's keys (secrets as Secret)."""

    id: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    def masked(self) -> dict[str, Any]:
        """Settings safe to print."""
        return {key: str(value) for key, value in self.settings.items()}


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    registries: tuple[RegistryConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()

    def registry(self, registry_type: str) -> RegistryConfig:
        for registry in self.registries:
            if registry.type == registry_type:
                return registry
        raise ConfigError(
            f"profile '{self.name}' has no {registry_type} registry",
            file=self.path,
            hint=f"add a `- type: {registry_type}` item under `{self.name}.registry`",
        )

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise ConfigError(
            f"profile '{self.name}' has no source with id '{source_id}' (sources: {known})",
            file=self.path,
        )


def interpolate_env(value: str, key_path: str, path: Path, line: int | None) -> str:
    """Replace `{{ env_var('NAME'[, 'default']) }}` with the variable's value."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("name")
        if name in os.environ:
            return os.environ[name]
        if match.group("default") is not None:
            return match.group("default")
        raise ConfigError(
            f"{key_path}: environment variable '{name}' is not set",
            file=path,
            line=line,
            hint=f"export {name}=... or give a default: {{{{ env_var('{name}', '...') }}}}",
        )

    return _ENV_VAR.sub(substitute, value)


def load_profile(project: Project, profile_name: str | None = None) -> Profile:
    """Load the profile named `profile_name` (default: the project's default_profile)."""
    path = project.profiles_path()
    if not path.is_file():
        raise ConfigError(
            f"profiles file not found: {path}",
            hint="create it (`reflekt init` writes an example), set profiles_path in "
            "reflekt_project.yml, or set REFLEKT_PROFILES_PATH",
        )
    doc = load_yaml(path)
    return parse_profile(doc, profile_name or project.default_profile, base_dir=path.parent)


def list_profiles(doc: YamlDocument) -> list[str]:
    data = doc.data if isinstance(doc.data, dict) else {}
    return [str(key) for key in data if key != "version"]


def parse_profile(doc: YamlDocument, profile_name: str, base_dir: Path) -> Profile:
    check = ConfigChecker(doc)
    top = check.mapping((), doc.data, allowed=None)
    if "version" in top:
        check.number(("version",), top["version"])
    if profile_name not in top or profile_name == "version":
        names = ", ".join(list_profiles(doc)) or "none"
        raise ConfigError(
            f"profile '{profile_name}' not found (profiles in the file: {names})",
            file=doc.path,
            hint="choose one with --profile, or change default_profile in reflekt_project.yml",
        )
    section = check.mapping(
        (profile_name,), top[profile_name], ("registry", "source", "do_not_track")
    )
    registries = _parse_registries(check, doc, profile_name, section.get("registry"))
    sources = _parse_sources(check, doc, profile_name, section.get("source"), base_dir)
    return Profile(name=profile_name, path=doc.path, registries=registries, sources=sources)


def _resolved(check: ConfigChecker, doc: YamlDocument, key_path: tuple, value: Any) -> str:
    text = check.string(key_path, value)
    return interpolate_env(text, ".".join(map(str, key_path)), doc.path, doc.line_of(key_path))


def _parse_registries(
    check: ConfigChecker, doc: YamlDocument, profile: str, value: Any
) -> tuple[RegistryConfig, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise check.fail((profile, "registry"), "expected a list of registries (`- type: ...`)")
    registries: list[RegistryConfig] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        key_path = (profile, "registry", index)
        raw = check.mapping(key_path, item, ("type", *_REGISTRY_KEYS_ALL))
        kind = check.choice((*key_path, "type"), raw.get("type"), ("segment", "avo"))
        if kind in seen:
            raise check.fail(key_path, f"a second {kind} registry; one of each type is allowed")
        seen.add(kind)
        if kind == "segment":
            raw = check.mapping(key_path, raw, ("type", "api_token", "api_url"), ("api_token",))
            registries.append(
                SegmentRegistryConfig(
                    api_token=Secret(
                        _resolved(check, doc, (*key_path, "api_token"), raw["api_token"])
                    ),
                    api_url=_url(check, doc, key_path, raw, SEGMENT_API_URL),
                )
            )
        else:
            keys = ("workspace_id", "service_account_name", "service_account_secret")
            raw = check.mapping(key_path, raw, ("type", "api_url", *keys), keys)
            registries.append(
                AvoRegistryConfig(
                    workspace_id=_resolved(
                        check, doc, (*key_path, "workspace_id"), raw["workspace_id"]
                    ),
                    service_account_name=_resolved(
                        check, doc, (*key_path, "service_account_name"), raw["service_account_name"]
                    ),
                    service_account_secret=Secret(
                        _resolved(
                            check,
                            doc,
                            (*key_path, "service_account_secret"),
                            raw["service_account_secret"],
                        )
                    ),
                    api_url=_url(check, doc, key_path, raw, AVO_API_URL),
                )
            )
    return tuple(registries)


_REGISTRY_KEYS_ALL = (
    "api_token",
    "api_url",
    "workspace_id",
    "service_account_name",
    "service_account_secret",
)


def _url(check: ConfigChecker, doc: YamlDocument, key_path: tuple, raw: Any, default: str) -> str:
    if raw.get("api_url") is None:
        return default
    url = _resolved(check, doc, (*key_path, "api_url"), raw["api_url"]).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise check.fail((*key_path, "api_url"), f"'{url}' is not an http(s) URL")
    return url


def _parse_sources(
    check: ConfigChecker, doc: YamlDocument, profile: str, value: Any, base_dir: Path
) -> tuple[SourceConfig, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise check.fail((profile, "source"), "expected a list of sources (`- type: ...`)")
    sources: list[SourceConfig] = []
    for index, item in enumerate(value):
        key_path = (profile, "source", index)
        raw = check.mapping(key_path, item, allowed=None)
        kind = check.choice((*key_path, "type"), raw.get("type"), tuple(SOURCE_KEYS))
        required, optional = SOURCE_KEYS[kind]
        raw = check.mapping(key_path, raw, ("type", "id", *required, *optional), required)
        source_id = kind
        if raw.get("id") is not None:
            source_id = check.string((*key_path, "id"), raw["id"], allow_empty=False)
            if "." in source_id:
                raise check.fail((*key_path, "id"), "a source id cannot contain '.'")
        if any(s.id == source_id for s in sources):
            raise check.fail(
                key_path,
                f"duplicate source id '{source_id}'",
                hint="give each source a unique `id:` (it defaults to the type)",
            )
        settings: dict[str, Any] = {}
        for key in (*required, *optional):
            if raw.get(key) is None:
                continue
            if key == "port":
                settings[key] = check.integer((*key_path, key), raw[key])
                continue
            text = _resolved(check, doc, (*key_path, key), raw[key])
            settings[key] = Secret(text) if key in SECRET_KEYS else text
        if kind in DEFAULT_PORTS:
            settings.setdefault("port", DEFAULT_PORTS[kind])
        if kind == "duckdb":
            db_path = Path(settings["path"]).expanduser()
            settings["path"] = str(db_path if db_path.is_absolute() else base_dir / db_path)
        sources.append(SourceConfig(id=source_id, type=kind, settings=settings))
    return tuple(sources)
