"""The catalog as files: a static HTML site, or GitHub-flavoured Markdown pages.

Both are Jinja templates under `templates/`:
- HTML (`*.html.j2`) renders with autoescape on; outside text goes through `t`
  (`escape.display_text`: controls and bidi marks made visible) before autoescape. The
  JSON source is written as text and highlighted in the browser when opened (the script
  builds text nodes, never markup). The search data is a JS file,
  `window.REFLEKT_INDEX = <escape.script_json>`, since `fetch` of local JSON fails from
  `file://`.
- Markdown (`*.md.j2`) renders with autoescape off and a `finalize` that refuses any value
  not passed through one of its escaping filters (as the dbt templates do), so nothing
  outside reaches a page unescaped.

Every file starts with the generated header (`<!-- ... -->`, or `/* ... */` for CSS and
JS): the writer never touches a file without it. Output is deterministic (no time stamps;
events, facets and properties sorted), so a rebuild of unchanged schemas is byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reflekt.core import escape
from reflekt.core.build.dbt import GENERATED_MARKER
from reflekt.core.build.templating import Escaped, UnescapedValueError
from reflekt.core.docs.model import USES_SHOWN, Catalog, DocEvent, PropertyRow

DOCS_MARK = f"{GENERATED_MARKER} (reflekt build docs)"
HEADER_TEXT = f"{DOCS_MARK}: do not edit, a rebuild overwrites this file."
STATUS_LABELS = (
    ("errors", "Lint errors"),
    ("warnings", "Lint warnings"),
    ("deprecated", "Deprecated"),
    ("clean", "Clean"),
)
ASSETS = ("catalog.css", "catalog.js")
INDEX_DATA = "assets/search-index.js"
MAX_SEARCH_DESCRIPTION = 400  # characters of a description the search data holds


Existing = Callable[[str], "str | None"]  # a generated file's text now, by relative path
PAGE_KEY = "<!-- reflekt docs page: "


@cache
def _code_digest() -> str:
    """What the pages' look depends on besides their data: the templates, the static
    files and this module (a new Reflekt renders every page again)."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(
        [*package.glob("templates/*.j2"), *package.glob("static/*"), Path(__file__)]
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


PageSpec = tuple[str, Callable[[], str], Callable[[], str]]  # path, its inputs, its render


def _reused(current: str, key: str) -> bool:
    """Whether the page on disk carries `key` and the digest of its own text."""
    _first, _, rest = current.partition("\n")
    line, _, body = rest.partition("\n")
    return line == f"{PAGE_KEY}{key} {_digest(body)} -->"


def _page_key(inputs: Callable[[], str]) -> str:
    return _digest(_code_digest() + "\0" + inputs())


def _keyed(key: str, text: str) -> str:
    first, _, body = text.partition("\n")
    return f"{first}\n{PAGE_KEY}{key} {_digest(body)} -->\n{body}"


FORK_ABOVE = 1000  # pages to render: more than this render in forked processes (jobs > 1)
_fork_spec: Callable[[int], PageSpec] | None = None  # what a forked worker renders


def each_page(
    count: int,
    spec: Callable[[int], PageSpec],
    existing: Existing | None,
    jobs: int,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, str]:
    """The event pages, each rendered only when it has to be.

    A page's second line names the digest of what it was made from (its inputs: the event's
    data, the page's context, the templates) and of its own text below that line. When the
    page on disk carries the same two, it is this page already and its text is reused (a
    rebuild of 5,000 unchanged events renders none); a page edited by hand fails the second
    digest and is rendered again (then overwritten: it still has the header). A page not on
    disk is rendered without asking for its key first: the key (a `repr` of the event, a
    fifth of a page's cost) is made with the page, in the worker that renders it. More than
    FORK_ABOVE pages to render, with `jobs` > 1, render in `jobs` processes: `jobs` - 1
    forked workers that inherit the catalog and the templates (only the pages' text comes
    back) and this one, which first runs `meanwhile` (the build's other files; run once,
    whatever the count, before this returns).
    """
    pages: dict[str, str] = {}
    todo: list[tuple[int, str, str | None]] = []  # index, path, key (None: not made yet)
    for index in range(count):
        path, inputs, _render = spec(index)
        current = existing(path) if existing is not None else None
        if current is None:
            todo.append((index, path, None))
            continue
        key = _page_key(inputs)
        if _reused(current, key):
            pages[path] = current
        else:
            todo.append((index, path, key))
    keys = {index: key for index, _path, key in todo if key is not None}
    for (_index, path, _key), text in zip(
        todo, _render_all([i for i, _, _ in todo], spec, keys, jobs, meanwhile), strict=True
    ):
        pages[path] = text
    return pages


