"""`reflekt report` on stdout is one Markdown document whose every link resolves inside it.

The output is rendered as GitHub would (CommonMark with tables, raw HTML kept), and every
link and anchor of the HTML is checked: a link is `#id` of an element of the same
document (the site's file-relative links, `../../../index.md`, would be dead once pasted
in a wiki or a pull request), each contents entry leads to the heading of its own event,
and hostile names (`](`, `#`, backticks, Jinja, `<script>`, bidi controls, OSC 52) add no
link, anchor or tag of theirs.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from reflekt.cli import cli
from reflekt.core.escape import display_text

# Tags the document itself makes: anything else came from a name or a description.
OUR_TAGS = {
    "h1", "h2", "h3", "p", "a", "ul", "li", "strong", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "details", "summary",
}  # fmt: skip

HOSTILE_NAMES = {
    "Link_Event": "Evil](../../../index.md) [x](#event.cart-viewed) #1 # not a heading",
    "Code_Event": "`tick` ``two`` {{ 7*7 }} {% raw %}x{% endraw %}",
    "Script_Event": '<script>alert(1)</script> <a href="../i.md" name="event.cart-viewed">a</a>',
    "Bidi_Event": "Bidi \u202eevil\u2066 isolate\u2069 \u200f",
    "Osc_Event": "Osc \x1b]52;c;ZXZpbA==\x07 and \x1b]8;;https://x.example\x07link \x9b2J",
    "Kana_Event": "カート",  # no ASCII letter: the anchor cannot come from the name
}
HOSTILE_DESCRIPTION = (
    "See [the index](../../../index.md), <a href='../properties.md'>properties</a> and "
    "[Cart](#event.cart-viewed)."
)


class Document(HTMLParser):
    """The rendered document's links, anchors (`a` names and ids, with the h1 holding
    each) and tags. A link `#x` goes to the element of id x, else the `a` named x (as a
    browser finds it; GitHub keeps only the name, prefixed `user-content-`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.ids: list[str] = []
        self.headings: dict[str, str] = {}  # id inside an h1 -> the h1's text
        self._link: list[str] | None = None
        self._href = ""
        self._h1: list[str] | None = None
        self._h1_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        for anchor in (found.get("id"), found.get("name") if tag == "a" else None):
            if anchor:
                self.ids.append(anchor)
                if self._h1 is not None:
                    self._h1_ids.append(anchor)
        if tag == "h1":
            self._h1, self._h1_ids = [], []
        if tag == "a" and "href" in found:
            self._link, self._href = [], str(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._href, "".join(self._link)))
            self._link = None
        if tag == "h1" and self._h1 is not None:
            for anchor in self._h1_ids:
                self.headings[anchor] = "".join(self._h1)
            self._h1 = None

    def handle_data(self, data: str) -> None:
        for part in (self._link, self._h1):
            if part is not None:
                part.append(data)


def rendered(markdown: str) -> Document:
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    document = Document()
    document.feed(html)
    document.close()
    return document


def report(project, *selects: str) -> str:
    args = ["report", "--project-dir", str(project.root)]
    for select in selects:
        args += ["--select", select]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def assert_links_resolve(document: Document) -> None:
    assert document.links, "a stream of several pages links its contents list"
    dead = [href for href, _ in document.links if href[1:] not in document.ids]
    assert not [href for href, _ in document.links if not href.startswith("#")]
    assert not dead, dead
    assert len(document.ids) == len(set(document.ids))  # each anchor once
    assert set(document.tags) <= OUR_TAGS, set(document.tags) - OUR_TAGS


@pytest.fixture
def shop_names(shop):
    """The shop plans plus an event named as another is (its anchor must differ)."""
    shop.add_schema("segment/other/Cart_Viewed/1-0", {"a": {"type": "string"}})
    return shop


@pytest.mark.parametrize(
    ("selects", "names"),
    [
        (
            (),
            ["Cart Viewed", "Order Completed", "Email Clicked", "Email Opened", "Cart Viewed"],
        ),
        (("segment/ecommerce",), ["Cart Viewed", "Order Completed"]),
        (
            ("segment/ecommerce/Order_Completed", "segment/other"),
            ["Order Completed", "Cart Viewed"],
        ),
    ],
)
def test_every_link_of_the_stream_resolves_inside_it(shop_names, selects, names) -> None:
    document = rendered(report(shop_names, *selects))
    assert_links_resolve(document)
    contents = [link for link in document.links if link[0] != "#reflekt.contents"]
    assert [text for _, text in contents] == names  # one entry per page, in the stream's order
    for href, text in contents:
        assert document.headings[href[1:]] == text  # to the page of that event
    crumbs = [link for link in document.links if link[0] == "#reflekt.contents"]
    assert crumbs == [("#reflekt.contents", "Events")] * len(names)
    assert document.headings["reflekt.contents"] == "Events"


def test_a_name_twice_gets_two_anchors(shop_names) -> None:
    document = rendered(report(shop_names, "segment/ecommerce/Cart_Viewed", "segment/other"))
    assert [href for href, _ in document.links[:2]] == [
        "#event.cart-viewed",
        "#event.cart-viewed.2",
    ]


def test_one_page_has_no_link_at_all(shop) -> None:
    out = report(shop, "segment/ecommerce/Cart_Viewed")
    document = rendered(out)
    assert document.links == [] and document.ids == []
    assert document.tags.count("h1") == 1
    assert "\nEvents / segment\\/ecommerce\n" in out


def test_hostile_names_make_no_link_anchor_or_tag_of_theirs(make_project) -> None:
    project = make_project(name="hostile")
    project.add_schema("segment/shop/Cart_Viewed/1-0", description=HOSTILE_DESCRIPTION)
    for folder, name in HOSTILE_NAMES.items():
        project.add_schema(
            f"segment/hostile/{folder}/1-0",
            {"a": {"type": "string", "description": name}},
            name=name,
            description=f"{name} {HOSTILE_DESCRIPTION}",
        )
    out = report(project)
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u2069", "\u200f"):
        assert raw not in out, repr(raw)
    document = rendered(out)
    assert_links_resolve(document)
    pages = len(HOSTILE_NAMES) + 1
    assert len(document.links) == 2 * pages  # its contents entry and its `Events`, no more
    assert len(document.ids) == pages + 1  # its anchor, and the contents list's
    contents = [link for link in document.links if link[0] != "#reflekt.contents"]
    # The catalog's order: by plan, then name (hostile's `<`, `` ` ``, B, E, O, カ), then shop.
    expected = [*sorted(HOSTILE_NAMES.values(), key=str.casefold), "Cart Viewed"]
    assert [text for _, text in contents] == [display_text(name) for name in expected]
    for href, text in contents:
        assert document.headings[href[1:]] == text
    assert [href for href, _ in contents] == [
        "#event.script-alert-1-script-a-href-i-md-name-event-cart-viewed-a",  # cut at 60
        "#event.tick-two-7-7-raw-x-endraw",
        "#event.bidi-evil-isolate",
        "#event.evil-index-md-x-event-cart-viewed-1-not-a-heading",
        "#event.osc-52-c-zxzpba-and-8-https-x-example-link-2j",
        "#event.page",
        "#event.cart-viewed",
    ]
    assert "Osc \\\\x1b\\]52\\;c\\;ZXZpbA\\=\\=\\\\x07" in out  # shown as text, inert
