"""The one escaping module: outside text (names, descriptions, ids) made safe for each target.

Everything that comes from a schema file, a registry or a file name and lands in generated
text goes through a function here, chosen by where it lands:

- `jinja_text`      text in a place dbt renders with Jinja (YAML descriptions): renders back to
                    exactly the original, and nothing in it can run (`{{`, `{%`, `{#`).
- `jinja_string`    a Jinja string literal (`'...'`) that evaluates to exactly the original;
                    `jinja_string_decode` reads one back.
- `sql_string`      a SQL string literal inside a dbt model (quotes doubled, Jinja-safe).
- `dbt_quote`       a warehouse identifier quoted by the adapter (`{{ adapter.quote('...') }}`).
- `comment_text`    one printable line for a `--` / `#` comment, with no `{` or `}` (so no Jinja
                    can form); `comment_decode` gives the original back (the build's header).
- `html_comment`    the same for `<!-- -->` comments (no `-`, `<`, `>` either).
- `yaml_scalar`     one YAML scalar that `yaml.safe_load` reads back as the original.
- `markdown_text`   inline Markdown that displays the original (and forms no Jinja or HTML).
- `markdown_code`   text for a Markdown code span or block (one line, no backticks).
- `markdown_cell`   text for a cell of a GitHub-flavoured Markdown table (no `|` or line break
                    can end the cell or the row).
- `xml_text`        text an XML 1.0 document can hold (JUnit reports); ElementTree escapes the
                    markup characters, this replaces the characters XML cannot carry at all.
- `terminal_text`   text printed on a terminal: controls, bidi marks, lone surrogates shown as
                    visible escapes (`\\x1b`); newline and tab kept (CLI console, TUI, text
                    formatters).

Pure functions of str to str, standard library only, so every generator (dbt, code, docs) and
the terminal output can use them. Each is total: any str in, including control characters and
lone surrogates, gives an output that encodes as UTF-8.
"""

from __future__ import annotations

import json
import re
from typing import Any

# --- Jinja --------------------------------------------------------------------------------------

# What makes dbt render a string at all (dbt's own `_HAS_RENDER_CHARS_PAT`): a string without
# these is used as is. Jinja also rewrites `\r` and `\r\n` to `\n` in rendered text.
_RENDER_CHARS = re.compile(r"{[{%#]|[#}%]}")
_RAW_OPEN = "{% raw %}"
_RAW_CLOSE = "{% endraw %}"
_CR = "{{ '\\r' }}"
# Split points of `jinja_text`: every `\r`, and between the `{` and `%` of every `{%` (so no
# raw block can hold `{%`, hence never its own end tag `{% endraw %}` in any spelling).
_JINJA_SPLIT = re.compile(r"(\r)|(?<=\{)(?=%)")
_JINJA_PART = re.compile(r"\{% raw %\}(.*?)\{% endraw %\}|\{\{ '\\r' \}\}", re.DOTALL)


def jinja_text(text: str) -> str:
    """`text` for a place dbt renders with Jinja: it renders back to exactly `text`.

    Unchanged when dbt would not render it (no Jinja delimiter, no `\\r`). Otherwise it is cut
    into `{% raw %}...{% endraw %}` blocks, split between the `{` and `%` of every `{%` (a raw
    block then never holds an end tag), with each `\\r` as the expression `{{ '\\r' }}` (Jinja
    turns a raw `\\r` into `\\n`). The result starts with `{%`, so dbt always renders it.
    """
    if not _RENDER_CHARS.search(text) and "\r" not in text:
        return text
    parts: list[str] = []
    for piece in _JINJA_SPLIT.split(text):
        if piece == "\r":
            parts.append(_CR)
        elif piece:
            parts.append(f"{_RAW_OPEN}{piece}{_RAW_CLOSE}")
    return "".join(parts)


def jinja_text_decode(text: str) -> str:
    """The original of a `jinja_text` result; any other text is returned unchanged."""
    if not text.startswith(("{% raw %}", "{{ '\\r' }}")):
        return text
    pieces: list[str] = []
    position = 0
    while position < len(text):
        match = _JINJA_PART.match(text, position)
        if match is None:
            return text  # not ours (a hand-written or older file): keep it as it is
        pieces.append("\r" if match.group(1) is None else match.group(1))
        position = match.end()
    return "".join(pieces)


