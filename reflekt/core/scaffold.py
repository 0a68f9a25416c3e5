"""Create a new project on disk (used by `reflekt init`, `reflekt demo` and tests)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reflekt.core.errors import ConfigError
from reflekt.core.fsutil import write_atomic
from reflekt.core.project import PROJECT_FILE

_GITIGNORE = ".logs/\n.reflekt_cache/\n"


@dataclass(frozen=True)
class NewProject:
    """What `reflekt init` asks for."""

    name: str
    vendor: str
    profile: str
    profiles_path: str | None = None  # None: the default ~/.reflekt/reflekt_profiles.yml


def template_text(filename: str) -> str:
    files = resources.files("reflekt.templates.project")
    return files.joinpath(filename).read_text(encoding="utf-8")


def render_template(filename: str, **values: object) -> str:
    import jinja2

    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.from_string(template_text(filename)).render(**values)


def validate_new_project(spec: NewProject) -> None:
    if not spec.name.strip():
        raise ConfigError("the project name must not be empty")
    if not spec.vendor.strip():
        raise ConfigError("the vendor must not be empty (e.g. com.example)")
    if not spec.profile.strip() or any(c.isspace() for c in spec.profile):
        raise ConfigError("the profile name must be one word (e.g. dev)")


def create_project(directory: Path, spec: NewProject) -> list[Path]:
    """Write a new project into `directory`. Refuses to overwrite an existing project.

    Returns the files written (the profiles file too, when it did not exist yet).
    """
    validate_new_project(spec)
    directory = directory.expanduser().resolve()
    if (directory / PROJECT_FILE).exists():
        raise ConfigError(
            f"{directory / PROJECT_FILE} already exists; not overwriting an existing project",
            hint="choose another folder with --dir",
        )
    files = {
        directory / PROJECT_FILE: render_template(
            "reflekt_project.yml.j2",
            name=spec.name,
            vendor=spec.vendor,
            profile=spec.profile,
            profiles_path=spec.profiles_path,
        ),
        directory / "schemas" / ".reflekt" / "event-meta" / "1-0.json": template_text(
            "event-meta-1-0.json"
        ),
        directory / "README.md": render_template("README.md.j2", name=spec.name),
        directory / ".gitignore": _GITIGNORE,
        directory / "artifacts" / ".gitkeep": "",
    }
    written = []
    for path, text in files.items():
        if path.name in ("README.md", ".gitignore") and path.exists():
            continue  # keep a repo's own README and .gitignore
        write_atomic(path, text)
        written.append(path)
    profiles_path = _profiles_path(directory, spec.profiles_path)
    if not profiles_path.exists():
        write_atomic(
            profiles_path, render_template("reflekt_profiles.yml.j2", profile=spec.profile)
        )
        written.append(profiles_path)
    return written


def _profiles_path(directory: Path, setting: str | None) -> Path:
    from reflekt.core.project import DEFAULT_PROFILES_PATH

    path = Path(setting or DEFAULT_PROFILES_PATH).expanduser()
    return path if path.is_absolute() else directory / path
