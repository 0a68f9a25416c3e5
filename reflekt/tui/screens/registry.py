"""Modals for registry jobs: git ref prompt, plan choice, push confirmation (with the diff),
pull summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static

from reflekt.tui.widgets.diff_view import event_detail, report_summary

if TYPE_CHECKING:
    from reflekt.core.diff import DiffReport


class GitRefScreen(ModalScreen[str | None]):
    """Ask for a git ref to diff against (`main`, `HEAD~1`, a tag)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="gitref.cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Static("Compare the selection with a git ref", classes="title")
            yield Input(value="HEAD", placeholder="main, HEAD~1, v1.2.0", id="git-ref")
            yield Static("Enter compares, Esc cancels.", classes="dim")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        ref = message.value.strip()
        self.dismiss(ref or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def plans_under(registry: str, event_folders: Iterable[str]) -> list[str]:
    """`segment/<plan>` for every plan folder of `registry` the project holds, sorted.

    Why: a registry root (`segment`) names no plan, and pull and diff need one; the tree's
    root is still a natural place to start from, so the TUI offers (or acts on) its plans.
    """
    prefix = f"{registry}/"
    plans = {
        folder[len(prefix) :].split("/", 1)[0]
        for folder in event_folders
        if folder.startswith(prefix)
    }
    return [f"{prefix}{plan}" for plan in sorted(plans) if plan]


class ChoosePlanScreen(ModalScreen[str | None]):
    """Which plan of a registry to act on (the registry root names none)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="plan.cancel")
    ]

    def __init__(self, verb: str, registry: str, plans: list[str]) -> None:
        super().__init__()
        self.verb = verb
        self.registry = registry
        self.plans = plans

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Static(f"{self.verb} which plan of {self.registry}?", classes="title")
            yield OptionList(*self.plans, id="plan-choice")
            yield Static("Enter chooses, Esc cancels.", classes="dim")

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(self.plans[message.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


_PUSH_TARGETS = {"segment": "Segment", "iglu": "the Iglu Server"}


def push_target(select: str) -> str | None:
    """Who a push of `select` goes to, as the screens name it; None when the TUI does not
    push there (Avo is edited in Avo; a static Iglu registry is written by the CLI's
    `--to-dir`, and its push says so)."""
    registry, slash, rest = select.partition("/")
    return _PUSH_TARGETS.get(registry) if slash and rest else None


class ConfirmPushScreen(ModalScreen[bool]):
    """What a push would change, then Push or Cancel; when it would change nothing, only Close.

    Events only in the registry ("removed") are not part of a push: it leaves them alone.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Push", id="push.confirm"),
        Binding("n,escape", "cancel", "Cancel", id="push.cancel"),
    ]

    def __init__(self, select: str, report: DiffReport, force: bool = False) -> None:
        super().__init__()
        self.select = select
        self.target = push_target(select) or "the registry"
        self.report = report
        self.force = force
        self.to_send = [e for e in report.events if e.verdict not in ("unchanged", "removed")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            if not self.to_send:
                yield Static(f"Nothing to push: {self.select}", classes="title")
                yield Static(report_summary(self.report), id="push-summary")
                yield Static(
                    Text(
                        f"{self.target} already has every selected schema as it is here.",
                        "dim",
                    ),
                    id="push-changes",
                )
                with Horizontal(classes="buttons"):
                    yield Button("Close (Esc)", id="push-no")
                return
            forced = " (despite lint errors)" if self.force else ""
            yield Static(f"Push {self.select} to {self.target}{forced}?", classes="title")
            yield Static(report_summary(self.report), id="push-summary")
            with VerticalScroll(id="push-changes"):
                parts = [event_detail(event, side_by_side=False) for event in self.to_send]
                yield Static(Group(*parts))
            with Horizontal(classes="buttons"):
                yield Button("Push (y)", variant="error", id="push-yes")
                yield Button("Cancel (n)", id="push-no")

    def on_mount(self) -> None:
        self.query_one("#push-no", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return bool(self.to_send)  # nothing to send: `y` does nothing
        return True

    def on_button_pressed(self, message: Button.Pressed) -> None:
        self.dismiss(message.button.id == "push-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmPullScreen(ModalScreen[bool]):
    """Pull overwrites local files: say so, then Pull or Cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Pull", id="pull.confirm"),
        Binding("n,escape", "cancel", "Cancel", id="pull.cancel"),
    ]

    def __init__(self, select: str) -> None:
        super().__init__()
        self.select = select

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small pull"):
            yield Static(f"Pull {self.select} from the registry?", classes="title")
            yield Static(
                "Every schema the registry has is written to schemas/: a local file of the "
                "same version is overwritten (git diff shows what changed).",
                classes="dim",
            )
            with Horizontal(classes="buttons"):
                yield Button("Pull (y)", variant="warning", id="pull-yes")
                yield Button("Cancel (n)", id="pull-no")

    def on_mount(self) -> None:
        self.query_one("#pull-no", Button).focus()

    def on_button_pressed(self, message: Button.Pressed) -> None:
        self.dismiss(message.button.id == "pull-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def _id_list(title: str, ids: tuple[str, ...], style: str) -> Text:
    text = Text(f"{title}: {len(ids)}\n", style=f"bold {style}")
    for schema_id in ids[:200]:
        text.append(f"  {schema_id}\n", style=style)
    if len(ids) > 200:
        text.append(f"  … and {len(ids) - 200} more\n", style="dim")
    return text


class ResultScreen(ModalScreen[None]):
    """The summary of a pull or a push: created / updated / unchanged."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="result.close")
    ]

    def __init__(self, title: str, sections: list[tuple[str, tuple[str, ...], str]]) -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(self.title_text, classes="title", id="result-title")
            with VerticalScroll(id="result-lists"):
                body = Text()
                for title, ids, style in self.sections:
                    body.append_text(_id_list(title, ids, style))
                yield Static(body, id="result-body")
            yield Static("Enter or Esc closes.", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