# Characters a Jinja string literal should not hold raw: line breaks (Jinja rewrites `\r`),
# other controls and separators (kept readable and on one line), and lone surrogates.
_STRING_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def jinja_string(text: str, quote: str = "'") -> str:
    """A Jinja string literal (with its quotes) that evaluates to exactly `text`.

    Jinja decodes string literals with Python's `unicode-escape`, so `\\`, the quote and
    every control character are written as backslash escapes.
    """
    if quote not in ("'", '"'):
        raise ValueError("quote must be ' or \"")
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + _STRING_UNSAFE.sub(_backslash_escape, body) + quote


def _backslash_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


# A `jinja_string` result: a quote, then characters and the escapes it writes (`\\`, `\'`,
# `\"`, `\uXXXX`), then the same quote; never a raw control character or line break.
_LITERAL_BODY = r"(?:[^{q}\\\x00-\x1f\x7f-\x9f\u2028\u2029]|\\(?:[\\'\"]|u[0-9a-f]{{4}}))*"
_STRING_LITERAL = re.compile(
    "'(" + _LITERAL_BODY.format(q="'") + ")'|\"(" + _LITERAL_BODY.format(q='"') + ')"'
)
_LITERAL_ESCAPE = re.compile(r"\\([\\'\"]|u[0-9a-f]{4})")


def jinja_string_decode(literal: str) -> str | None:
    """The text a `jinja_string` result (quotes included) stands for; None for anything else
    (another escape, a line break, a missing quote: not written by `jinja_string`)."""
    match = _STRING_LITERAL.fullmatch(literal)
    if match is None:
        return None
    body = match.group(1) if match.group(1) is not None else match.group(2)
    return _LITERAL_ESCAPE.sub(
        lambda m: m.group(1) if len(m.group(1)) == 1 else chr(int(m.group(1)[1:], 16)), body
    )


# --- SQL --------------------------------------------------------------------------------------

_JINJA_SEQUENCES = ("{{", "}}", "{%", "%}", "{#", "#}")


def sql_string(value: str, dialect: str = "duckdb") -> str:
    """A SQL string literal for `value`, safe inside a dbt model (which dbt renders).

    Quotes are doubled; Snowflake also treats `\\` as an escape, so it is doubled there. A
    literal that Jinja would change (a delimiter, `\\r`, a control character) is written as a
    Jinja string expression that prints the literal, so dbt renders it back verbatim.
    """
    if dialect == "bigquery":
        # BigQuery has no doubled quote: backslash escapes, and none of its strings may
        # hold a raw line break, so every control character is a `\\uXXXX` escape.
        text = value.replace("\\", "\\\\").replace("'", "\\'")
        text = _STRING_UNSAFE.sub(_bigquery_escape, text)
    else:
        text = value.replace("'", "''")
    if dialect == "snowflake":
        text = text.replace("\\", "\\\\")
    literal = f"'{text}'"
    if _STRING_UNSAFE.search(literal) or any(seq in literal for seq in _JINJA_SEQUENCES):
        return "{{ " + jinja_string(literal, '"') + " }}"
    return literal


def _bigquery_escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"  # a lone surrogate cannot be sent: the replacement character
    return f"\\u{ord(char):04x}"


def dbt_quote(name: str) -> str:
    """A warehouse identifier quoted by dbt's adapter (each warehouse has its own quoting)."""
    return "{{ adapter.quote(" + jinja_string(name) + ") }}"


# --- comments ---------------------------------------------------------------------------------

# Not allowed raw in a one-line comment: line breaks of SQL, YAML (NEL, LS, PS too) and
# Markdown, characters YAML refuses anywhere in a file, and the braces Jinja's tags start with.
_COMMENT_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff{}]"
)
_HTML_COMMENT_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff{}<>-]"
)
_COMMENT_ESCAPE = re.compile(r"\\(\\|u[0-9a-f]{4})")