def _render_keyed(spec: Callable[[int], PageSpec], index: int, key: str | None) -> str:
    """The page with its key line (the key made here when not known yet)."""
    _path, inputs, render = spec(index)
    return _keyed(key if key is not None else _page_key(inputs), render())


def _render_all(
    indices: list[int],
    spec: Callable[[int], PageSpec],
    keys: dict[int, str],
    jobs: int,
    meanwhile: Callable[[], None] | None,
) -> list[str]:
    from reflekt.core.forkpool import fork_available, run_forked

    if not (jobs > 1 and len(indices) > FORK_ABOVE and fork_available()):
        if meanwhile is not None:
            meanwhile()
        return [_render_keyed(spec, index, keys.get(index)) for index in indices]
    global _fork_spec
    _fork_spec = spec
    size = -(-len(indices) // jobs)
    chunks = [
        [(index, keys.get(index)) for index in indices[start : start + size]]
        for start in range(0, len(indices), size)
    ]
    # This process renders the last chunk itself rather than waiting: one worker less to
    # fork, and half the pages (not all of them) pickled through a pipe.
    *forked, own = chunks
    mine: list[str] = []

    def render_own() -> None:
        if meanwhile is not None:
            meanwhile()
        mine.extend(_render_keyed(spec, index, key) for index, key in own)

    try:
        parts = dict(run_forked(_render_forked, list(enumerate(forked)), len(forked), render_own))
    finally:
        _fork_spec = None
    return [text for at in range(len(forked)) for text in parts[at]] + mine


def _render_forked(task: tuple[int, list[tuple[int, str | None]]]) -> tuple[int, list[str]]:
    """In a worker: a chunk's pages, with the chunk's place (they come back in any order)."""
    spec = _fork_spec
    assert spec is not None
    at, chunk = task
    return at, [_render_keyed(spec, index, key) for index, key in chunk]


def html_header() -> str:
    return f"<!-- {HEADER_TEXT} -->"


def asset_header() -> str:
    return f"/* {HEADER_TEXT} */"


# --- shared filters ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def href(path: str) -> str:
    """A page path of ours as a relative URL (each part percent-encoded)."""
    return quote(path, safe="/~")


def anchor(path: str) -> str:
    """A fragment id for a property path, one per path: letters, digits, `-` and `_` kept,
    any other character as its hex code between dots (`products[].sku` ->
    `p-products.5b..5d..2e.sku`)."""
    return "p-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f".{ord(m.group()):x}.", path)


def pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.2f}%"


# --- HTML -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return escape.display_text(str(value))


@cache
def html_environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reflekt.core.docs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update({"t": _text, "href": href, "anchor": anchor, "pct": pct})
    return env


def _conflicts(catalog: Catalog) -> list[Any]:
    return [e for e in catalog.properties if e.type_conflict or e.description_conflict]


def _common(catalog: Catalog, command: str, header: Any) -> dict[str, Any]:
    """What every page's template gets, HTML and Markdown alike (`header`: already safe
    for the format's autoescaping)."""
    return {
        "header": header,
        "project": catalog.project,
        "events": catalog.events,
        "properties": catalog.properties,
        "facets": catalog.facets,
        "schema_count": catalog.schema_count,
        "command": command,
        "with_audit": catalog.with_audit,
        "shown": USES_SHOWN,
    }


