"""JUnit XML as the Jenkins/Ant schema (junit-10.xsd) has it, shared by lint and diff.

Why the care: CI systems (Jenkins, GitLab, Azure) parse these reports strictly. The schema
allows `file` on a `testsuite` but not on a `testcase`, and no `line` at all, so locations go
into the failure text. Every outside string passes `xml_text` (characters XML cannot hold).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reflekt.core.escape import xml_text


def testsuites(name: str) -> ET.Element:
    return ET.Element("testsuites", name=name, tests="0", failures="0", errors="0")


def testsuite(parent: ET.Element, name: str, file: str | None = None) -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", name=xml_text(name), errors="0")
    if file is not None:
        suite.set("file", xml_text(file))
    return suite


def testcase(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(name))


def fail(case: ET.Element, kind: str, message: str, text: str) -> None:
    failure = ET.SubElement(case, "failure", type=xml_text(kind), message=xml_text(message))
    failure.text = xml_text(text)


def output(case: ET.Element, text: str) -> None:
    ET.SubElement(case, "system-out").text = xml_text(text)


def document(root: ET.Element) -> str:
    """Counts filled in from the tree (tests, failures per suite and in total), as text."""
    total_tests = total_failures = 0
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        failures = sum(1 for case in cases if case.find("failure") is not None)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        total_tests += len(cases)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