def comment_text(text: str) -> str:
    """`text` as one printable line for a `--` or `#` comment, in which no Jinja can form.

    `\\` is doubled, and line breaks, control characters and `{`, `}` become `\\uXXXX`, so
    ordinary text (`segment/shop/Cart_Viewed/1-0.json`) is unchanged and `comment_decode`
    gives back the original exactly.
    """
    return _COMMENT_UNSAFE.sub(_backslash_escape, text.replace("\\", "\\\\"))


def html_comment(text: str) -> str:
    """`comment_text` for a `<!-- -->` comment: `-`, `<` and `>` are escaped too."""
    return _HTML_COMMENT_UNSAFE.sub(_backslash_escape, text.replace("\\", "\\\\"))


def comment_decode(text: str) -> str:
    """The original of a `comment_text` (or `html_comment`) result."""
    return _COMMENT_ESCAPE.sub(
        lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)), text
    )


# --- YAML -------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_ .,()/'+-]*$")
_YAML_WORDS = frozenset(
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
)  # plain scalars YAML 1.1 would read as booleans or null

# Characters YAML does not allow raw (its printable set is \t \n \r, x20-x7E, x85, xA0-xD7FF,
# xE000-xFFFD, x10000-x10FFFF); JSON leaves some unescaped. NEL, LS, PS (read as line
# breaks) and the BOM are escaped too.
_NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)


def yaml_scalar(value: Any) -> str:
    """One YAML scalar: plain when that is unambiguous, else a JSON (= YAML) quoted string.

    `yaml.safe_load` reads it back as `value` (None, bool, int, float or str).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if (
        _PLAIN.match(text)
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and text.lower() not in _YAML_WORDS
    ):
        return text
    return _NON_PRINTABLE.sub(_yaml_escape, json.dumps(text, ensure_ascii=False))


def _yaml_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


# --- Markdown ---------------------------------------------------------------------------------

# ASCII punctuation CommonMark lets a backslash escape, minus `&`, `<`, `>` (HTML entities).
_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=\"'^$:;,/?@%]")
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


def markdown_text(text: str) -> str:
    """`text` as inline Markdown that displays it as written (no markup, HTML or Jinja).

    Punctuation is backslash-escaped (so `{{` becomes `\\{\\{`), `&`, `<` and `>` become
    entities, line breaks and control characters a space, lone surrogates U+FFFD.
    """
    text = _SURROGATES.sub("\ufffd", _LINE_BREAKS.sub(" ", text))
    # Punctuation first: escaping after the entities would turn `&lt;` into `&lt\;`, which
    # is no entity and shows as the five characters `&lt;`.
    text = _MARKDOWN_PUNCTUATION.sub(lambda m: "\\" + m.group(), text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_code(text: str) -> str:
    """`text` for a Markdown code span or block: one line, no backticks (shown as `'`), and
    no Jinja delimiters (`{` and `}` shown as `(` and `)`): code shows backslashes raw, so
    there is no exact escape; names that need one (package names) never have these."""
    text = _SURROGATES.sub("\ufffd", _LINE_BREAKS.sub(" ", text))
    return text.replace("`", "'").replace("{", "(").replace("}", ")")


def markdown_cell(text: str) -> str:
    """`text` for one cell of a GitHub-flavoured Markdown table, displayed as written.

    GFM splits a row at every `|` not preceded by a backslash *before* it parses inlines, and
    a line break ends the row. `markdown_text` already writes `|` as `\\|` and `\\` as `\\\\`
    (so an escaped pipe never ends in a bare `|`) and line breaks as a space; a code span
    would not do (code shows backslashes raw, so `a\\|b` in one would end the cell).
    """
    return markdown_text(text)


# --- XML --------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold, even as character references: C0 controls but tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF.
_XML_UNSAFE = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with the characters XML 1.0 cannot carry written as visible `\\uXXXX`.

    The markup characters (`<`, `&`, quotes) are left to the serializer (ElementTree), which
    escapes them in text and attributes.
    """
    return _XML_UNSAFE.sub(_backslash_escape, text)


# --- terminal ---------------------------------------------------------------------------------

