"""Diff view against the local Segment server, its error view (401), push and pull."""

from __future__ import annotations

from textual.widgets import DataTable, Static, TabbedContent
from tui_support import drive, make_app, plain, settle, toasts, track_rule, use_segment

from reflekt.tui.screens.registry import ConfirmPullScreen, ConfirmPushScreen, ResultScreen
from reflekt.tui.widgets.diff_view import DiffView
from reflekt.tui.widgets.schema_tree import SchemaTree
from reflekt.tui.widgets.schema_view import VERDICT_WORDS

GIT_HINT = "Press g to compare with a git ref instead (no registry needed)."
REFUSED_TOKEN = (
    "the Segment registry rejected the credentials of profile 'dev' (HTTP 401): Unauthorized: "
    "invalid or missing token\nHint: check the token / service account in reflekt_profiles.yml "
    "(and that it has access to this workspace)"
)


def seed_plan(segment):
    segment.add_plan(
        "ecommerce",
        [
            track_rule(
                "Cart Viewed",
                {"cart_id": {"type": ["string"], "description": "The cart."}},
                ["cart_id"],
            ),
            track_rule(
                "Order Completed",
                {
                    "order_id": {"type": ["string"], "description": "The order."},
                    "total": {"type": ["number"], "description": "Order total."},
                },
                ["order_id", "total"],
            ),
        ],
    )


def without_broken_file(shop):
    """compare() refuses a selection holding an unreadable file; most tests want a clean plan."""
    (shop.schemas_dir / "segment/ecommerce/Broken_Event/1-0.json").unlink()
    (shop.schemas_dir / "segment/ecommerce/Broken_Event").rmdir()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_diff_of_a_plan_against_the_local_segment_server(shop, segment):
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "diff"
        view = screen.query_one(DiffView)
        assert view.error is None, view.error
        table = view.query_one("#diff-events", DataTable)
        by_event = {row[0]: row for row in rows(table)}
        assert by_event["Order_Completed"][1:] == ["breaking", "1-0", "1-0"]
        assert by_event["Cart_Viewed"][1:] == ["compatible", "1-1", "1-0"]
        summary = str(view.query_one("#diff-summary", Static).render())
        assert summary.endswith(": 1 needs a MAJOR version bump, 1 bumped correctly (MINOR)")
        # The breaking event is listed first and shown in the detail pane.
        table.move_cursor(row=0)
        await pilot.pause()
        detail = plain(view.detail)
        assert "Order Completed" in detail
        assert "PROPERTY_REMOVED_REQUIRED" in detail
        assert "the file should carry 2-0" in detail
        await pilot.press("u")
        assert view.side_by_side
        await settle(pilot)  # the base body is fetched in a worker
        detail = plain(view.detail)
        assert "base 1-0" in detail and "local 1-0" in detail
        # Both schemas, not the changes: the registry's `total` only on the left, in red.
        left, right = side_by_side_columns(view)
        assert any('"order_id"' in text for text, _ in left)
        assert any('"order_id"' in text for text, _ in right)
        total = [style for text, style in left if '"total": {' in text]
        assert total == ["bold red"], left
        assert not any('"total"' in text for text, _ in right)
        # Another event: its own bodies (Cart_Viewed's coupon is a compatible addition).
        table.move_cursor(row=1)
        await settle(pilot)
        left, right = side_by_side_columns(view)
        assert [style for text, style in right if '"coupon": {' in text] == ["yellow"]
        await pilot.press("u")
        assert "PROPERTY_ADDED_OPTIONAL" in plain(view.detail)  # unified again

    drive(make_app(shop.root), scenario)


