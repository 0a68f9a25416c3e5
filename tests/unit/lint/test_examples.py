"""Every lint rule's Bad and Good examples, linted through the public API (as sqlfluff and
ruff test theirs): a Bad example yields the rule's finding, a Good one yields no finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml

from reflekt.core.lint import Issue, Rule, SchemaContext, all_rules, lint_project, schema_rule
from reflekt.core.lint.examples import Example, bad, good
from reflekt.core.project import load_project

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{example.verdict}-{index}")
    for rule in all_rules()
    for index, example in enumerate(rule.examples)
]


def _merged(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merged(base[key], value)
        else:
            base[key] = value
    return base


def _lint(builder: Any, example: Example, rule: Rule | None = None) -> list[tuple[str, str, str]]:
    """(rule, schema id, message) of every finding when the example's project is linted
    (with `rule` switched on when it is off by default)."""
    config_path = builder.root / "reflekt_project.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    _merged(config["schemas"]["conventions"], example.conventions)
    if rule is not None and rule.off_by_default:
        config["lint"] = {"rules": {rule.code: rule.severity}}
    builder.set_config(yaml.safe_dump(config, sort_keys=False))
    for schema_id, text in example.schema_files().items():
        builder.write_raw(f"schemas/{schema_id}", text)
    report = lint_project(load_project(builder.root))
    return [(f.rule, f.schema_id, f.message) for f in report.findings]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(make_project, rule: Rule, example: Example) -> None:
    findings = _lint(make_project(), example, rule)
    if example.verdict == "bad":
        assert rule.code in {code for code, _, _ in findings}, (example.text(), findings)
    else:
        assert findings == [], example.text()


def test_a_fragment_lands_over_a_well_formed_schema_in_its_events_folder() -> None:
    [(schema_id, text)] = good({"self": {"name": "Order Completed"}}).schema_files().items()
    assert schema_id == "segment/ecommerce/Order_Completed/1-0.json"
    body = yaml.safe_load(text)  # JSON is YAML
    assert body["$id"] == schema_id
    assert body["self"] == {
        "vendor": "com.example",
        "name": "Order Completed",
        "format": "jsonschema",
        "version": "1-0",
    }
    assert body["description"]


def test_example_text_shows_conventions_and_each_file() -> None:
    example = bad(
        files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/1-2.json": {"description": "x"}},
        conventions={"event": {"casing": "title"}},
    )
    assert example.text() == (
        'event.casing: "title"\nCart_Viewed/1-0.json: {}\nCart_Viewed/1-2.json: {"description": "x"}'
    )


def test_an_example_gives_one_schema_or_files() -> None:
    with pytest.raises(ValueError):
        bad()
    with pytest.raises(ValueError):
        good({}, files={"Cart_Viewed/1-0.json": {}})


def test_a_rule_without_both_examples_is_refused() -> None:
    for examples in ((bad({}),), (good({}),), ()):
        with pytest.raises(ValueError, match=r"bad\(\.\.\.\) and a good\(\.\.\.\)"):

            @schema_rule("RF998", "unexampled", summary="A rule.", examples=examples)
            def unexampled(ctx: SchemaContext) -> Iterator[Issue]:
                """Why."""
                yield from ()

    assert "RF998" not in {rule.code for rule in all_rules()}
