"""Load `reflekt_profiles.yml`: registries and warehouse sources of one profile.

Values may be `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') }}`. Secrets
(tokens, passwords) are wrapped in `Secret` so they print masked everywhere.

The whole profile is checked when it loads, but an unset variable only stops the commands
that use the registry or source needing it: `build dbt` never needs the Segment token, and
`pull` never needs the warehouse password. Such an item is kept as `Unavailable` and its
error raised by `Profile.registry()` / `Profile.source()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reflekt.core.configcheck import ConfigChecker, dotted
from reflekt.core.envvars import MissingEnvVarError, Where, parse_template
from reflekt.core.errors import ConfigError
from reflekt.core.project import Project
from reflekt.core.secrets import MASK, Secret
from reflekt.core.yamlfile import YamlDocument, load_yaml

SEGMENT_API_URL = "https://api.segmentapis.com"
AVO_API_URL = "https://api.avo.app"

SECRET_KEYS = frozenset(
    {"api_token", "service_account_secret", "password", "private_key", "keyfile_json"}
)

# Keys each source type takes: (required, optional).
SOURCE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "duckdb": (("path",), ()),
    "postgres": (("host", "database", "user"), ("port", "password", "sslmode")),
    "redshift": (("host", "database", "user"), ("port", "password", "sslmode")),
    "snowflake": (
        ("account", "user"),
        ("password", "role", "warehouse", "database", "authenticator"),
    ),
    # Credentials as dbt-bigquery takes them (`method`); `api_endpoint` points the client
    # at a BigQuery emulator or a private endpoint (with `method: anonymous`).
    "bigquery": (
        ("project",),
        (
            "dataset",
            "location",
            "method",
            "keyfile",
            "keyfile_json",
            "maximum_bytes_billed",
            "api_endpoint",
        ),
    ),
}
# `method` of a bigquery source, and the key each one needs.
BIGQUERY_METHODS: dict[str, str | None] = {
    "oauth": None,  # application default credentials
    "service-account": "keyfile",
    "service-account-json": "keyfile_json",
    "anonymous": None,  # an emulator (with `api_endpoint`)
}
DEFAULT_PORTS = {"postgres": 5432, "redshift": 5439}


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


@dataclass(frozen=True)
class IgluRegistryConfig:
    """An Iglu registry: a static one (files over HTTP) or an Iglu Server (`url` ending in
    `/api`, as in Snowplow resolver configs). `api_key` is sent as the `apikey` header;
    `listing` names a file under `url` listing the schemas, for a file server that gives
    no folder listing (S3, GCS)."""

    url: str
    api_key: Secret | None = None
    listing: str | None = None
    type: str = "iglu"

    @property
    def api_url(self) -> str:
        """The base URL, under the name the other registries give it (the TUI shows its host)."""
        return self.url

    @property
    def is_server(self) -> bool:
        return urlsplit(self.url).path.rstrip("/").endswith("/api")


RegistryConfig = SegmentRegistryConfig | AvoRegistryConfig | IgluRegistryConfig


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
class Unavailable:
    """A registry (`kind` "registry", `name` its type) or source (`name` its id) that reads
    an environment variable that is not set: `error` is raised when it is used."""

    kind: str
    name: str
    type: str
    error: ConfigError


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    registries: tuple[RegistryConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()

    def _raise_if_unavailable(self, kind: str, name: str) -> None:
        for item in self.unavailable:
            if item.kind == kind and item.name == name:
                raise item.error

    def registry(self, registry_type: str) -> RegistryConfig:
        self._raise_if_unavailable("registry", registry_type)
        for registry in self.registries:
            if registry.type == registry_type:
                return registry
        raise ConfigError(
            f"profile '{self.name}' has no {registry_type} registry",
            file=self.path,
            hint=f"add a `- type: {registry_type}` item under `{self.name}.registry`",
        )

    def source(self, source_id: str) -> SourceConfig:
        self._raise_if_unavailable("source", source_id)
        for source in self.sources:
            if source.id == source_id:
                return source
        ids = [s.id for s in self.sources]
        ids += [item.name for item in self.unavailable if item.kind == "source"]
        known = ", ".join(ids) or "none"
        raise ConfigError(
            f"profile '{self.name}' has no source with id '{source_id}' (sources: {known})",
            file=self.path,
        )


def interpolate_env(
    value: str, key_path: str, path: Path, line: int | None, *, secret: bool = False
) -> str:
    """Replace `{{ env_var('NAME'[, 'default']) }}` with the variable's value.

    ConfigError for any other template form; MissingEnvVarError (a ConfigError) for an
    unset variable without default.
    """
    return parse_template(value, Where(key_path, path, line, secret)).resolve()


def load_profile(project: Project, profile_name: str | None = None) -> Profile:
    """Load the profile named `profile_name` (default: the project's default_profile)."""
    path = project.profiles_path()
    if not path.exists():  # a folder or device is load_yaml's to refuse, by name
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
    # `2024:` is read as a number, default_profile and --profile are text
    key = next((k for k in top if k == profile_name or str(k) == profile_name), None)
    if key is None or profile_name == "version":
        names = ", ".join(list_profiles(doc)) or "none"
        raise ConfigError(
            f"profile '{profile_name}' not found (profiles in the file: {names})",
            file=doc.path,
            hint="choose one with --profile, or change default_profile in reflekt_project.yml",
        )
    section = check.mapping((profile_name,), top[key], ("registry", "source", "do_not_track"))
    unavailable: list[Unavailable] = []
    registries = _parse_registries(check, doc, profile_name, section.get("registry"), unavailable)
    sources = _parse_sources(check, doc, profile_name, section.get("source"), base_dir, unavailable)
    return Profile(
        name=profile_name,
        path=doc.path,
        registries=registries,
        sources=sources,
        unavailable=tuple(unavailable),
    )


class _Values:
    """Reads the values of one registry or source: the form of every value is checked now,
    but an unset variable is remembered (`missing`) instead of raised."""

    def __init__(self, check: ConfigChecker, doc: YamlDocument) -> None:
        self.check = check
        self.doc = doc
        self.missing: list[MissingEnvVarError] = []

    def text(self, key_path: tuple, value: Any, *, secret: bool = False) -> str | None:
        """The resolved value; None when it reads an unset variable."""
        raw = self.check.string(key_path, value)
        where = Where(dotted(key_path), self.doc.path, self.doc.line_of(key_path), secret)
        template = parse_template(raw, where)
        try:
            return template.resolve()
        except MissingEnvVarError as error:
            self.missing.append(error)
            return None

    def secret(self, key_path: tuple, value: Any) -> Secret:
        resolved = self.text(key_path, value, secret=True)
        return Secret(resolved if resolved is not None else "")

    def unavailable(self, kind: str, name: str, type_: str) -> Unavailable | None:
        if not self.missing:
            return None
        first = self.missing[0]
        users = (
            f"pull, push and diff against {name} need it"
            if kind == "registry"
            else f"build dbt --source {name}.<database>.<schema> needs it"
        )
        error = ConfigError(
            first.message, file=first.file, line=first.line, hint=f"{first.hint} (only {users})"
        )
        return Unavailable(kind=kind, name=name, type=type_, error=error)


def _parse_registries(
    check: ConfigChecker,
    doc: YamlDocument,
    profile: str,
    value: Any,
    unavailable: list[Unavailable],
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
        kind = check.choice((*key_path, "type"), raw.get("type"), REGISTRY_TYPES)
        if kind in seen:
            raise check.fail(key_path, f"a second {kind} registry; one of each type is allowed")
        seen.add(kind)
        values = _Values(check, doc)
        config: RegistryConfig
        if kind == "segment":
            raw = check.mapping(key_path, raw, ("type", "api_token", "api_url"), ("api_token",))
            config = SegmentRegistryConfig(
                api_token=values.secret((*key_path, "api_token"), raw["api_token"]),
                api_url=_url(values, key_path, raw, SEGMENT_API_URL),
            )
        elif kind == "iglu":
            config = _iglu_config(check, values, key_path, raw)
        else:
            keys = ("workspace_id", "service_account_name", "service_account_secret")
            raw = check.mapping(key_path, raw, ("type", "api_url", *keys), keys)
            config = AvoRegistryConfig(
                workspace_id=values.text((*key_path, "workspace_id"), raw["workspace_id"]) or "",
                service_account_name=values.text(
                    (*key_path, "service_account_name"), raw["service_account_name"]
                )
                or "",
                service_account_secret=values.secret(
                    (*key_path, "service_account_secret"), raw["service_account_secret"]
                ),
                api_url=_url(values, key_path, raw, AVO_API_URL),
            )
        missing = values.unavailable("registry", kind, kind)
        if missing is not None:
            unavailable.append(missing)
        else:
            registries.append(config)
    return tuple(registries)


REGISTRY_TYPES = ("segment", "avo", "iglu")
_REGISTRY_KEYS_ALL = (
    "api_token",
    "api_url",
    "workspace_id",
    "service_account_name",
    "service_account_secret",
    "url",
    "api_key",
    "listing",
)


def _iglu_config(
    check: ConfigChecker, values: _Values, key_path: tuple, raw: Any
) -> IgluRegistryConfig:
    """`url` (required), `api_key` (a secret, optional), `listing` (a path under `url`)."""
    raw = check.mapping(key_path, raw, ("type", "url", "api_key", "listing"), ("url",))
    url = _url(values, key_path, {"api_url": raw["url"]}, "", key="url")
    api_key = None
    if raw.get("api_key") is not None:
        api_key = values.secret((*key_path, "api_key"), raw["api_key"])
    listing = None
    if raw.get("listing") is not None:
        listing = values.text((*key_path, "listing"), raw["listing"])
        if listing is not None:
            listing = listing.strip().lstrip("/")
            if not listing or ".." in listing.split("/") or "://" in listing:
                raise check.fail(
                    (*key_path, "listing"),
                    f"{listing!r} is not a path under the registry url",
                    hint="name the listing file relative to `url`, e.g. listing: schemas.json",
                )
    return IgluRegistryConfig(url=url or "", api_key=api_key, listing=listing)


def _url(values: _Values, key_path: tuple, raw: Any, default: str, key: str = "api_url") -> str:
    """The registry's base URL. User-info (`https://user:pass@host`) is allowed, but its
    password is a secret from here on, so it is masked wherever it would be shown."""
    if raw.get("api_url") is None:
        return default
    url_path = (*key_path, key)
    url = values.text(url_path, raw["api_url"])
    if url is None:
        return default  # an unset variable: reported when the registry is used
    url = url.rstrip("/")
    check = values.check
    if not url.startswith(("http://", "https://")):
        raise check.fail(url_path, f"'{_shown(url)}' is not an http(s) URL")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as error:
        raise check.fail(url_path, f"'{_shown(url)}' is not a valid URL: {error}") from None
    if parts.password:
        Secret(parts.password)
        Secret(unquote(parts.password))
    if "@" in parts.netloc:
        Secret(parts.netloc.rpartition("@")[0])
    if not parts.hostname:
        raise check.fail(url_path, f"'{_shown(url)}' names no host")
    return url


def _shown(url: str) -> str:
    """`url` safe for an error message: everything before the last '@' could be a password
    (even one with '/' or '#' that stops a URL parser), so it is masked whole."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{MASK}@{rest.rpartition('@')[2]}"


def _parse_sources(
    check: ConfigChecker,
    doc: YamlDocument,
    profile: str,
    value: Any,
    base_dir: Path,
    unavailable: list[Unavailable],
) -> tuple[SourceConfig, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise check.fail((profile, "source"), "expected a list of sources (`- type: ...`)")
    sources: list[SourceConfig] = []
    ids: list[str] = []
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
        if source_id in ids:
            raise check.fail(
                key_path,
                f"duplicate source id '{source_id}'",
                hint="give each source a unique `id:` (it defaults to the type)",
            )
        ids.append(source_id)
        values = _Values(check, doc)
        settings: dict[str, Any] = {}
        for key in (*required, *optional):
            if raw.get(key) is None:
                continue
            if key == "port":
                settings[key] = _port(check, (*key_path, key), raw[key])
                continue
            if key == "maximum_bytes_billed":
                settings[key] = _positive(check, (*key_path, key), raw[key])
                continue
            if key == "keyfile_json" and isinstance(raw[key], dict):
                settings[key] = _keyfile_mapping(values, (*key_path, key), raw[key])
                continue
            if key in SECRET_KEYS:
                settings[key] = values.secret((*key_path, key), raw[key])
            else:
                settings[key] = values.text((*key_path, key), raw[key])
        missing = values.unavailable("source", source_id, kind)
        if missing is not None:
            unavailable.append(missing)
            continue
        if kind in DEFAULT_PORTS:
            settings.setdefault("port", DEFAULT_PORTS[kind])
        if kind == "duckdb":
            db_path = Path(settings["path"]).expanduser()
            settings["path"] = str(db_path if db_path.is_absolute() else base_dir / db_path)
        if kind == "bigquery":
            _check_bigquery(check, key_path, settings, base_dir)
        sources.append(SourceConfig(id=source_id, type=kind, settings=settings))
    return tuple(sources)


def _port(check: ConfigChecker, key_path: tuple, value: Any) -> int:
    port = check.integer(key_path, value)
    if not 0 < port < 65536:
        raise check.fail(key_path, f"{port} is not a TCP port (1 to 65535)")
    return port


def _positive(check: ConfigChecker, key_path: tuple, value: Any) -> int:
    number = check.integer(key_path, value)
    if number <= 0:
        raise check.fail(key_path, f"{number} is not a positive number of bytes")
    return number


def _keyfile_mapping(values: _Values, key_path: tuple, raw: dict) -> Secret:
    """dbt-bigquery's `keyfile_json` as a mapping (the service account's JSON key, field by
    field, each may be an env_var): kept as one secret JSON text."""
    resolved = {
        str(key): values.text((*key_path, str(key)), value, secret=True)
        for key, value in raw.items()
    }
    for key in ("private_key", "private_key_id"):
        if resolved.get(key):
            Secret(str(resolved[key]))
    return Secret(json.dumps(resolved, sort_keys=True))


def _check_bigquery(
    check: ConfigChecker, key_path: tuple, settings: dict[str, Any], base_dir: Path
) -> None:
    """`method` (default oauth) and the key it needs; a relative `keyfile` is relative to the
    profiles file, like a DuckDB `path`."""
    method = check.choice(
        (*key_path, "method"), settings.get("method") or "oauth", tuple(BIGQUERY_METHODS)
    )
    settings["method"] = method
    needs = BIGQUERY_METHODS[method]
    if needs is not None and not settings.get(needs):
        raise check.fail(
            key_path,
            f"method {method} needs `{needs}`",
            hint="service-account reads a key file (`keyfile: path`), service-account-json "
            "an inline key (`keyfile_json: \"{{ env_var('BIGQUERY_KEYFILE_JSON') }}\"`)",
        )
    for key in ("keyfile", "keyfile_json"):
        if key in settings and key != needs:
            raise check.fail((*key_path, key), f"`{key}` is not used by method {method}")
    if settings.get("keyfile"):
        keyfile = Path(settings["keyfile"]).expanduser()
        settings["keyfile"] = str(keyfile if keyfile.is_absolute() else base_dir / keyfile)
    if method == "anonymous" and not settings.get("api_endpoint"):
        raise check.fail(
            (*key_path, "method"),
            "method anonymous is for an emulator: it needs `api_endpoint`",
        )
    if settings.get("api_endpoint") and not str(settings["api_endpoint"]).startswith(
        ("http://", "https://")
    ):
        raise check.fail((*key_path, "api_endpoint"), "expected an http(s) URL")
