"""How Segment names warehouse columns, and the metadata keys that carry Segment facts.

Segment's warehouse destinations name each column by the snake_case of the property's path,
nested objects joined with `_` (`address.city` -> `address_city`); an object with nested
properties has no column of its own. The dbt build writes models by these names, lint
(RF314) reports two properties that would share one, and a pull keeps the Segment rule type
under `metadata.segment_rule_type` for the build to find the right table.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

RULE_TYPE_KEY = "segment_rule_type"  # metadata key: the Segment rule type (PAGE, TRACK, ...)
KEPT_KEY = "segment_rule"  # metadata key: the rule's jsonSchema beyond what Reflekt owns
# The types of Segment tracking plans (`--plan-type`): a library or template may share a live
# plan's name. Here, with Segment's other facts, so the CLI's options need no HTTP client.
PLAN_TYPES = ("LIVE", "ENGAGE", "PROPERTY_LIBRARY", "RULE_LIBRARY", "TEMPLATE")
DEFAULT_PLAN_TYPE = "LIVE"
RESERVED_METADATA = frozenset({RULE_TYPE_KEY, KEPT_KEY})  # never labels, never dbt meta


@functools.lru_cache(maxsize=1 << 16)  # lint asks for the same names in every schema
def snake_case(name: str) -> str:
    """Segment's snake_case of an event or property name, always a valid SQL identifier.

    `Cart Viewed`, `CartViewed` and `cart-viewed` all give `cart_viewed`. Characters other than
    ASCII letters and digits become `_`; a leading digit gets a `_` prefix; a name with no
    usable character becomes `_` plus a short hash (so it is still unique and valid).
    """
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([0-9])([A-Z][a-z])", r"\1_\2", text)
    return safe_identifier(re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower(), name)


def safe_identifier(text: str, name: str) -> str:
    """The last step of a warehouse naming rule (Segment's and RudderStack's alike): a name
    left empty becomes `_` plus a short hash of the original (unique and valid), and one
    starting with a digit gets a `_` prefix."""
    if not text:
        return "_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return "_" + text if text[0].isdigit() else text


def column_name(path: Iterable[str]) -> str:
    """The column of a (possibly nested) property: `("address", "zipCode")` -> `address_zip_code`."""
    return snake_case("_".join(snake_case(part) for part in path))


def is_flattened(spec: Any) -> bool:
    """True for an object property with nested properties: Segment writes one column per
    leaf (`address_city`), none for the object itself."""
    if not isinstance(spec, dict):
        return False
    nested = spec.get("properties")
    return _is_object(spec) and isinstance(nested, dict) and bool(nested)


def _is_object(spec: Mapping[str, Any]) -> bool:
    kind = spec.get("type")
    if isinstance(kind, list):
        return "object" in kind
    return kind == "object" or (kind is None and "properties" in spec)
