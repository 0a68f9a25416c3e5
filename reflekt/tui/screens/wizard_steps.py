"""The widgets of the build wizard's steps 2 to 4, made when the user first reaches a step.

Textual styles every mounted widget, shown or not: mounting these three steps with the first
(their selects, fields, file table, progress bar: most of the wizard's widgets) was half of
the wizard's opening time on a big project, for steps a user may never reach.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, ProgressBar, Select, Static

from reflekt.core.build.segment import SDKS

ARTIFACTS = [
    ("dbt package (models of the event tables)", "dbt"),
    ("tracking code (TypeScript, Python)", "code"),
]
LANGS = [("TypeScript", "typescript"), ("Python", "python")]


def sdk_options(lang: str) -> list[tuple[str, str]]:
    """The SDKs `reflekt build code --lang <lang>` accepts (the first is its default)."""
    from reflekt.core.codegen.emit import LANGUAGES

    return [
        (sdk if sdk != "none" else "none (the types only)", sdk) for sdk in LANGUAGES[lang].sdks
    ]


def source_step() -> list[Widget]:
    """Step 2: what to build; for dbt the source (from the profile, once loaded), database,
    schema and SDK; for code the language, SDK and output folder."""
    return [
        Static("Build:"),
        Select[str](ARTIFACTS, value="dbt", allow_blank=False, id="wizard-artifact"),
        Vertical(
            Static("Source (from the profile):"),
            Select[str]([], id="wizard-source", prompt="loading profile…"),
            Static("Database:"),
            Input(placeholder="database, e.g. raw", id="wizard-database"),
            Static("Schema (where the SDK writes the raw tables):"),
            Input(placeholder="schema, e.g. segment_prod", id="wizard-schema"),
            Static("SDK:"),
            Select[str]([(sdk, sdk) for sdk in SDKS], value="segment", id="wizard-sdk"),
            id="wizard-dbt-fields",
        ),
        Vertical(
            Static("Language:"),
            Select[str](LANGS, value="typescript", allow_blank=False, id="wizard-lang"),
            Static("SDK the generated functions call:"),
            Select[str](
                sdk_options("typescript"),
                value="analytics-next",
                allow_blank=False,
                id="wizard-code-sdk",
            ),
            Static("Output folder, relative to the project root (empty: the default):"),
            Input(placeholder="artifacts/code/typescript", id="wizard-out"),
            Checkbox("Runtime validation hook (--validate)", id="wizard-validate"),
            id="wizard-code-fields",
        ),
        Static("", id="wizard-source-note", classes="dim"),
    ]


def preview_step() -> list[Widget]:
    """Step 3: what the dry run would write, file by file, and the chosen file's text."""
    table: DataTable = DataTable(id="wizard-files", cursor_type="row")
    table.add_columns("status", "file")
    return [
        VerticalScroll(Static("", id="wizard-preview-summary"), id="wizard-preview-head"),
        Horizontal(
            table,
            VerticalScroll(Static("", id="wizard-file"), id="wizard-file-scroll"),
            id="wizard-preview",
        ),
    ]


def write_step() -> list[Widget]:
    """Step 4: the write's progress, its summary, then dbt's."""
    return [
        ProgressBar(total=100, id="wizard-progress", show_eta=False),
        Static("", id="wizard-progress-text"),
        VerticalScroll(Static("", id="wizard-summary"), Static("", id="wizard-dbt-summary")),
    ]


# Per step (0-based, as `BuildWizard.step`): the widgets its container gets on first visit.
LATER_STEPS: dict[int, Callable[[], list[Widget]]] = {
    1: source_step,
    2: preview_step,
    3: write_step,
}