def side_by_side_columns(view: DiffView) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, style) of each line of the base and the local column."""
    from rich.table import Table

    table = next(r for r in view.detail.renderables if isinstance(r, Table))
    left, right = (list(column.cells) for column in table.columns)
    return (
        [(cell.plain, str(cell.style)) for cell in left],
        [(cell.plain, str(cell.style)) for cell in right],
    )


def test_diff_with_a_bad_token_shows_the_error_not_a_crash(shop, segment):
    seed_plan(segment)
    use_segment(shop, segment, token="wrong-token-value")

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed")
        await pilot.press("d")
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert view.report is None
        summary = str(view.query_one("#diff-summary", Static).render())
        assert summary == f"✗ Diff failed\n{REFUSED_TOKEN}\n{GIT_HINT}"
        assert toasts(pilot.app) == [f"Diff failed\n{REFUSED_TOKEN}"]
        assert pilot.app.is_running

    drive(make_app(shop.root), scenario)


def test_diff_without_a_profile_file_shows_the_error(shop):
    shop.profiles_path.unlink()

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        summary = str(screen.query_one("#diff-summary", Static).render())
        assert "profiles file not found" in summary
        assert "Press g to compare with a git ref instead" in summary

    drive(make_app(shop.root), scenario)


def test_palette_entries_name_the_selection_they_act_on(shop):
    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/marketing")
        await pilot.pause()
        helps = {title: help_text for title, help_text, _ in pilot.app.palette_commands()}
        assert "segment/marketing" in helps["Push selection"]
        assert "segment/marketing" in helps["Pull selection"]
        assert "segment/marketing" in helps["Diff selection"]

    drive(make_app(shop.root), scenario)


def test_push_shows_the_diff_and_sends_only_after_confirmation(shop, segment):
    seed_plan(segment)
    use_segment(shop, segment)
    select = "segment/ecommerce/Order_Completed"

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key(select)
        await pilot.press("d")
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert [e.verdict for e in view.report.events] == ["breaking"]
        # Cancel first: nothing is sent.
        screen.action_push()
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmPushScreen)
        text = str(pilot.app.screen.query_one("#push-summary", Static).render())
        assert "1 needs a MAJOR version bump" in text
        await pilot.press("n")
        await settle(pilot)
        assert not segment.calls("PATCH")
        # Then confirm.
        screen.action_push()
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmPushScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultScreen)
        body = str(pilot.app.screen.query_one("#result-body", Static).render())
        assert "updated: 1" in body
        assert segment.calls("PATCH")
        plan = segment.plan_named("ecommerce")
        rule = next(r for r in plan.rules if r.get("key") == "Order Completed")
        props = rule["jsonSchema"]["properties"]["properties"]
        assert set(props["properties"]) == {"order_id"}
        # The diff tab is compared again after the push: no longer a stale "breaking".
        assert [e.verdict for e in view.report.events] == ["unchanged"]

    drive(make_app(shop.root), scenario)


def test_pull_from_the_palette_shows_created_updated_unchanged(shop, segment):
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert "breaking" in [e.verdict for e in view.report.events]
        await pilot.press("ctrl+p")
        for char in "pull selection":
            await pilot.press("space" if char == " " else char)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # Pull overwrites files: it asks first.
        assert isinstance(pilot.app.screen, ConfirmPullScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultScreen)
        title = str(pilot.app.screen.query_one("#result-title", Static).render())
        assert "segment/ecommerce" in title
        assert title == "Pulled: segment/ecommerce: 0 created, 2 updated, 0 unchanged."
        await pilot.press("escape")
        await settle(pilot)
        # The tree follows the files the pull wrote.
        entry = screen.index.get("segment/ecommerce/Order_Completed/1-0.json")
        assert "total" in entry.doc.body["properties"]
        # The diff tab was compared again: the pulled event now matches the registry.
        verdicts = {e.event_key.rsplit("/", 1)[-1]: e.verdict for e in view.report.events}
        assert verdicts["Order_Completed"] == "unchanged"

    drive(make_app(shop.root), scenario)


def test_a_broken_file_in_the_selection_is_reported_in_the_diff_panel(shop, segment):
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        await pilot.press("d")
        await settle(pilot)
        summary = str(screen.query_one("#diff-summary", Static).render())
        assert "Broken_Event/1-0.json:4:1" in summary

    drive(make_app(shop.root), scenario)


def test_diff_against_a_git_ref(shop, monkeypatch):
    import subprocess

    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    without_broken_file(shop)
    subprocess.run(["git", "init", "-q"], cwd=shop.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=shop.root, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=shop.root, check=True)
    shop.add_schema(
        "segment/ecommerce/Order_Completed/1-0",
        {"order_id": {"type": "integer", "description": "The order."}},
        required=["order_id"],
        description="A user completed an order.",
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Order_Completed")
        await pilot.press("3", "g")
        await settle(pilot)
        from reflekt.tui.screens.registry import GitRefScreen

        assert isinstance(pilot.app.screen, GitRefScreen)
        await pilot.press("enter")  # HEAD
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert view.report is not None, view.error
        assert view.report.against == "git:HEAD"
        assert [row[0] for row in rows(view.query_one("#diff-events", DataTable))] == [
            "Order_Completed"
        ]
        assert "TYPE_CHANGED" in plain(view.detail)
        assert "the file should carry 2-0" in plain(view.detail)
        await pilot.press("u")  # side by side: the file at HEAD next to the one on disk
        await settle(pilot)
        left, right = side_by_side_columns(view)
        assert [style for text, style in left if '"type": "string"' in text] == ["bold red"]
        assert [style for text, style in right if '"type": "integer"' in text] == ["bold red"]

    drive(make_app(shop.root), scenario)


def test_push_with_lint_errors_is_refused_unless_forced(shop, segment):
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)
    shop.add_schema(
        "segment/ecommerce/Checkout_Started/1-0",
        {"cartID": {"type": "string", "description": "The cart."}},
        description="A user started checkout.",
    )
    select = "segment/ecommerce/Checkout_Started"

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key(select)
        screen.action_push()
        await settle(pilot)
        # The TUI already knows the lint errors: refused at once, no confirm-then-fail.
        assert not isinstance(pilot.app.screen, ConfirmPushScreen)
        assert not segment.calls("PATCH") and not segment.calls("GET")
        assert toasts(pilot.app) == [
            "Push refused\n1 lint error in segment/ecommerce/Checkout_Started: Segment would "
            "get schemas that break the project's rules, so nothing was sent. Fix them "
            "(2: lint tab, Enter jumps), or run 'Push selection despite lint errors' from the "
            "palette (ctrl+p)."
        ]
        screen.action_push(force=True)
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmPushScreen)
        assert "despite lint errors" in plain(pilot.app.screen.query_one(".title", Static).render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultScreen)
        assert segment.calls("PATCH")
        plan = segment.plan_named("ecommerce")
        assert any(r.get("key") == "Checkout Started" for r in plan.rules)

    drive(make_app(shop.root), scenario)


def test_diff_when_the_registry_is_unreachable(shop, monkeypatch):
    import socket

    monkeypatch.setenv("REFLEKT_HTTP_MAX_WAIT", "0")
    monkeypatch.setenv("REFLEKT_HTTP_TIMEOUT", "2")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    shop.write_profiles(
        {
            "version": 1.0,
            "dev": {
                "registry": [
                    {"type": "segment", "api_token": "t", "api_url": f"http://127.0.0.1:{port}"}
                ]
            },
        }
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Cart_Viewed")
        await pilot.press("d")
        await settle(pilot, rounds=10)
        view = screen.query_one(DiffView)
        assert view.report is None
        summary = plain(view.query_one("#diff-summary", Static).render())
        assert "Diff failed" in summary
        assert pilot.app.is_running

    drive(make_app(shop.root), scenario)


def test_a_cancelled_pull_writes_nothing(shop, segment):
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)
    order = shop.schemas_dir / "segment/ecommerce/Order_Completed/1-0.json"
    before = order.read_text()

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        screen.action_pull()
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmPullScreen)
        assert pilot.app.focused.id == "pull-no"  # Enter on the default button cancels
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ResultScreen)
        assert not segment.calls("GET")
        assert toasts(pilot.app) == ["Pull cancelled: no file was written."]

    drive(make_app(shop.root), scenario)
    assert order.read_text() == before


def test_side_by_side_needs_no_second_request_to_the_registry(shop, segment):
    """The diff carries both schemas: switching layout works even if the registry is gone."""
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Order_Completed")
        await pilot.press("d")
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert view.report is not None
        requests_before = len(segment.requests)
        segment.fail_next("401", count=20)  # the token is revoked before `u`
        await pilot.press("u")
        await settle(pilot)
        detail = plain(view.detail)
        assert "base 1-0" in detail and "local 1-0" in detail
        assert '"properties"' in detail  # both schemas, as JSON, next to each other
        assert len(segment.requests) == requests_before
        assert pilot.app.is_running

    drive(make_app(shop.root), scenario)


LONG = (
    "The identifier of the cart the user viewed, as the storefront assigns it when the first "
    "product is added (ends here: WRAPPED-IN-FULL)"
)


def test_side_by_side_wraps_long_values_at_120_columns(shop, monkeypatch):
    """Issue 13 #19: long values wrap in their column instead of being cut at ~36 characters."""
    import subprocess

    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    without_broken_file(shop)
    shop.add_schema(
        "segment/ecommerce/Order_Completed/1-0",
        {
            "order_id": {"type": "string", "description": LONG},
            "total": {"type": "number", "description": "Order total."},
        },
        required=["order_id"],
        description="A user completed an order.",
    )
    subprocess.run(["git", "init", "-q"], cwd=shop.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=shop.root, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=shop.root, check=True)
    shop.add_schema(  # `order_id` renamed to `orderId`, its neighbour `total` unchanged
        "segment/ecommerce/Order_Completed/1-0",
        {
            "orderId": {"type": "string", "description": LONG},
            "total": {"type": "number", "description": "Order total."},
        },
        required=["orderId"],
        description="A user completed an order.",
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce/Order_Completed")
        await pilot.press("3", "g")
        await settle(pilot)
        await pilot.press("enter")  # HEAD
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert view.report is not None, view.error
        await pilot.press("u")
        await settle(pilot)
        detail = view.query_one("#diff-detail", Static)
        width = detail.content_region.width
        assert 40 < width < 100  # the pane at 120 columns, beside the tree
        shown = plain(view.detail, width=width)
        assert shown.count("WRAPPED-IN-FULL") == 2, shown  # both sides, wrapped, not cut
        assert "…" not in shown
        left, right = side_by_side_columns(view)
        assert [s for t, s in left if '"type": "number"' in t] == ["dim"]
        assert [s for t, s in right if '"type": "number"' in t] == ["dim"]  # `total`: same

    drive(make_app(shop.root), scenario, size=(120, 40))


def test_a_bumped_breaking_change_reads_major_change_version_bumped_ok(shop, monkeypatch):
    """Issue 13 #20: not "verdict: compatible class: MAJOR"; a missing bump names the version."""
    import subprocess

    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    without_broken_file(shop)
    subprocess.run(["git", "init", "-q"], cwd=shop.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=shop.root, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=shop.root, check=True)
    retyped = {"order_id": {"type": "integer", "description": "The order."}}
    shop.add_schema(  # a MAJOR change, bumped to 2-0
        "segment/ecommerce/Order_Completed/2-0",
        retyped,
        required=["order_id"],
        description="A user completed an order.",
    )
    shop.add_schema(  # a MAJOR change in place (the file says 1-0)
        "segment/marketing/Email_Opened/1-0",
        {"campaign": {"type": "integer", "description": "Campaign name."}},
        description="A user opened a marketing email.",
    )

    async def scenario(pilot):
        screen = pilot.app.main_screen
        view = screen.query_one(DiffView)
        seen = {}
        for key in ("segment/ecommerce/Order_Completed", "segment/marketing/Email_Opened"):
            screen.query_one(SchemaTree).select_key(key)
            await pilot.press("3", "g")
            await settle(pilot)
            await pilot.press("enter")  # HEAD
            await settle(pilot)
            assert view.report is not None, view.error
            seen[key] = plain(view.detail)
            await pilot.press("t")
        bumped = seen["segment/ecommerce/Order_Completed"]
        assert "MAJOR change, version bumped: OK" in bumped
        assert "verdict:" not in bumped and "compatible" not in bumped
        unbumped = seen["segment/marketing/Email_Opened"]
        assert "MAJOR change, version not bumped: should be 2-0" in unbumped

    drive(make_app(shop.root), scenario)


def test_push_with_nothing_to_change_says_so_and_offers_only_close(shop, segment):
    """Issue 13 #20: no `Push (y)` when Segment already has the selection as it is."""
    campaign = {"campaign": {"type": ["string"], "description": "Campaign name."}}
    rule = track_rule("Email Opened", campaign, [])
    rule["jsonSchema"]["description"] = "A user opened a marketing email."
    segment.add_plan("marketing", [rule])
    use_segment(shop, segment)

    async def scenario(pilot):
        from textual.widgets import Button

        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/marketing")
        screen.action_push()
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmPushScreen)
        assert [e.verdict for e in dialog.report.events] == ["unchanged"]
        title = str(dialog.query_one(".title", Static).render())
        assert title == "Nothing to push: segment/marketing"
        assert [str(b.label) for b in dialog.query(Button)] == ["Close (Esc)"]
        await pilot.press("y")  # not a way to push here
        await settle(pilot)
        assert pilot.app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmPushScreen | ResultScreen)
        assert not segment.calls("PATCH")

    drive(make_app(shop.root), scenario)