def html_files(
    catalog: Catalog, command: str, existing: Existing | None = None, jobs: int = 1
) -> dict[str, str]:
    """{path: text} of the whole site: index, properties, one page per event, assets."""
    from markupsafe import Markup

    env = html_environment()
    conflicts = _conflicts(catalog)
    common = _common(catalog, command, Markup(html_header()))
    files: dict[str, str] = {}

    def site_pages() -> None:
        """The index, the property index and the search data: rendered here while the
        workers render the event pages (else this process idled meanwhile)."""
        files["index.html"] = env.get_template("index.html.j2").render(
            **common,
            root="",
            current="index",
            conflicts=len(conflicts),
            status_labels=STATUS_LABELS,
        )
        files["properties.html"] = env.get_template("properties.html.j2").render(
            **common, root="", current="properties", conflicts=conflicts
        )
        files[INDEX_DATA] = search_data(catalog)

    event_template = env.get_template("event.html.j2")
    context = repr((catalog.project, command, catalog.with_audit))

    def event_page(index: int) -> PageSpec:
        event = catalog.events[index]

        def page() -> str:
            return _ending(
                event_template.render(**common, root=_root(event), current="event", event=event)
            )

        return f"{event.page}.html", lambda: f"html\0{context}\0{event!r}", page

    pages = each_page(len(catalog.events), event_page, existing, jobs, meanwhile=site_pages)
    files.update(pages)
    for asset in ASSETS:
        files[f"assets/{asset}"] = static_asset(asset)
    # GitHub Pages runs Jekyll unless told not to, and Jekyll leaves out files and folders
    # that start with `_` (an event folder may): publish the files as they are.
    files[".nojekyll"] = (
        f"{HEADER_TEXT}\nGitHub Pages: publish these files as they are (no Jekyll).\n"
    )
    return {path: _ending(text) for path, text in files.items()}


def _ending(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def static_asset(name: str) -> str:
    """A CSS or JS file of `static/`, with the generated header as its first line."""
    body = resources.files("reflekt.core.docs").joinpath("static", name).read_text("utf-8")
    return f"{asset_header()}\n{body}"


def search_data(catalog: Catalog) -> str:
    """The index page's search data: `window.REFLEKT_INDEX = {...};`.

    Per event, in the order of the page's list: name, plan, owners, status, property paths
    and the start of the description, as the page shows them (`display_text`).
    """
    events = [
        [
            _text(event.name),
            _text(event.plan),
            [_text(owner) for owner in event.owners],
            list(event.status),
            " ".join(_text(row.path) for row in event.newest.properties),
            _text(event.description[:MAX_SEARCH_DESCRIPTION]),
        ]
        for event in catalog.events
    ]
    data = {
        "version": 1,
        "fields": ["name", "plan", "owners", "status", "properties", "description"],
        "events": events,
    }
    return f"{asset_header()}\nwindow.REFLEKT_INDEX = {escape.script_json(data)};\n"


# --- Markdown ---------------------------------------------------------------------------------


def _marked(function: Callable[..., str]) -> Callable[..., Escaped]:
    def apply(value: Any, *args: Any) -> Escaped:
        return Escaped(function(value, *args))

    return apply


def _remembered(function: Callable[[str], str]) -> Callable[[Any], Escaped]:
    """`_marked(function)` remembered per text (`function` takes `str(value)` only): names,
    types, rule names and messages repeat over thousands of rows, and each Markdown escape
    is three regex passes (half the time of a Markdown page)."""

    @lru_cache(maxsize=65536)
    def text(value: str) -> Escaped:
        return Escaped(function(value))

    def apply(value: Any) -> Escaped:
        return text(str(value))

    return apply


def _md(value: Any) -> str:
    return escape.markdown_text(escape.display_text(str(value)))


def _cell(value: Any) -> str:
    return escape.markdown_cell(escape.display_text(str(value)))


def _code(value: Any) -> str:
    return escape.markdown_code(escape.display_text(str(value)))


def _cell_code(value: Any) -> str:
    """Code span text inside a GFM table cell: GFM splits a row at `|` even inside a code
    span, unless escaped (and shows `\\|` there as `|`)."""
    return _code(value).replace("|", "\\|")


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnescapedValueError(f"`n` takes a number, not {type(value).__name__}")
    return str(value)


def _own(value: Any) -> str:
    """Our own words (a change class, yes/no): letters, digits, spaces and `-` only."""
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9 -]*", text):
        raise UnescapedValueError(f"`own` takes our own words, not {text[:40]!r}")
    return text


