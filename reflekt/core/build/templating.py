"""The builder's Jinja environment: every interpolation in a template must be escaped.

Each filter here wraps a function of `reflekt.core.escape` and marks its result `Escaped`; the
environment's `finalize` refuses any other value, so a template that prints `{{ name }}`
without choosing how to escape it fails on its first render (and a test parses every
template to check that each interpolation ends in one of these filters).

- `sql_comment`, `yaml_comment`, `html_comment`: one-line comment text;
- `header(comment)`: the generated-file header naming some schema ids;
- `jinja_string`: a Jinja string literal, inside a dbt expression (`source(...)`);
- `yaml_value`: a YAML scalar that dbt renders back to the original;
- `markdown`, `markdown_code`: README text and code;
- `code`: SQL the builder assembled from escaped pieces, or the user's own `models.filter`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from reflekt.core import escape


class Escaped(str):
    """Text already escaped for the place a template puts it."""


class UnescapedValueError(TypeError):
    """A template printed a value without an escaping filter (a bug in the template)."""


def _marked(function: Callable[..., str]) -> Callable[..., Escaped]:
    def apply(value: Any, *args: Any) -> Escaped:
        return Escaped(function(value, *args))

    apply.__name__ = function.__name__
    return apply


def header_text(schema_ids: Sequence[str], comment: str) -> str:
    """The generated-file header (filter form of `reflekt.core.build.dbt.header`)."""
    from reflekt.core.build.dbt import header

    return header(comment, schema_ids)


def _yaml_value(value: Any) -> str:
    return escape.yaml_scalar(escape.jinja_text(value) if isinstance(value, str) else value)


def _code(value: str) -> str:
    if not isinstance(value, str):
        raise UnescapedValueError(f"`code` takes generated text, not {type(value).__name__}")
    return value


FILTERS: dict[str, Callable[..., Escaped]] = {
    "sql_comment": _marked(escape.comment_text),
    "yaml_comment": _marked(escape.comment_text),
    "html_comment": _marked(escape.html_comment),
    "header": _marked(header_text),
    "jinja_string": _marked(escape.jinja_string),
    "yaml_value": _marked(_yaml_value),
    "markdown": _marked(escape.markdown_text),
    "markdown_code": _marked(escape.markdown_code),
    "code": _marked(_code),
}


def _finalize(value: Any) -> Escaped:
    if isinstance(value, Escaped):
        return value
    raise UnescapedValueError(
        f"a template printed {type(value).__name__} {str(value)[:40]!r} without an escaping "
        f"filter (one of: {', '.join(sorted(FILTERS))})"
    )


@cache
def environment() -> Any:
    """The jinja2 Environment of the builder's templates (imported lazily: start fast)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reflekt.core.build", "templates"),
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the builder's templates; the text always ends with a newline."""
    text = environment().get_template(template).render(**context)
    return text if text.endswith("\n") else text + "\n"