def test_the_client_backing_off_shows_retrying_for_pull_and_diff(shop, segment):
    """Issue 13 #20: a 503 then 200 reads "retrying (503, 2 of 5)" while the client waits."""
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)
    retrying = "Registry\nretrying (503, 2 of 5) in 0 s"

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment/ecommerce")
        segment.fail_next("503", count=1, methods=("GET",))
        screen.action_pull()
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultScreen)
        assert [r.status for r in segment.calls("GET")][:2] == [503, 200]
        await pilot.press("escape")
        await settle(pilot)
        assert retrying in toasts(pilot.app)
        pilot.app.clear_notifications()
        await settle(pilot)
        assert retrying not in toasts(pilot.app)
        segment.fail_next("503", count=1, methods=("GET",))
        await pilot.press("d")
        await settle(pilot)
        assert screen.query_one(DiffView).report is not None
        assert retrying in toasts(pilot.app)

    drive(make_app(shop.root), scenario)


def test_diff_and_pull_on_the_registry_root_act_on_its_plans(shop, segment):
    """Issue 13 #14: `segment` names no plan: `d` compares every plan, Pull asks which plan
    (no confirmation that then fails with "--select 'segment' names no tracking plan")."""
    from textual.widgets import OptionList

    from reflekt.tui.screens.registry import ChoosePlanScreen

    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment")
        await pilot.press("d")
        await settle(pilot)
        view = screen.query_one(DiffView)
        assert view.error is None, view.error
        keys = {e.event_key for e in view.report.events}
        assert {"segment/ecommerce/Order_Completed", "segment/marketing/Email_Opened"} <= keys
        assert view.selects == ["segment/ecommerce", "segment/marketing"]
        # Pull: first which plan, then the usual confirmation, then the pull itself.
        screen.query_one(SchemaTree).select_key("segment")
        screen.action_pull()
        await settle(pilot)
        chooser = pilot.app.screen
        assert isinstance(chooser, ChoosePlanScreen)
        options = chooser.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["segment/ecommerce", "segment/marketing"]
        await pilot.press("enter")  # the highlighted first plan
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmPullScreen)
        assert pilot.app.screen.select == "segment/ecommerce"
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultScreen)
        title = str(pilot.app.screen.query_one("#result-title", Static).render())
        assert title == "Pulled: segment/ecommerce: 0 created, 2 updated, 0 unchanged."
        assert not any("names no tracking plan" in t for t in toasts(pilot.app))

    drive(make_app(shop.root), scenario)


