"""`reflekt report` (0.6's command): without --to-file the selected events' Markdown pages
on stdout as one document (a contents list first when there are several), each page the
one `build docs --format markdown` writes but for its links and its key line, nothing
written, the note on stderr; with --to-file the files. Through CliRunner and a real
subprocess (stdout and stderr apart), with hostile descriptions, a select that matches
nothing, and a reader that closes the pipe early. That every link of the stream resolves
inside it: test_report_links.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from reflekt.cli import cli
from reflekt.core.docs.pipeline import markdown_pages
from reflekt.core.docs.render import STREAM_SEPARATOR
from reflekt.core.project import load_project

REPO = Path(__file__).resolve().parents[3]
# An OSC 52 (write the clipboard) and a CSI (clear the screen), Jinja, a raw block, a script.
HOSTILE = (
    "Evil \x1b]52;c;ZXZpbA==\x07 and \x1b[2J {{ 7*7 }} {% raw %}x{% endraw %} "
    "<script>alert(1)</script> \x9b31m"
)

# docs_support.HOSTILE_NAME's anchor: its ASCII letters and digits only.
HOSTILE_ANCHOR = b"event.script-img-src-x-onerror-alert-1-7-7-cart-evil"


def report(project, *args: str):
    return CliRunner().invoke(
        cli, ["report", "--project-dir", str(project.root), *args], catch_exceptions=False
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the project but the run's log and caches."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in (".logs", ".reflekt_cache")
    }


def built_pages(project, *selects: str, anchors: list[bytes] | None = None) -> list[bytes]:
    """The event pages `build docs --format markdown` writes, in path order, as the stream
    shows them: without the key line (digests for a rebuild), `Events` a link to the
    stream's contents list (plain text for one page), each heading holding its anchor
    (`anchors`, or the plain names' own)."""
    args = ["build", "docs", "--format", "markdown", "--project-dir", str(project.root)]
    for select in selects:
        args += ["--select", select]
    done = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    folder = project.root / "artifacts" / "docs-md"
    pages = [
        p.read_bytes()
        for p in sorted(folder.rglob("*.md"), key=lambda p: p.relative_to(folder).as_posix())
        if p.name not in ("index.md", "properties.md")
    ]
    if len(pages) == 1:
        return [_as_streamed(pages[0], None)]
    ids = anchors or [_anchor(page) for page in pages]
    return [_as_streamed(page, anchor) for page, anchor in zip(pages, ids, strict=True)]


def _anchor(page: bytes) -> bytes:
    """The anchor id the stream gives a page of these plans (names unique, ASCII)."""
    name = page.split(b"\n")[2].removeprefix(b"# ").decode()
    return b"event." + "-".join(name.lower().split()).encode()


def _as_streamed(page: bytes, anchor: bytes | None) -> bytes:
    header, key, heading, blank, crumb, rest = page.split(b"\n", 5)
    assert key.startswith(b"<!-- reflekt docs page: ") and not blank
    assert crumb.startswith(b"[Events](../../../index.md) / ")
    if anchor is None:
        crumb = crumb.replace(b"[Events](../../../index.md)", b"Events")
    else:
        crumb = crumb.replace(b"(../../../index.md)", b"(#reflekt.contents)")
        heading = heading.replace(b"# ", b'# <a name="' + anchor + b'"></a>', 1)
    return b"\n".join([header, heading, blank, crumb, rest])


def stream_parts(stdout: bytes) -> list[bytes]:
    """The stream's parts: its contents list (when it has more than one page), the pages."""
    return stdout.split(STREAM_SEPARATOR.encode())


def stream_pages(stdout: bytes) -> list[bytes]:
    parts = stream_parts(stdout)
    return parts if len(parts) == 1 else parts[1:]


def test_prints_the_pages_the_markdown_build_writes_and_writes_nothing(shop) -> None:
    before = tree(shop.root)
    result = report(shop, "--select", "segment/ecommerce")
    assert result.exit_code == 0, result.stderr
    assert tree(shop.root) == before  # no page, no folder
    assert result.stderr.startswith("note: `reflekt report` is reflekt 0.6's command; use: ")
    assert "--select segment/ecommerce" in result.stderr
    assert "note:" not in result.stdout and "Built the docs" not in result.stdout

    contents, *pages = stream_parts(result.stdout_bytes)
    assert pages == built_pages(shop, "segment/ecommerce")
    assert len(pages) == 2  # Cart_Viewed, Order_Completed (ecommerce's two events)
    assert [page.split(b"\n")[1] for page in pages] == [
        b'# <a name="event.cart-viewed"></a>Cart Viewed',
        b'# <a name="event.order-completed"></a>Order Completed',
    ]
    assert contents.decode().splitlines() == [
        pages[0].decode().splitlines()[0],  # the generated header
        '# <a name="reflekt.contents"></a>Events',
        "",
        "2 event(s) of shop, one page each below:",
        "",
        "- [Cart Viewed](#event.cart-viewed) (segment\\/ecommerce)",
        "- [Order Completed](#event.order-completed) (segment\\/ecommerce)",
    ]
    assert b"Email Opened" not in result.stdout_bytes  # marketing is not selected


def test_one_event_prints_its_page_alone(shop) -> None:
    result = report(shop, "--select", "segment/ecommerce/Cart_Viewed")
    assert result.exit_code == 0, result.stderr
    assert stream_parts(result.stdout_bytes) == built_pages(shop, "segment/ecommerce/Cart_Viewed")
    lines = result.stdout.splitlines()
    assert lines[1:4] == ["# Cart Viewed", "", "Events / segment\\/ecommerce"]
    assert "](" not in result.stdout and "<a name" not in result.stdout  # no link, no anchor


def test_every_event_in_a_deterministic_order(shop) -> None:
    first = report(shop)
    assert first.exit_code == 0, first.stderr
    assert first.stdout_bytes == report(shop).stdout_bytes
    assert stream_pages(first.stdout_bytes) == built_pages(shop)


def test_the_core_renders_one_part_per_step(shop) -> None:
    stream = markdown_pages(load_project(shop.root), ["segment"])
    parts = stream.parts()
    assert iter(parts) is parts  # an iterator, not a list or one string
    label, text = next(parts)
    assert label == "contents" and "[Cart Viewed](#event.cart-viewed)" in text
    path, text = next(parts)
    assert path == "events/segment/ecommerce/Cart_Viewed.md" and "</a>Cart Viewed\n" in text
    assert [p for p, _ in parts] == [
        "events/segment/ecommerce/Order_Completed.md",
        "events/segment/marketing/Email_Clicked.md",
        "events/segment/marketing/Email_Opened.md",
    ]
    assert stream.count == 4
    chunks = [text for _, text in stream.chunks()]
    assert "".join(chunks) == STREAM_SEPARATOR.join(text for _, text in stream.parts())


def test_hostile_descriptions_come_out_escaped_as_the_build_writes_them(hostile) -> None:
    hostile.add_schema(
        "segment/hostile/Osc_Event/1-0",
        {"note": {"type": "string", "description": HOSTILE}},
        name="Osc \x1b]0;title\x07 Event",
        description=HOSTILE,
    )
    result = report(hostile, "--select", "segment/hostile")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "<script>", "{{ 7*7 }}", "{% raw %}"):
        assert raw not in out.split("<summary>Show the file</summary>")[0], repr(raw)
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")  # not even in the JSON source
    assert r"Evil \\x1b\]52\;c\;ZXZpbA\=\=\\x07 and \\x1b\[2J" in out  # shown, inert
    assert "&lt;script&gt;" in out and "\\{\\{ 7\\*7 \\}\\}" in out
    assert stream_pages(result.stdout_bytes) == built_pages(
        hostile, "segment/hostile", anchors=[HOSTILE_ANCHOR, b"event.osc-0-title-event"]
    )


