"""JSON paths inside a schema, and the property a path lies in.

Lint and diff both name the property a JSON path points into (`properties/cart/items/
properties/sku`), each in its own spelling: lint says `cart.items.sku` (the dotted form its
findings and `lint.ignore` use), diff says `cart[].sku` (its change paths). Both walk the path
the same way, here.
"""

from __future__ import annotations

JsonPath = tuple[str | int, ...]

ITEMS = None  # a step into an array's `items` (a list form `items/N` gives N instead)


def property_steps(at: JsonPath) -> tuple[list[str | int | None], bool]:
    """The steps of `at` through properties and array items, and whether they are all of it.

    A step is a property name (`properties/<name>`), ITEMS (`items`) or an int (`items/N`,
    the tuple form of `items`). The walk stops at the first part that is neither, or at an
    `items` before any property (the schema's own `items`).
    """
    steps: list[str | int | None] = []
    i = 0
    while i < len(at):
        key = at[i]
        if key == "properties" and i + 1 < len(at):
            steps.append(str(at[i + 1]))
            i += 2
        elif key == "items" and steps:
            if i + 1 < len(at) and type(at[i + 1]) is int:
                steps.append(at[i + 1])
                i += 2
            else:
                steps.append(ITEMS)
                i += 1
        else:
            return steps, False
    return steps, True
