"""OpenAPI generation details that Litestar leaves out for msgspec Structs.

- Structs declared with `forbid_unknown_fields=True` get `additionalProperties: false`.
- Constraints on list items (`list[Annotated[str, Meta(pattern=…)]]`) are documented on `items`
  (Litestar drops them, although msgspec enforces them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIType, Schema

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


def _arrays(schema: Any) -> Iterator[Schema]:
    if not isinstance(schema, Schema):
        return
    if schema.type == OpenAPIType.ARRAY or (
        isinstance(schema.type, list) and OpenAPIType.ARRAY in schema.type
    ):
        yield schema
    for option in (*(schema.one_of or ()), *(schema.any_of or ())):
        yield from _arrays(option)


def _list_item(info: Any) -> msgspec.inspect.StrType | None:
    options = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    for option in options:
        if isinstance(option, msgspec.inspect.ListType):
            item = option.item_type
            if isinstance(item, msgspec.inspect.Metadata):
                item = item.type
            if isinstance(item, msgspec.inspect.StrType):
                return item
    return None


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's msgspec plugin with the two additions above."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType) or not isinstance(schema, Schema):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            item = _list_item(field.type)
            prop = (schema.properties or {}).get(field.encode_name)
            if item is None or prop is None:
                continue
            for array in _arrays(prop):
                if isinstance(array.items, Schema):
                    array.items.pattern = item.pattern
                    array.items.min_length = item.min_length
                    array.items.max_length = item.max_length
        return schema
