"""A reflekt 0.6.0 project on disk, built from the facts in reference/reflekt-original.md.

What 0.6 wrote (`json.dump(indent=4, ensure_ascii=False)` plus a newline): schema folders
without a registry level (`schemas/<plan or branch>/<Event>/<M-m>.json`, `$id` the same
path), `metadata` inside `self`, `self.lint: false` and a property's `lint: false`, the
meta-schema at `schemas/.reflekt/meta/1-0.json` (here a custom one requiring a
`code_owner`), `do_not_track` in the profiles file, `casing: pascal`, a required
`models.filter`, and a dbt package 0.6 generated.

Planted for lint (what 0.6's lint reported, reference section 4), by content:
- ecommerce/Order_Completed/1-0: property `couponCode` breaks `casing: snake`;
- ecommerce/Order_Completed/1-0: property `total` has no description;
- marketing/Promo_Clicked/1-0: no `code_owner` in metadata (the custom meta-schema);
- ecommerce/legacy_checkout_v2/1-0: event name breaks title casing and has digits, but
  `self.lint: false` (0.6 skipped those checks);
- ecommerce/Cart_Viewed/1-1: property `legacyID` breaks snake casing, but `lint: false`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VENDOR = "com.shop"
HOSTILE_DESCRIPTION = (
    "Promo clicked {{ config(materialized='table') }} '; drop table x; -- <script>alert(1)"
    "</script> | pipe ` tick"
)

META_06 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": ".reflekt/meta/1-0.json",
    "description": "Meta-schema for all Reflekt event schemas (0.6 layout).",
    "self": {"vendor": "reflekt", "name": "meta", "format": "jsonschema", "version": "1-0"},
    "type": "object",
    "properties": {
        "self": {
            "type": "object",
            "properties": {
                "vendor": {"type": "string"},
                "name": {"type": "string"},
                "format": {"type": "string", "const": "jsonschema"},
                "version": {"type": "string", "pattern": "^[1-9][0-9]*-(0|[1-9][0-9]*)$"},
                "metadata": {
                    "type": "object",
                    "properties": {"code_owner": {"type": "string"}},
                    "required": ["code_owner"],
                    "additionalProperties": True,
                },
                "lint": {"type": "boolean"},
                "tests": {},
                "metrics": {
                    "type": "object",
                    "properties": {
                        "dimensions": {"type": "array", "items": {"type": "string"}},
                        "measures": {"type": "array", "items": {"type": "string"}},
                    },
                    "additionalProperties": False,
                },
            },
            "required": ["vendor", "name", "format", "version", "metadata"],
            "additionalProperties": False,
        },
        "properties": {"type": "object"},
    },
    "required": ["self", "properties"],
}


def schema_06(
    path: str,
    name: str,
    properties: dict[str, Any],
    *,
    description: str = "An event.",
    metadata: dict[str, Any] | None = None,
    required: list[str] | None = None,
    extra_self: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A schema as 0.6's pull wrote it (REFLEKT_JSON_SCHEMA with `self.metadata`)."""
    version = path.rsplit("/", 1)[1]
    block: dict[str, Any] = {
        "vendor": VENDOR,
        "name": name,
        "format": "jsonschema",
        "version": version,
        "metadata": {"code_owner": "growth"} if metadata is None else metadata,
    }
    block.update(extra_self or {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"{path}.json",
        "description": description,
        "self": block,
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


def _prop(kind: str, description: str = "A property.", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, **extra}


SCHEMAS_06: dict[str, dict[str, Any]] = {
    "ecommerce/Cart_Viewed/1-0": schema_06(
        "ecommerce/Cart_Viewed/1-0",
        "Cart Viewed",
        {"cart_id": _prop("string", "The cart."), "products_count": _prop("integer")},
        description="User viewed their cart.",
        required=["cart_id"],
        extra_self={"tests": {"cart_id": ["not_null"]}},
    ),
    "ecommerce/Cart_Viewed/1-1": schema_06(
        "ecommerce/Cart_Viewed/1-1",
        "Cart Viewed",
        {
            "cart_id": _prop("string", "The cart."),
            "products_count": _prop("integer"),
            "legacyID": {"type": "string", "description": "Old id.", "lint": False},
        },
        description="User viewed their cart.",
        required=["cart_id"],
    ),
    "ecommerce/Order_Completed/1-0": schema_06(
        "ecommerce/Order_Completed/1-0",
        "Order Completed",
        {
            "order_id": _prop("string", "The order."),
            "couponCode": _prop("string", "The coupon."),
            "total": {"type": "number"},
        },
        description="Über-important: the order is complete.",
        metadata={"code_owner": "checkout", "tier": "gold"},
        extra_self={"metrics": {"dimensions": ["order_id"], "measures": ["total"]}},
    ),
    "ecommerce/legacy_checkout_v2/1-0": schema_06(
        "ecommerce/legacy_checkout_v2/1-0",
        "legacy_checkout_v2",
        {"step": _prop("integer", "The step.")},
        description="Sent by the old app; its name cannot change.",
        extra_self={"lint": False},
    ),
    "marketing/Promo_Clicked/1-0": schema_06(
        "marketing/Promo_Clicked/1-0",
        "Promo Clicked",
        {"promo_id": _prop("string", 'Promo\'s "id" {{ promo }}')},
        description=HOSTILE_DESCRIPTION,
        metadata={},
    ),
    "main/Signed_Up/1-0": schema_06(
        "main/Signed_Up/1-0",
        "Signed Up",
        {"plan": _prop("string", "The plan chosen.")},
        description="A user signed up.",
        metadata={"code_owner": "growth", "tags": "onboarding"},
    ),
    "staging/Signed_Up/1-0": schema_06(
        "staging/Signed_Up/1-0",
        "Signed Up",
        {"plan": _prop("string", "The plan chosen."), "referrer": _prop("string", "Who.")},
        description="A user signed up.",
    ),
}

PROJECT_YML_06 = """\
version: 1.0
name: shop_06
vendor: com.shop
default_profile: dev
profiles_path: reflekt_profiles.yml   # relative, as 0.6 projects often had it
schemas:
  conventions:
    event:
      casing: title
      numbers: false
      reserved: []
    property:
      casing: snake
      numbers: false
      reserved: []
    data_types: [string, integer, number, boolean, object, array, any, 'null']
registry:
  avo:
    branches:
      staging: br_staging_7
artifacts:
  dbt:
    sources:
      prefix: __src_
    models:
      prefix: stg_
      filter: ''
    docs:
      prefix: _stg_
      in_folder: false
      tests: {}
"""


def profiles_yml_06(segment_url: str, avo_url: str, db_path: Path, token: str, avo: tuple) -> str:
    return f"""\
version: 1.0
dev:
  do_not_track: true   # 0.6 sent usage stats unless this was set
  registry:
    - type: segment
      api_token: {token}
      api_url: {segment_url}
    - type: avo
      workspace_id: ws123
      service_account_name: {avo[0]}
      service_account_secret: {avo[1]}
      api_url: {avo_url}
  source:
    - id: wh
      type: duckdb
      path: {db_path}
"""


def write_project_06(root: Path, profiles: str) -> None:
    """Lay out the 0.6 project at `root` (files as 0.6 wrote them)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "reflekt_project.yml").write_text(PROJECT_YML_06, encoding="utf-8")
    (root / "reflekt_profiles.yml").write_text(profiles, encoding="utf-8")
    (root / ".gitignore").write_text(".logs/\n.reflekt_cache/\nreflekt_profiles.yml\n")
    meta = root / "schemas/.reflekt/meta/1-0.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(dump_06(META_06), encoding="utf-8")
    for path, body in SCHEMAS_06.items():
        target = root / "schemas" / f"{path}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_06(body), encoding="utf-8")
    package = root / "artifacts/dbt/shop_06"
    (package / "models").mkdir(parents=True)
    (package / "dbt_project.yml").write_text("name: shop_06\nversion: '1.0.0'\n")
    (package / "models/stg_old.sql").write_text("select 1 as built_by_reflekt_06\n")


def dump_06(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=4, ensure_ascii=False) + "\n"
