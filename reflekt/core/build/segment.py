"""What the Segment SDK (and RudderStack, which follows its layout) writes to a warehouse.

This is the one module of what the two SDKs share: call types, their tables, the common
columns, how properties become columns. Their differences are one table at the end
(`SDK_LAYOUTS`: naming rule, extra and dropped columns, the `aliases` table, the name the
docs give the SDK); every function here that depends on the SDK takes its name.

Segment's warehouse destinations write each track() event to a table named by the
snake_case of the event name (`Cart Viewed` and `CartViewed` both land in `cart_viewed`),
identify() to `identifies` (and the latest traits to `users`), page() to `pages`, screen()
to `screens`, group() to `groups`, and a summary row of every track() call to `tracks`.
Properties (and traits) become columns named by snake_case of their path, nested objects
joined with `_`; context fields land as `context_<path>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Segment's column naming lives in core/platforms (lint and registries read it too); the
# names stay importable from here.
from reflekt.core.platforms import rudderstack
from reflekt.core.platforms.segment import column_name as segment_column_name
from reflekt.core.platforms.segment import is_flattened as is_flattened
from reflekt.core.platforms.segment import snake_case as snake_case

# SQL keywords reserved in at least one supported warehouse (Postgres, Redshift, Snowflake,
# BigQuery, DuckDB). A column alias must not be one of them: it would need quoting, and quoting
# changes case semantics on Snowflake.
RESERVED_WORDS = frozenset(
    [
        "all",
        "alter",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "assert_rows_modified",
        "at",
        "authorization",
        "between",
        "binary",
        "both",
        "by",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "connect",
        "connection",
        "constraint",
        "create",
        "cross",
        "cube",
        "current",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "define",
        "delete",
        "desc",
        "distinct",
        "do",
        "drop",
        "else",
        "end",
        "enum",
        "escape",
        "except",
        "exclude",
        "exists",
        "extract",
        "false",
        "fetch",
        "following",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "grouping",
        "groups",
        "hash",
        "having",
        "if",
        "ilike",
        "in",
        "increment",
        "initially",
        "inner",
        "insert",
        "intersect",
        "interval",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "lookup",
        "merge",
        "minus",
        "natural",
        "new",
        "no",
        "not",
        "notnull",
        "null",
        "nulls",
        "of",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "over",
        "overlaps",
        "partition",
        "pivot",
        "placing",
        "preceding",
        "primary",
        "qualify",
        "range",
        "recursive",
        "references",
        "regexp",
        "respect",
        "returning",
        "revoke",
        "right",
        "rlike",
        "rollup",
        "row",
        "rows",
        "sample",
        "select",
        "session_user",
        "set",
        "similar",
        "some",
        "start",
        "struct",
        "symmetric",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "treat",
        "trigger",
        "true",
        "try_cast",
        "unbounded",
        "union",
        "unique",
        "unnest",
        "unpivot",
        "update",
        "user",
        "using",
        "values",
        "variadic",
        "verbose",
        "when",
        "whenever",
        "where",
        "window",
        "with",
        "within",
    ]
)

# Redshift's reserved words, as AWS lists them ("Reserved words", Amazon Redshift Database
# Developer Guide): more than Postgres reserves (`language`, `tag`, `timestamp`, compression
# encodings such as `bytedict`). Applied to Redshift builds only: on the other warehouses
# these names are ordinary, and renaming a `language` property there would be a needless
# change of the model's columns.
REDSHIFT_RESERVED_WORDS = frozenset(
    [
        "aes128",
        "aes256",
        "all",
        "allowoverwrite",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "authorization",
        "az64",
        "backup",
        "between",
        "binary",
        "blanksasnull",
        "both",
        "bytedict",
        "bzip2",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "credentials",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "current_user",
        "current_user_id",
        "datetime",
        "default",
        "deferrable",
        "deflate",
        "defrag",
        "delta",
        "delta32k",
        "desc",
        "disable",
        "distinct",
        "do",
        "else",
        "emptyasnull",
        "enable",
        "encode",
        "encrypt",
        "encryption",
        "end",
        "except",
        "explicit",
        "false",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "globaldict256",
        "globaldict64k",
        "grant",
        "group",
        "gzip",
        "having",
        "identity",
        "ignore",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "interval",
        "into",
        "is",
        "isnull",
        "join",
        "language",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "lun",
        "luns",
        "lzo",
        "lzop",
        "minus",
        "mostly16",
        "mostly32",
        "mostly8",
        "natural",
        "new",
        "not",
        "notnull",
        "null",
        "nulls",
        "off",
        "offline",
        "offset",
        "oid",
        "old",
        "on",
        "only",
        "open",
        "or",
        "order",
        "outer",
        "overlaps",
        "parallel",
        "partition",
        "percent",
        "permissions",
        "pivot",
        "placing",
        "primary",
        "raw",
        "readratio",
        "recover",
        "references",
        "rejectlog",
        "resort",
        "respect",
        "restore",
        "right",
        "select",
        "session_user",
        "similar",
        "snapshot",
        "some",
        "sysdate",
        "system",
        "table",
        "tag",
        "tdes",
        "text255",
        "text32k",
        "then",
        "timestamp",
        "to",
        "top",
        "trailing",
        "true",
        "truncatecolumns",
        "union",
        "unique",
        "unnest",
        "unpivot",
        "user",
        "using",
        "verbose",
        "wallet",
        "when",
        "where",
        "with",
        "without",
    ]
)
_RESERVED_BY_DIALECT = {"redshift": RESERVED_WORDS | REDSHIFT_RESERVED_WORDS}


def reserved_words(dialect: str = "") -> frozenset[str]:
    """The words a column name may not be bare in on `dialect` (every dialect's common set,
    plus Redshift's own list on Redshift)."""
    return _RESERVED_BY_DIALECT.get(dialect, RESERVED_WORDS)


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def is_plain_identifier(name: str, dialect: str = "") -> bool:
    """True when `name` can be written bare in SQL on every supported warehouse (and, for
    `dialect="redshift"`, is none of Redshift's reserved words)."""
    return bool(_IDENTIFIER.match(name)) and name not in reserved_words(dialect)


def safe_alias(name: str, dialect: str = "") -> str:
    """A column alias that never needs quoting: reserved words get a trailing `_`."""
    alias = snake_case(name)
    return alias + "_" if alias in reserved_words(dialect) else alias


# --- call types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallType:
    """One Segment call: the table it writes, the alias of its `id`, its description."""

    name: str  # track | identify | page | screen | group
    id_alias: str


TRACK = CallType("track", "event_id")
IDENTIFY = CallType("identify", "identify_id")
PAGE = CallType("page", "page_id")
SCREEN = CallType("screen", "screen_id")
# `group_id` is the account the group() call names (a column of Segment's `groups` table):
# the message's own `id` is `group_message_id`.
GROUP = CallType("group", "group_message_id")
# alias() calls: RudderStack's `aliases` table (Segment's builds do not model it).
ALIAS = CallType("alias", "alias_id")

_SPECIAL_EVENTS: dict[str, tuple[CallType, str]] = {
    "identify": (IDENTIFY, "identifies"),
    "identifies": (IDENTIFY, "identifies"),
    "group": (GROUP, "groups"),
    "groups": (GROUP, "groups"),
    "page": (PAGE, "pages"),
    "pages": (PAGE, "pages"),
    "page_viewed": (PAGE, "pages"),
    "screen": (SCREEN, "screens"),
    "screens": (SCREEN, "screens"),
    "screen_viewed": (SCREEN, "screens"),
}

USERS_TABLE = "users"
TRACKS_TABLE = "tracks"
USERS_DESCRIPTION = "User traits set by identify() calls (the latest value of each trait)."
TRACKS_DESCRIPTION = (
    "A summary of track() calls from all events. Properties unique to each event's track() "
    "call are omitted."
)


_RULE_TYPE_TABLES: dict[str, tuple[CallType, str]] = {
    "IDENTIFY": (IDENTIFY, "identifies"),
    "GROUP": (GROUP, "groups"),
    "PAGE": (PAGE, "pages"),
    "SCREEN": (SCREEN, "screens"),
}


def is_keyed_call(event_name: str, call: CallType) -> bool:
    """A named page() or screen() (Segment rule key `Home`): a slice of `pages`/`screens`."""
    return call in (PAGE, SCREEN) and snake_case(event_name) not in _SPECIAL_EVENTS


def call_for_event(
    event_name: str,
    tables: Mapping[str, Any] | None = None,
    rule_type: str | None = None,
    sdk: str = "segment",
) -> tuple[CallType, str]:
    """The Segment call and table of an event schema named `event_name`.

    `Identify` -> identifies, `Group` -> groups, `Page` (or `Page Viewed`) -> pages,
    `Screen` (or `Screen Viewed`) -> screens; anything else is a track() event in its own table.
    `Page Viewed` stays a track event when the warehouse has a `page_viewed` table and no
    `pages` table (a team that tracks it with track()). `rule_type` (the Segment rule type a
    pull keeps in `metadata.segment_rule_type`) wins over the name: a PAGE rule keyed `Home`
    reads the `pages` table, a TRACK rule keyed `Page` its own `page` table.

    A track event's table follows the SDK's naming rule (`SdkLayout.event_tables`): when the
    rule allows more than one name, the first that `tables` holds wins.
    """
    layout = layout_for(sdk)
    key = snake_case(event_name)
    table = _event_table(event_name, tables, layout)
    if rule_type:
        kind = rule_type.upper()
        if kind == "TRACK":
            return TRACK, table
        if kind in _RULE_TYPE_TABLES:
            return _RULE_TYPE_TABLES[kind]
    special = _SPECIAL_EVENTS.get(key) or layout.special_events.get(key)
    if special is None:
        return TRACK, table
    if (
        tables is not None
        and key in ("page_viewed", "screen_viewed")
        and special[1] not in tables
        and table in tables
    ):
        return TRACK, table
    return special


def _event_table(event_name: str, tables: Mapping[str, Any] | None, layout: SdkLayout) -> str:
    names = layout.event_tables(event_name)
    if tables is not None and len(names) > 1:
        return next((name for name in names if name in tables), names[0])
    return names[0]


# --- common columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommonColumn:
    """A column Segment writes for every call of some types."""

    source: str
    alias: str
    description: str
    calls: frozenset[str] = frozenset({"track", "identify", "page", "screen", "group"})


_ALL = frozenset({"track", "identify", "page", "screen", "group", "alias"})
_TRACK_ONLY = frozenset({"track"})

ID_DESCRIPTION = (
    "Unique identifier of the message collected by the Segment call (identify(), group(), "
    "page(), screen(), track()); set by the Segment libraries."
)

UUID_TS_DESCRIPTION = (
    "When the Segment warehouse loader wrote the row (a re-delivery is loaded later)."
)
# Which delivery of a message comes first: Segment's receive time, then the load time.
DELIVERY_ORDER = ("received_at", "uuid_ts")

_COMMON: list[tuple[str, str, str, frozenset[str]]] = [
    ("event_text", "event_name", "Name of the event, as sent to track().", _TRACK_ONLY),
    ("event", "event", "Name of the event in snake_case (the name of its table).", _TRACK_ONLY),
    (
        "original_timestamp",
        "original_tstamp",
        "Time on the client device when the call was invoked, or the timestamp passed in "
        "server-side. Not reliable for analysis: clocks skew.",
        _ALL,
    ),
    (
        "sent_at",
        "sent_at_tstamp",
        "When the message was sent to Segment (set by the libraries, used for clock-skew "
        "correction).",
        _ALL,
    ),
    (
        "received_at",
        "received_at_tstamp",
        "When Segment received the message (set by Segment; the warehouse sort key).",
        _ALL,
    ),
    (
        "uuid_ts",
        "uuid_ts",
        UUID_TS_DESCRIPTION,
        _ALL,
    ),
    (
        "timestamp",
        "tstamp",
        "When the call took place, corrected for clock skew. The recommended timestamp for "
        "analysis.",
        _ALL,
    ),
    (
        "anonymous_id",
        "anonymous_id",
        "Pseudo-unique substitute for a user id, for users not yet identified.",
        _ALL,
    ),
    ("user_id", "user_id", "Unique identifier of the user in your database.", _ALL),
    (
        "group_id",
        "group_id",
        "Identifier of the group (account, company, organisation) the user belongs to, as "
        "passed to group(). Many group() calls name the same group.",
        frozenset({"group"}),
    ),
    ("context_active", "active", "Whether the user is active.", _ALL),
    ("context_app_name", "app_name", "Name of the app.", _ALL),
    ("context_app_version", "app_version", "Version of the app.", _ALL),
    ("context_app_build", "app_build", "Build of the app.", _ALL),
    ("context_app_namespace", "app_namespace", "Namespace of the app.", _ALL),
    ("context_campaign_name", "campaign_name", "Name of the campaign (utm_campaign).", _ALL),
    ("context_campaign_source", "campaign_source", "Source of the campaign (utm_source).", _ALL),
    ("context_campaign_medium", "campaign_medium", "Medium of the campaign (utm_medium).", _ALL),
    ("context_campaign_term", "campaign_term", "Term of the campaign (utm_term).", _ALL),
    (
        "context_campaign_content",
        "campaign_content",
        "Content of the campaign (utm_content).",
        _ALL,
    ),
    ("context_device_id", "device_id", "Identifier of the device.", _ALL),
    (
        "context_device_advertising_id",
        "device_advertising_id",
        "Advertising id of the device.",
        _ALL,
    ),
    (
        "context_device_ad_tracking_enabled",
        "device_ad_tracking_enabled",
        "Whether ad tracking is enabled on the device.",
        _ALL,
    ),
    ("context_device_manufacturer", "device_manufacturer", "Manufacturer of the device.", _ALL),
    ("context_device_model", "device_model", "Model of the device.", _ALL),
    ("context_device_name", "device_name", "Name of the device.", _ALL),
    ("context_device_type", "device_type", "Type of the device (ios, android, ...).", _ALL),
    ("context_ip", "ip", "IP address of the user.", _ALL),
    (
        "context_library_name",
        "library_name",
        "Name of the Segment library that sent the call.",
        _ALL,
    ),
    (
        "context_library_version",
        "library_version",
        "Version of the Segment library that sent the call.",
        _ALL,
    ),
    ("context_locale", "locale", "Locale of the user, for example en-US.", _ALL),
    ("context_location_city", "location_city", "City of the user.", _ALL),
    ("context_location_country", "location_country", "Country of the user.", _ALL),
    ("context_location_latitude", "location_latitude", "Latitude of the user.", _ALL),
    ("context_location_longitude", "location_longitude", "Longitude of the user.", _ALL),
    ("context_location_region", "location_region", "Region of the user.", _ALL),
    ("context_network_carrier", "network_carrier", "Carrier of the mobile network.", _ALL),
    ("context_network_wifi", "network_wifi", "Whether the device is on wifi.", _ALL),
    ("context_os_name", "os_name", "Name of the operating system.", _ALL),
    ("context_os_version", "os_version", "Version of the operating system.", _ALL),
    ("context_page_path", "page_path", "Path of the current page.", _ALL),
    ("context_page_referrer", "page_referrer", "Referrer of the current page.", _ALL),
    ("context_page_search", "page_search", "Query string of the current page URL.", _ALL),
    ("context_page_title", "page_title", "Title of the current page.", _ALL),
    ("context_page_url", "page_url", "URL of the current page.", _ALL),
    ("context_referrer_id", "referrer_id", "Identifier of the referrer.", _ALL),
    ("context_referrer_type", "referrer_type", "Type of the referrer.", _ALL),
    ("context_screen_width", "screen_width", "Width of the screen in pixels.", _ALL),
    ("context_screen_height", "screen_height", "Height of the screen in pixels.", _ALL),
    ("context_screen_density", "screen_density", "Pixel density of the screen.", _ALL),
    ("context_timezone", "timezone", "Timezone of the user, for example Europe/Paris.", _ALL),
    ("context_group_id", "context_group_id", "Group (account) of the user, when set.", _ALL),
    ("context_user_agent", "user_agent", "User agent of the device making the request.", _ALL),
    (
        "context_protocols_source_id",
        "protocols_source_id",
        "Segment source id that Protocols validated the call against.",
        _ALL,
    ),
    (
        "context_protocols_violations",
        "protocols_violations",
        "Protocols violations of the call against the tracking plan.",
        _ALL,
    ),
    (
        "context_protocols_omitted",
        "protocols_omitted",
        "Properties Protocols omitted from the call.",
        _ALL,
    ),
]

COMMON_COLUMNS: tuple[CommonColumn, ...] = tuple(
    CommonColumn(source, alias, description, calls) for source, alias, description, calls in _COMMON
)

CALL_TYPE_DESCRIPTION = (
    "The type of Segment call (identify, group, page, screen, track) that collected the data."
)
SOURCE_SCHEMA_DESCRIPTION = "The warehouse schema holding the raw event data."
SOURCE_TABLE_DESCRIPTION = "The warehouse table holding the raw event data."
SCHEMA_ID_DESCRIPTION = "The Reflekt schema that governs the event."
SCHEMA_METADATA_DESCRIPTION = "Metadata of the Reflekt schema that governs the event (JSON)."


def common_columns(call: str, sdk: str = "segment") -> Iterator[CommonColumn]:
    """Common columns of one call type, `id` first (aliased per call type), as `sdk` writes
    them (its extra columns last, its dropped ones left out, its name in the descriptions)."""
    layout = layout_for(sdk)
    say = layout.say
    id_alias = {
        "track": TRACK.id_alias,
        "identify": IDENTIFY.id_alias,
        "page": PAGE.id_alias,
        "screen": SCREEN.id_alias,
        "group": GROUP.id_alias,
        "alias": ALIAS.id_alias,
        "users": "user_id",
    }[call]
    yield CommonColumn("id", id_alias, say(ID_DESCRIPTION))
    if call == "users":
        yield CommonColumn(
            "received_at",
            "received_at_tstamp",
            say("When Segment received the identify() call that set these traits."),
        )
        yield CommonColumn("uuid_ts", "uuid_ts", say(UUID_TS_DESCRIPTION))
        return
    for column in (*COMMON_COLUMNS, *layout.extra_columns):
        if call not in column.calls or column.source in layout.dropped_columns:
            continue
        if layout.label == "Segment":
            yield column
        else:
            yield CommonColumn(column.source, column.alias, say(column.description), column.calls)


# --- properties -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PropertyColumn:
    """A warehouse column Segment writes for one (possibly nested) property."""

    column: str  # snake_case, as the SDK names it
    description: str
    path: tuple[str, ...]
    # Other names the SDK's rule allows (a reserved word: `_from` first, then `from`); the
    # build selects the first of `column`, then these, that the table holds.
    alternates: tuple[str, ...] = ()


def flatten_properties(
    properties: Mapping[str, Any] | None, sdk: str = "segment"
) -> list[PropertyColumn]:
    """Property columns as the SDK writes them: nested objects joined with `_`, snake_cased.

    An object with `properties` is flattened into one column per leaf; an object without
    them, an array or any other type is one column (Segment stores arrays as JSON text).
    """
    layout = layout_for(sdk)
    columns: list[PropertyColumn] = []

    def walk(props: Mapping[str, Any], path: tuple[str, ...]) -> None:
        for name, spec in props.items():
            here = (*path, str(name))
            spec = spec if isinstance(spec, dict) else {}
            if is_flattened(spec):
                walk(spec["properties"], here)
                continue
            description = spec.get("description")
            names = layout.property_columns(here)
            columns.append(
                PropertyColumn(
                    column=names[0],
                    description=description if isinstance(description, str) else "",
                    path=here,
                    alternates=names[1:],
                )
            )

    walk(properties or {}, ())
    return columns


# --- SDKs: the differences ----------------------------------------------------------------------


@dataclass(frozen=True)
class SdkLayout:
    """What one SDK's warehouse destination does differently from the shared layout above."""

    name: str  # the `--sdk` value
    label: str  # how docs and descriptions name it
    # An event name -> the names its track() table may have, likeliest first.
    event_tables: Callable[[str], tuple[str, ...]]
    # A property path -> the names its column may have, likeliest first.
    property_columns: Callable[[tuple[str, ...]], tuple[str, ...]]
    extra_columns: tuple[CommonColumn, ...] = ()
    dropped_columns: frozenset[str] = frozenset()
    # Schema names (snake_case) of calls beyond identify/group/page/screen -> (call, table).
    special_events: Mapping[str, tuple[CallType, str]] = field(default_factory=dict)
    calls: tuple[str, ...] = ("track", "page", "screen", "identify", "group")
    # Tables the destination writes that hold no event of the plan (never "no schema").
    own_tables: frozenset[str] = frozenset()

    def say(self, text: str) -> str:
        """A shared description, naming this SDK (the texts are written for Segment)."""
        return text if self.label == "Segment" else text.replace("Segment", self.label)


def _rudder_reserved() -> frozenset[str]:
    return RESERVED_WORDS | REDSHIFT_RESERVED_WORDS


def _rudder_event_tables(event_name: str) -> tuple[str, ...]:
    return rudderstack.event_table_candidates(event_name, _rudder_reserved())


def _rudder_property_columns(path: tuple[str, ...]) -> tuple[str, ...]:
    return rudderstack.candidates(rudderstack.column_name(path), _rudder_reserved())


_ALIASES = (ALIAS, "aliases")
_RUDDER_MESSAGE_CALLS = frozenset({"track", "identify", "page", "screen", "group", "alias"})

SDK_LAYOUTS: Mapping[str, SdkLayout] = {
    "segment": SdkLayout(
        name="segment",
        label="Segment",
        event_tables=lambda name: (snake_case(name),),
        property_columns=lambda path: (segment_column_name(path),),
    ),
    "rudderstack": SdkLayout(
        name="rudderstack",
        label="RudderStack",
        event_tables=_rudder_event_tables,
        property_columns=_rudder_property_columns,
        extra_columns=(
            CommonColumn(
                "channel",
                "channel",
                "Where the call came from (web, mobile, server, sources), set by the SDK.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "rudder_id",
                "rudder_id",
                "RudderStack's own identifier of the user (identity resolution), where the "
                "destination writes it.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "loaded_at",
                "loaded_at",
                "When RudderStack loaded the row, where the destination writes it.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "context_request_ip",
                "request_ip",
                "IP address RudderStack received the call from.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "context_source_id",
                "rudder_source_id",
                "RudderStack source that received the call.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "context_source_type",
                "rudder_source_type",
                "Type of the RudderStack source (Javascript, Android, ...).",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "context_destination_id",
                "rudder_destination_id",
                "RudderStack destination that loaded the row.",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "context_destination_type",
                "rudder_destination_type",
                "Type of the RudderStack destination (POSTGRES, SNOWFLAKE, ...).",
                _RUDDER_MESSAGE_CALLS,
            ),
            CommonColumn(
                "previous_id",
                "previous_id",
                "The user's previous identifier, as passed to alias().",
                frozenset({"alias"}),
            ),
        ),
        # Protocols is Segment's product: RudderStack writes no such columns.
        dropped_columns=frozenset(
            {
                "context_protocols_source_id",
                "context_protocols_violations",
                "context_protocols_omitted",
            }
        ),
        special_events={"alias": _ALIASES, "aliases": _ALIASES},
        calls=("track", "page", "screen", "identify", "group", "alias"),
        # The rows RudderStack could not load as typed (a value of another type), with why.
        own_tables=frozenset({"rudder_discards"}),
    ),
}
SDKS = tuple(SDK_LAYOUTS)


def layout_for(sdk: str) -> SdkLayout:
    """The layout of `sdk` (ValueError for an unknown one: the CLI checks first)."""
    try:
        return SDK_LAYOUTS[sdk]
    except KeyError:
        raise ValueError(f"unsupported sdk '{sdk}'") from None
