"""The lint engine: progress, parallel runs, bare `off` in YAML, lint_documents."""

from __future__ import annotations

from reflekt.core.lint import lint_documents, lint_project
from reflekt.core.lint.engine import PARALLEL_THRESHOLD
from reflekt.core.project import load_project
from reflekt.core.schemas import read_schema

PROPS = {"cart_id": {"type": "string", "description": "The cart."}}


def _many(proj, count: int) -> None:
    for index in range(count):
        letters = "".join(chr(ord("A") + int(d)) for d in f"{index:05d}")
        props = PROPS if index % 97 else {"cartId": {"type": "string"}}
        proj.add(f"segment/p{index % 7}/Event_{letters.title()}/1-0.json", props)
    proj.add("segment/p0/Event_Gap/1-0.json", PROPS)
    proj.add("segment/p0/Event_Gap/1-2.json", PROPS)


def test_parallel_run_gives_the_same_report(proj):
    _many(proj, PARALLEL_THRESHOLD + 50)
    project = load_project(proj.root)

    serial = lint_project(project, jobs=1)
    parallel = lint_project(project, jobs=2)

    assert serial.schemas == PARALLEL_THRESHOLD + 52
    assert parallel.findings == serial.findings
    assert parallel.files == serial.files
    assert {f.rule for f in serial.findings} == {"RF311", "RF402", "RF204"}


def test_progress_reaches_the_total(proj):
    for index in range(30):
        proj.add(
            f"segment/shop/Event_{chr(65 + index % 26)}{chr(65 + index // 26)}/1-0.json", PROPS
        )
    calls: list[tuple[int, int]] = []

    lint_project(
        load_project(proj.root),
        progress=lambda done, total, message: calls.append((done, total)),
    )

    assert calls[-1] == (30, 30)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_bare_off_in_yaml_switches_a_rule_off(proj):
    config = (proj.root / "reflekt_project.yml").read_text()
    config = config.replace("# lint:\n#   rules:", "lint:\n  rules:\n    RF311: off\n#")
    proj.builder.set_config(config)
    proj.add(
        "segment/shop/Cart_Viewed/1-0.json", {"cartId": {"type": "string", "description": "x"}}
    )
    assert proj.lint().findings == []


def test_lint_documents_lints_an_unsaved_buffer(proj):
    path = proj.add("segment/shop/Cart_Viewed/1-0.json", PROPS)
    project = load_project(proj.root)
    doc = read_schema(path, project.schemas_dir)
    doc.body["properties"] = {"cartId": {"type": "string", "description": "x"}}

    report = lint_documents(project, [doc])

    assert [f.rule for f in report.findings] == ["RF311"]
    assert report.files == ["schemas/segment/shop/Cart_Viewed/1-0.json"]


def test_a_finding_pickles_with_every_field():
    """Forked workers send findings pickled (`Finding.__reduce__` lists the fields by hand):
    a field added to the class and not to the list would be lost or shifted."""
    import dataclasses
    import pickle

    from reflekt.core.lint.findings import Finding

    values = {
        "line": 7,
        "column": None,
        "severity": "warning",
        "path": ("properties", "cart", 0),
    }
    for field in dataclasses.fields(Finding):
        values.setdefault(field.name, f"the {field.name}")
    finding = Finding(**values)

    copy = pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL))

    assert copy == finding
    assert {f.name: getattr(copy, f.name) for f in dataclasses.fields(Finding)} == values