def test_a_select_that_matches_nothing_is_exit_2_with_nothing_on_stdout(shop) -> None:
    missing = report(shop, "--select", "segment/ecommerce/No_Such_Event")
    assert missing.exit_code == 2
    assert missing.stdout == ""
    assert "Error:" in missing.stderr and "No_Such_Event" in missing.stderr

    (shop.root / "schemas" / "segment" / "empty_plan").mkdir()
    empty = report(shop, "--select", "segment/empty_plan")
    assert empty.exit_code == 2
    assert empty.stdout == ""
    assert "Error:" in empty.stderr and "segment/empty_plan" in empty.stderr


def test_dry_run_without_to_file_is_a_usage_error(shop) -> None:
    before = tree(shop.root)
    result = report(shop, "--select", "segment/ecommerce", "--dry-run")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--dry-run goes with --to-file" in result.stderr
    assert tree(shop.root) == before


def test_to_file_writes_the_catalog_and_its_dry_run_lists_the_files(shop) -> None:
    folder = shop.root / "artifacts" / "docs-md"
    dry = report(shop, "--select", "segment/ecommerce", "--to-file", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "events/segment/ecommerce/Cart_Viewed.md" in dry.stdout
    assert not folder.exists()

    written = report(shop, "-s", "segment/ecommerce", "-f")
    assert written.exit_code == 0, written.output
    assert "(pages in artifacts/docs-md/)" in written.stderr
    assert (folder / "events/segment/ecommerce/Cart_Viewed.md").is_file()
    assert not (folder / "events/segment/marketing/Email_Opened.md").exists()
    assert "Built the docs (markdown)" in written.stdout


def test_help_documents_stdout_dry_run_and_exit_codes() -> None:
    text = " ".join(CliRunner().invoke(cli, ["report", "--help"]).output.split())
    assert "printed on standard output" in text
    assert "--dry-run needs --to-file" in text and "exit 2" in text
    assert "reflekt report --select ecommerce/Cart_Viewed > Cart_Viewed.md" in text


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "reflekt", *args],
        capture_output=True,
        env=env,
        check=False,
        **kwargs,
    )