# C0 controls but `\t` and `\n`, DEL, C1 controls (CSI is \x9b, OSC \x9d): a terminal acts on
# them (titles, colours, cursor moves, hyperlinks). Bidi embeddings, overrides and isolates
# reorder what is shown (a name can look like another). Lone surrogates cannot be printed.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_text(text: str) -> str:
    """`text` safe to print on a terminal: controls and bidi marks as visible escapes.

    `\\x1b` (ESC) is shown as the four characters `\\x1b`, C1 controls likewise (`\\x9b`),
    bidi controls and lone surrogates as `\\u202e`. Newline and tab stay. Everything else,
    including ordinary non-ASCII text and emoji, is unchanged; no markup is added or removed
    (escape rich markup separately where text is printed with markup).
    """
    return _TERMINAL_UNSAFE.sub(_terminal_escape, text)


def _terminal_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# --- source code (generated TypeScript, JavaScript and Python) ------------------------------

# Not allowed raw in a comment of generated code: line terminators of JS (LS, PS too) and
# Python, characters a compiler refuses (NUL) and the bidi controls of "Trojan Source"
# (CVE-2021-42574), which make a comment show text other than what the compiler reads.
_CODE_COMMENT_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_CODE_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


def code_comment(text: str) -> str:
    """`text` as one line inside a `//`, `#` or `/** */` comment of generated code.

    `\\` is doubled, line breaks, controls and bidi marks become `\\uXXXX`, and `*/` becomes
    `*\\/`, so nothing in it can end the comment or hide code; ordinary text is unchanged.
    """
    escaped = _CODE_COMMENT_UNSAFE.sub(_backslash_escape, text.replace("\\", "\\\\"))
    return escaped.replace("*/", "*\\/")


def code_comment_lines(text: str) -> list[str]:
    """`text` (a description) as the lines of a doc comment, each made by `code_comment`;
    trailing blank lines dropped, [] for blank text."""
    lines = [code_comment(line).rstrip() for line in _CODE_LINE_BREAKS.split(text)]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def code_string(text: str) -> str:
    """A double-quoted string literal that TypeScript and JavaScript read as exactly `text`
    (JSON with every non-ASCII character escaped: no line terminator, bidi mark or lone
    surrogate stays raw in the source). Python reads it too, but for a character beyond
    U+FFFF, written as a surrogate pair, which Python reads as two lone surrogates: generated
    Python uses `python_string`."""
    return json.dumps(text, ensure_ascii=True)


_PYTHON_STRING_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


def python_string(text: str) -> str:
    """A double-quoted Python string literal that reads as exactly `text`, in printable
    ASCII: `"` and `\\` escaped, every other character outside U+0020-U+007E as `\\xNN`,
    `\\uNNNN` or `\\UNNNNNNNN` (a character beyond U+FFFF stays one character; a lone
    surrogate stays itself)."""
    return '"' + _PYTHON_STRING_UNSAFE.sub(_python_escape, text) + '"'


def _python_escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in '"\\':
        return "\\" + char
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# --- generated pages (the docs site: HTML, Markdown, the search data) ------------------------


def display_text(text: str) -> str:
    """Outside text as a generated page shows it: controls, bidi marks and lone surrogates
    as visible escapes (`\\u202e`), as `terminal_text` does, so a name cannot look like
    another or hide text; newline and tab kept. HTML markup is left to the template's
    autoescape, Markdown to `markdown_text`."""
    if text.isprintable():  # the common case, in C: nothing here is a control or bidi mark
        return text
    return terminal_text(text)


def script_json(value: Any) -> str:
    """`value` as a JavaScript expression (JSON) that no HTML or JS context can break out of.

    Every non-ASCII character is `\\uXXXX` (no line terminator U+2028/U+2029 stays raw), and
    `<`, `>` and `&` are too, so `</script>` or `<!--` in a name never ends a script.
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_BACKTICK_RUNS = re.compile(r"`+")


def markdown_fence(text: str, info: str = "") -> str:
    """`text` as a fenced Markdown code block that nothing in it can end: the fence is one
    backtick longer than the longest run of backticks in `text` (at least three). Bidi marks
    and controls but newline and tab are shown as `\\uXXXX` (in JSON source that is the
    same value)."""
    body = terminal_text(text).rstrip("\n")
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
