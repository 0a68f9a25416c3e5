"""The user's own TUI settings: `~/.reflekt/reflekt_tui.yml` (or $REFLEKT_TUI_CONFIG).

Key remaps there apply to every project and win over the project's `tui: bindings:`
(a team sets defaults in the project; a person keeps their own keys). Same shape:

    bindings:
      main.lint_all: ctrl+l

Read with the core's YAML loader and config checks, so a mistake is a ConfigError with the
file and line, shown as a notification.
"""

from __future__ import annotations

import os
from pathlib import Path

from reflekt.core.configcheck import ConfigChecker
from reflekt.core.yamlfile import load_yaml

USER_CONFIG_ENV = "REFLEKT_TUI_CONFIG"
DEFAULT_USER_CONFIG = "~/.reflekt/reflekt_tui.yml"


def user_config_path() -> Path:
    return Path(os.environ.get(USER_CONFIG_ENV) or DEFAULT_USER_CONFIG).expanduser()


def load_user_bindings(path: Path | None = None) -> dict[str, str]:
    """Binding id -> keys from the user config; {} when there is no such file."""
    path = path or user_config_path()
    if not path.is_file():
        return {}
    doc = load_yaml(path)
    check = ConfigChecker(doc)
    top = check.mapping((), doc.data, ("bindings",))
    bindings = check.mapping(("bindings",), top.get("bindings"), allowed=None)
    return {
        str(binding_id): check.string(("bindings", str(binding_id)), keys, allow_empty=False)
        for binding_id, keys in bindings.items()
    }
