"""RF2xx: the schema's `$id`, event name and version agree with where the file is."""

from __future__ import annotations

import json
from collections.abc import Iterator

from reflekt.core.lint.base import (
    EventContext,
    Issue,
    SchemaContext,
    event_rule,
    schema_rule,
)
from reflekt.core.lint.examples import bad, good
from reflekt.core.names import name_of_folder
from reflekt.core.schemas import Version, event_folder_name, json_kind


@schema_rule(
    "RF201",
    "id-matches-path",
    summary="`$id` equals the file's path under schemas/.",
    examples=(
        bad({"$id": "segment/ecommerce/CartViewed/1-0.json"}),
        good({"$id": "segment/ecommerce/Cart_Viewed/1-0.json"}),
    ),
)
def id_matches_path(ctx: SchemaContext) -> Iterator[Issue]:
    """The `$id` is how registries and the dbt builder name the schema; it must be the path."""
    expected = ctx.schema_id
    body = ctx.body or {}
    if "$id" not in body:
        yield Issue(f'missing `$id` (expected "{expected}")', suggestion=expected)
        return
    actual = body["$id"]
    if not isinstance(actual, str):
        yield Issue(f'`$id` must be a string (expected "{expected}")', at=("$id",))
    elif actual != expected:
        yield Issue(
            f'`$id` "{actual}" does not match the file\'s path "{expected}"',
            at=("$id",),
            suggestion=expected,
        )


@schema_rule(
    "RF202",
    "name-matches-folder",
    summary="`self.name` matches the event folder (spaces written as `_`).",
    examples=(
        bad(files={"Cart_Viewed/1-0.json": {"self": {"name": "Cart Updated"}}}),
        good(files={"Cart_Viewed/1-0.json": {"self": {"name": "Cart Viewed"}}}),
    ),
)
def name_matches_folder(ctx: SchemaContext) -> Iterator[Issue]:
    """The event folder is the event name with spaces as `_`."""
    folder = ctx.doc.schema_id.event_folder
    if "name" not in ctx.self_block:
        return  # the meta-schema rule reports a missing self.name
    name = ctx.self_block["name"]
    if not isinstance(name, str):
        yield Issue(f"`self.name` must be a string, found {json_kind(name)}", at=("self", "name"))
        return
    expected = event_folder_name(name)
    if expected != folder and " " in folder and expected == event_folder_name(folder):
        yield Issue(
            f'the event folder "{folder}" should be "{expected}" (spaces written as `_`): '
            "rename the folder",
            at=("self", "name"),
        )
    elif expected != folder:
        yield Issue(
            f'`self.name` "{name}" does not match the event folder "{folder}"',
            at=("self", "name"),
            suggestion=name_of_folder(folder) or folder.replace("_", " "),
        )


@schema_rule(
    "RF203",
    "version-matches-file",
    summary="`self.version` matches the file name (`1-0.json` holds version 1-0).",
    examples=(
        bad(
            files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/1-1.json": {"self": {"version": "1-0"}}}
        ),
        bad(files={"Cart_Viewed/v1.json": {"self": {"version": "1-0"}}}),
        good(
            files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/1-1.json": {"self": {"version": "1-1"}}}
        ),
    ),
)
def version_matches_file(ctx: SchemaContext) -> Iterator[Issue]:
    """Files are named after their MAJOR-MINOR version."""
    file_version = ctx.doc.schema_id.version_text
    if Version.try_parse(file_version) is None:
        yield Issue(
            f'the file name "{file_version}.json" is not a MAJOR-MINOR version such as 1-0.json'
        )
        return
    if "version" not in ctx.self_block:
        return  # the meta-schema rule reports a missing self.version
    version = ctx.self_block["version"]
    if not isinstance(version, str) or version != file_version:
        yield Issue(
            f"`self.version` {json.dumps(version)} does not match the file name "
            f'"{file_version}.json"',
            at=("self", "version"),
            suggestion=file_version,
        )


@event_rule(
    "RF204",
    "version-sequence",
    summary="The versions of an event start at 1-0 and have no gaps.",
    examples=(
        bad(files={"Cart_Viewed/1-0.json": {}, "Cart_Viewed/1-2.json": {}}),  # 1-1 is missing
        bad(files={"Cart_Viewed/1-1.json": {}}),  # no 1-0
        good(
            files={
                "Cart_Viewed/1-0.json": {},
                "Cart_Viewed/1-1.json": {},
                "Cart_Viewed/2-0.json": {
                    "required": ["cart_id"],
                    "properties": {"cart_id": {"type": "string", "description": "The cart."}},
                },
            }
        ),
    ),
)
def version_sequence(ctx: EventContext) -> Iterator[Issue]:
    """Versions go 1-0, 1-1, ... 2-0: a new MAJOR restarts MINOR at 0."""
    previous: Version | None = None
    for doc in ctx.documents:
        version = doc.schema_id.version
        if version is None:
            continue
        if previous is None:
            if version != Version(1, 0):
                yield Issue(
                    f"the first version of {ctx.event_key} is {version}; versions start at 1-0",
                    document=doc,
                )
        else:
            allowed = (Version(previous.major, previous.minor + 1), Version(previous.major + 1, 0))
            if version not in allowed:
                yield Issue(
                    f"version {version} follows {previous}: expected "
                    f"{allowed[0]} or {allowed[1]} (a gap in the versions)",
                    document=doc,
                )
        previous = version