def test_subprocess_keeps_stdout_pure_markdown(hostile) -> None:
    hostile.add_schema(
        "segment/hostile/Osc_Event/1-0", {"a": {"type": "string"}}, description=HOSTILE
    )
    done = _run(["report", "--select", "segment/hostile", "--project-dir", str(hostile.root)])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"<!-- Generated by Reflekt")
    assert b"note:" not in done.stdout and b"\x1b" not in done.stdout
    assert done.stderr.decode().startswith("note: `reflekt report` is reflekt 0.6's command")
    assert stream_pages(done.stdout) == built_pages(
        hostile, "segment/hostile", anchors=[HOSTILE_ANCHOR, b"event.osc-event"]
    )

    missing = _run(["report", "-s", "segment/nope", "--project-dir", str(hostile.root)])
    assert missing.returncode == 2
    assert missing.stdout == b"" and b"Error:" in missing.stderr


def test_a_reader_that_stops_early_ends_the_run_quietly(make_project) -> None:
    project = make_project(name="many")
    for index in range(60):
        project.add_schema(
            f"segment/big/Event_{index:02d}/1-0",
            {"a": {"type": "string", "description": "words " * 400}},
        )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reader = subprocess.Popen(
        [sys.executable, "-m", "reflekt", "report", "--project-dir", str(project.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.read(100).startswith(b"<!-- Generated by Reflekt")
    reader.stdout.close()  # as `| head -c 100` does
    stderr = reader.stderr.read()
    assert reader.wait(timeout=120) == 0, stderr
    assert b"Traceback" not in stderr and b"Error" not in stderr
    assert not (project.root / "artifacts" / "docs-md").exists()