def test_push_on_the_registry_root_asks_which_plan_first(shop, segment):
    """Push on `segment` (no plan named): the plan chooser, then the usual comparison and
    confirmation for that plan; Esc in the chooser sends nothing."""
    from reflekt.tui.screens.registry import ChoosePlanScreen, ConfirmPushScreen

    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        screen.query_one(SchemaTree).select_key("segment")
        screen.action_push()
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChoosePlanScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ChoosePlanScreen)
        screen.action_push()
        await settle(pilot)
        await pilot.press("enter")  # segment/ecommerce
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmPushScreen), pilot.app.screen
        assert "segment/ecommerce" in str(pilot.app.screen.select)

    drive(make_app(shop.root), scenario)


def test_a_plan_node_summarises_the_last_diff(shop, segment):
    without_broken_file(shop)
    seed_plan(segment)
    use_segment(shop, segment)

    async def scenario(pilot):
        screen = pilot.app.main_screen
        tree = screen.query_one(SchemaTree)
        tree.select_key("segment/ecommerce")
        await settle(pilot)
        header = screen.query_one("#schema-header", Static)
        assert "last diff" not in header.render().plain, "no diff yet"
        await pilot.press("d")
        await settle(pilot)
        report = screen.query_one(DiffView).report
        expected = {
            e.verdict for e in report.events if e.event_key.startswith("segment/ecommerce/")
        }
        tree.select_key("segment/marketing")
        await settle(pilot)
        tree.select_key("segment/ecommerce")
        await settle(pilot)
        shown = header.render().plain
        assert "last diff: " in shown
        assert len(expected) >= 1 and all(
            (VERDICT_WORDS.get(verdict, verdict)) in shown for verdict in expected
        ), shown

    drive(make_app(shop.root), scenario)