def _rules(row: PropertyRow) -> str:
    parts = []
    if row.const is not None:
        parts.append(f"const `{_cell_code(row.const)}`")
    if row.values:
        parts.append("one of " + ", ".join(f"`{_cell_code(value)}`" for value in row.values))
    if row.format:
        parts.append(f"format `{_cell_code(row.format)}`")
    if row.pattern:
        parts.append(f"pattern `{_cell_code(row.pattern)}`")
    parts += [_cell(bound) for bound in row.bounds]
    return "; ".join(parts)


def _indent(depth: Any) -> str:
    return "&nbsp;&nbsp;" * int(depth) + ("↳ " if depth else "")


def _finalize(value: Any) -> Escaped:
    if isinstance(value, Escaped):
        return value
    raise UnescapedValueError(
        f"a Markdown template printed {type(value).__name__} {str(value)[:40]!r} without "
        "an escaping filter"
    )


@cache
def markdown_environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reflekt.core.docs", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        {
            "md": _remembered(_md),
            "cell": _remembered(_cell),
            "code": _remembered(_code),
            "cellcode": _remembered(_cell_code),
            "n": _marked(_number),
            "own": _marked(_own),
            "link": _marked(href),
            "pct": _marked(pct),
            "rules": _marked(_rules),
            "indent_md": _marked(_indent),
            "fence": _marked(escape.markdown_fence),
            "fragment": _marked(_fragment),
        }
    )
    return env


def markdown_files(
    catalog: Catalog, command: str, existing: Existing | None = None, jobs: int = 1
) -> dict[str, str]:
    """{path: text}: index.md, properties.md and one page per event."""
    env = markdown_environment()
    conflicts = _conflicts(catalog)
    common = _common(catalog, command, Escaped(html_header()))
    files: dict[str, str] = {}

    def site_pages() -> None:
        """The index and the property index, rendered while the workers render the events."""
        index = env.get_template("index.md.j2").render(**common, conflicts=len(conflicts))
        files["index.md"] = _tidy(index)
        listed = env.get_template("properties.md.j2").render(**common, conflicts=conflicts)
        files["properties.md"] = _tidy(listed)

    event_page = _markdown_event_spec(catalog, command, common)
    files.update(each_page(len(catalog.events), event_page, existing, jobs, meanwhile=site_pages))
    return files


# --- Markdown on standard output (`reflekt report`) -----------------------------------------

# The stream is one document: its links cannot be the site's file-relative ones. Its own
# anchors are explicit `<a name="...">`, GitHub's documented "custom anchor" (its sanitizer
# keeps `name` on `a`, not `id`, prefixed `user-content-`, and follows `#name` to it; a
# browser follows `#name` to an `a` of that name too), never a heading's slug: a slug
# depends on the renderer and on every heading before it. Each name holds a `.`, which no
# GitHub heading slug does (it drops punctuation), so no heading can take one.
CONTENTS_ANCHOR = "reflekt.contents"
STREAM_SEPARATOR = "\n---\n\n"  # between two parts: blank line, thematic break, blank line
_FRAGMENT = re.compile(r"[a-z0-9][a-z0-9.-]*")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 60  # characters of an event name an anchor keeps


