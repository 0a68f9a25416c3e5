"""Iglu's SchemaVer (MODEL-REVISION-ADDITION) and Reflekt's MAJOR-MINOR, both ways.

Why one module: pull, diff and push must agree on which Reflekt file holds which Iglu
version, and a pulled schema pushed back must be the registry's file again, byte for byte
as JSON. The mapping (documented in the README, "Snowplow Iglu"):

- MODEL is MAJOR: Iglu `2-x-y` lives in Reflekt `2-*`.
- Within a model, the versions in SchemaVer order take the minors 0, 1, 2...:
  `1-0-0` -> `1-0`, `1-0-1` -> `1-1`, `1-1-0` -> `1-2`, `1-1-1` -> `1-3`. Iglu Server only
  accepts versions in that order (no gaps, no addition after a later revision), so a newly
  published version always takes the next minor; Reflekt's "no gaps" lint rule holds.
- Each file keeps its SchemaVer in `metadata.iglu.version`: that, not the position, is what
  push restores, and a later pull finds the file by it (a static registry that gained a
  version in the middle of a model never reshuffles the existing files).
- What the conversion adds is recorded beside it (`metadata.iglu`) and removed again by
  `to_iglu`: `$id` (the original one, if any, is kept in the record), `metadata` (when the
  schema had none), `self.version`. Everything else of the schema (`$schema`, keywords
  Reflekt does not model, `oneOf`, `patternProperties`, `$ref`s) is kept as it is.

A REVISION (`1-0-1` -> `1-1-0`: "may not fit some historical data") has no Reflekt
counterpart; it lands in the next minor, and pull reports it (`revision_note`). A new local
minor without a recorded SchemaVer is pushed as the next ADDITION, and push says so; a change
Reflekt classes as breaking within a minor is not guessed at all: the user records the
REVISION (`metadata.iglu.version`) or makes a new MAJOR.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Any

from reflekt.core.schemas import Version

RECORD_KEY = "iglu"  # metadata.iglu: what Reflekt keeps to turn the file back into Iglu's
SELF_DESC_SCHEMA = (
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
)
VENDOR_RE = re.compile(r"^[a-zA-Z0-9-_.]+$")
NAME_RE = re.compile(r"^[a-zA-Z0-9-_]+$")
_SCHEMAVER_RE = re.compile(r"^([1-9][0-9]{0,5})-(0|[1-9][0-9]{0,5})-(0|[1-9][0-9]{0,5})$")
_URI_RE = re.compile(r"^iglu:([^/]+)/([^/]+)/([^/]+)/([^/]+)$")


@total_ordering
@dataclass(frozen=True)
class SchemaVer:
    """MODEL-REVISION-ADDITION, ordered numerically (`1-0-10` after `1-0-9`)."""

    model: int
    revision: int
    addition: int

    @classmethod
    def parse(cls, text: str) -> SchemaVer | None:
        match = _SCHEMAVER_RE.match(text)
        if match is None:
            return None
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)))

    def __lt__(self, other: SchemaVer) -> bool:
        return self.key < other.key

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.model, self.revision, self.addition)

    def __str__(self) -> str:
        return f"{self.model}-{self.revision}-{self.addition}"

    def next_addition(self) -> SchemaVer:
        return SchemaVer(self.model, self.revision, self.addition + 1)

    def next_revision(self) -> SchemaVer:
        return SchemaVer(self.model, self.revision + 1, 0)


@dataclass(frozen=True)
class IgluKey:
    """One schema of a registry: `iglu:<vendor>/<name>/jsonschema/<version>`."""

    vendor: str
    name: str
    version: SchemaVer

    @property
    def uri(self) -> str:
        return f"iglu:{self.vendor}/{self.name}/jsonschema/{self.version}"

    @property
    def path(self) -> str:
        """Where a static registry keeps it (and the Server's route below `/schemas`)."""
        return f"schemas/{self.vendor}/{self.name}/jsonschema/{self.version}"

    @classmethod
    def parse(cls, text: str) -> IgluKey | None:
        """An `iglu:` URI or a `schemas/...` path; None for anything else (another format,
        a model list file such as `.../jsonschema/1`, a name Iglu does not allow)."""
        text = text.strip()
        match = _URI_RE.match(text)
        if match is not None:
            vendor, name, format_, version = match.groups()
        else:
            parts = text.strip("/").split("/")
            if len(parts) < 5 or parts[-5] != "schemas":
                return None
            vendor, name, format_, version = parts[-4:]
        return cls.of(vendor, name, format_, version)

    @classmethod
    def of(cls, vendor: str, name: str, format_: str, version: str) -> IgluKey | None:
        schemaver = SchemaVer.parse(version)
        if format_ != "jsonschema" or schemaver is None:
            return None
        if not VENDOR_RE.match(vendor) or vendor.startswith(".") or not NAME_RE.match(name):
            return None
        return cls(vendor, name, schemaver)


def local_versions(
    versions: list[SchemaVer], recorded: dict[SchemaVer, Version], taken: set[Version]
) -> dict[SchemaVer, Version]:
    """The Reflekt version of each Iglu version of one schema name (see the module doc).

    `recorded`: the versions local files already record (they stay where they are);
    `taken`: local versions holding something else (a file recording another SchemaVer),
    never given to another Iglu version.
    """
    out: dict[SchemaVer, Version] = {}
    used = set(taken) | set(recorded.values())
    for model in sorted({v.model for v in versions}):
        in_model = sorted(v for v in versions if v.model == model)
        for index, schemaver in enumerate(in_model):
            if schemaver in recorded:
                out[schemaver] = recorded[schemaver]
                continue
            candidate = Version(model, index)
            if candidate in used:
                minors = [v.minor for v in used if v.major == model]
                candidate = Version(model, max(minors) + 1)
            used.add(candidate)
            out[schemaver] = candidate
    return out


def revision_note(key: IgluKey, previous: SchemaVer, version: Version) -> str:
    """What pull says of a REVISION bump (the decision is the user's to see)."""
    return (
        f"{key.uri} is a REVISION of {previous} (SchemaVer: it may not fit some data of "
        f"earlier versions); it is pulled as {version}, a MINOR version for Reflekt: check "
        "`reflekt diff` and the models built on it"
    )


def record_of(body: dict[str, Any]) -> dict[str, Any]:
    """`metadata.iglu` of a Reflekt body ({} when it has none)."""
    metadata = body.get("metadata")
    record = metadata.get(RECORD_KEY) if isinstance(metadata, dict) else None
    return record if isinstance(record, dict) else {}


def recorded_version(body: dict[str, Any]) -> SchemaVer | None:
    value = record_of(body).get("version")
    return SchemaVer.parse(value) if isinstance(value, str) else None


def to_reflekt(schema: dict[str, Any], schema_id: str, version: Version, schemaver: SchemaVer):
    """An Iglu schema as a Reflekt body, with the record that turns it back (`to_iglu`)."""
    body = copy.deepcopy(schema)
    record: dict[str, Any] = {"version": str(schemaver)}
    if "$id" in body:
        record["$id"] = body["$id"]
    metadata = body.get("metadata", None)
    if isinstance(metadata, dict):
        record["metadata"] = "kept"
        if RECORD_KEY in metadata:
            record["own"] = metadata[RECORD_KEY]
        merged = {key: value for key, value in metadata.items() if key != RECORD_KEY}
    else:
        if "metadata" in body:
            record["metadata"] = {"value": metadata}
        merged = {}
    merged[RECORD_KEY] = record
    body["$id"] = schema_id
    body["metadata"] = merged
    self_block = body.get("self")
    body["self"] = {**(self_block if isinstance(self_block, dict) else {}), "version": str(version)}
    return body


def to_iglu(body: dict[str, Any], schemaver: SchemaVer) -> dict[str, Any]:
    """A Reflekt body as the Iglu schema `schemaver`: what `to_reflekt` added removed again.

    Metadata the user added in Reflekt stays (Iglu keeps top-level keys it does not know).
    """
    schema = copy.deepcopy(body)
    record = record_of(body)
    schema.pop("$id", None)
    if "$id" in record:
        schema["$id"] = record["$id"]
    metadata = schema.get("metadata")
    rest = (
        {key: value for key, value in metadata.items() if key != RECORD_KEY}
        if isinstance(metadata, dict)
        else {}
    )
    if "own" in record:
        rest[RECORD_KEY] = record["own"]
    original = record.get("metadata")
    if isinstance(original, dict) and "value" in original and not rest:
        schema["metadata"] = original["value"]
    elif rest or original == "kept":
        schema["metadata"] = rest
    else:
        schema.pop("metadata", None)
    self_block = schema.get("self")
    schema["self"] = {
        **(self_block if isinstance(self_block, dict) else {}),
        "version": str(schemaver),
    }
    return schema