def _fragment(value: Any) -> str:
    """One of our anchor names (`stream_anchors`): lower-case ASCII letters, digits, `.`, `-`."""
    text = str(value)
    if not _FRAGMENT.fullmatch(text):
        raise UnescapedValueError(f"`fragment` takes an anchor name of ours, not {text[:40]!r}")
    return text


def stream_anchors(events: Sequence[DocEvent]) -> dict[str, str]:
    """{event page: anchor name}, one distinct name per page: `event.` and the event name's
    ASCII letters and digits in lower case, runs of anything else as `-` (`Cart Viewed` ->
    `event.cart-viewed`; a name with none of them: `event.page`); an anchor taken by an
    earlier page gets `.2`, `.3`, ... in the stream's order. Nothing of the event name
    but [a-z0-9] reaches the anchor."""
    anchors: dict[str, str] = {}
    used = {CONTENTS_ANCHOR}
    for event in events:
        slug = _NOT_SLUG.sub("-", event.name.lower())[:MAX_SLUG].strip("-") or "page"
        anchor_id, count = f"event.{slug}", 1
        while anchor_id in used:
            count += 1
            anchor_id = f"event.{slug}.{count}"
        used.add(anchor_id)
        anchors[event.page] = anchor_id
    return anchors


def markdown_stream(catalog: Catalog, command: str) -> Iterator[tuple[str, str]]:
    """The selected events' pages as one Markdown document, part by part, each rendered
    when asked for (the whole document is never one string): (label, text).

    One event: its page alone (label: its path), as `markdown_files` writes it but for the
    links: the breadcrumb's `Events` is plain text (there is no index in the stream) and
    the page key line is left out (it only serves a rebuild of the written page). More:
    first a contents list (label `contents`) linking each page by its anchor, then each
    page (its heading holding that anchor, its `Events` linking the contents list). The
    parts are joined by `STREAM_SEPARATOR`. Every link then resolves inside
    the document; a link to a page not in it (the index, the property index, an event not
    selected) is plain text.
    """
    env = markdown_environment()
    common = _common(catalog, command, Escaped(html_header()))
    template = env.get_template("event.md.j2")
    several = len(catalog.events) > 1
    anchors = stream_anchors(catalog.events) if several else {}
    if several:
        entries = [(event, anchors[event.page]) for event in catalog.events]
        contents = env.get_template("stream_contents.md.j2").render(
            **common, entries=entries, contents_anchor=CONTENTS_ANCHOR
        )
        yield "contents", _tidy(contents)
    for event in catalog.events:
        text = template.render(
            **common,
            event=event,
            anchor_id=anchors.get(event.page),
            index_page=None,
            index_anchor=CONTENTS_ANCHOR if several else None,
        )
        yield f"{event.page}.md", _tidy(text)


def _markdown_event_spec(
    catalog: Catalog, command: str, common: dict[str, Any]
) -> Callable[[int], PageSpec]:
    template = markdown_environment().get_template("event.md.j2")
    context = repr((catalog.project, command, catalog.with_audit))

    def event_page(index: int) -> PageSpec:
        event = catalog.events[index]

        def page() -> str:
            return _tidy(
                template.render(
                    **common,
                    event=event,
                    anchor_id=None,
                    index_page=_root(event) + "index.md",
                    index_anchor=None,
                )
            )

        return f"{event.page}.md", lambda: f"markdown\0{context}\0{event!r}", page

    return event_page


def _root(event: DocEvent) -> str:
    return "../" * event.page.count("/")


_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """One blank line between blocks at most, one newline at the end (templates' loops
    leave more). Only runs of empty lines are touched: a fenced block never holds one
    (its lines are JSON source, `markdown_fence` strips trailing newlines; blank lines
    inside the file's text would be kept only up to one, which JSON does not need)."""
    return _BLANK_RUNS.sub("\n\n", text).rstrip("\n") + "\n"
