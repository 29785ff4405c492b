"""OpenAPI generation details that Litestar leaves out for msgspec Structs.

- Structs declared with `forbid_unknown_fields=True` get `additionalProperties: false`.
- Constraints on list items (`list[Annotated[str, Meta(pattern=…)]]`) are documented on `items`
  (Litestar drops them, although msgspec enforces them).
- Free text (a string with no format, pattern or enum) declares `NO_NUL`: the app refuses NUL
  in text on every backend (PostgreSQL cannot store it), so the document says so.
- Each operation declares exactly the problem statuses it can answer, never Litestar's 400
  (the app answers 422): `declare_problem_statuses`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
from litestar import Litestar
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIType, Operation, Schema
from litestar.routes import HTTPRoute

from api.auth import SAFE_METHODS, AuthMiddleware
from api.schemas import problems

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


NO_NUL = "^[^\\x00]*$"
"""The pattern of free text: anything but NUL (`api.requests` refuses NUL with a 422)."""


def _is_string(schema: Schema) -> bool:
    kind = schema.type
    return kind == OpenAPIType.STRING or (isinstance(kind, list) and OpenAPIType.STRING in kind)


def _declare_no_nul(schema: Any) -> None:
    """Give every free-text string in `schema` (options and list items too) `NO_NUL`."""
    if not isinstance(schema, Schema):
        return
    if (_is_string(schema) and schema.format is None and schema.pattern is None
            and schema.enum is None and schema.const is None):
        schema.pattern = NO_NUL
    for option in (*(schema.one_of or ()), *(schema.any_of or ())):
        _declare_no_nul(option)
    _declare_no_nul(schema.items)


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's msgspec plugin with the additions above."""

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
            if prop is None:
                continue
            for array in _arrays(prop) if item is not None else ():
                if item is not None and isinstance(array.items, Schema):
                    array.items.pattern = item.pattern
                    array.items.min_length = item.min_length
                    array.items.max_length = item.max_length
            _declare_no_nul(prop)
        return schema



def _as_served(base: type[Operation], *, optional_body: bool) -> type[Operation]:
    """`base` (Litestar's Operation or a handler's own subclass) without the 400 response that
    Litestar declares wherever input is validated (the app answers every 400 as 422), and with
    an optional request body where the handler's `data` is optional (Litestar marks every
    body required, so a client that sends none was told it must)."""
    if getattr(base, "_as_served", False):
        return base

    @dataclass
    class _AsServed(base):  # type: ignore[valid-type,misc]
        _as_served: ClassVar[bool] = True

        def __post_init__(self) -> None:
            parent = getattr(super(), "__post_init__", None)
            if parent is not None:
                parent()
            if self.responses:
                self.responses.pop("400", None)
            if optional_body and self.request_body is not None:
                self.request_body.required = False

    _AsServed.__name__ = base.__name__
    return _AsServed


def _optional_body(handler: HTTPRouteHandler) -> bool:
    data = handler.parsed_fn_signature.parameters.get("data")
    return data is not None and (data.is_optional or data.has_default)


def _authenticates(path: str) -> bool:
    return not any(re.match(p, path) for p in AuthMiddleware.exclude_path_pattern)


def _path_parameters(route: HTTPRoute) -> list[Any]:
    params = route.path_parameters
    return list(params.values() if isinstance(params, dict) else params)


def shape_statuses(route: HTTPRoute, handler: HTTPRouteHandler) -> set[int]:
    """The problem statuses that follow from a route's shape, whatever its handler does:
    401 wherever `AuthMiddleware` runs (an unknown or revoked bearer token is refused on every
    such path), 403 on its unsafe methods (the CSRF token, and a foreign `Origin` even where no
    token is needed, as on login), 404 where the path has
    parameters (an unknown id, or one that is not a UUID), 422 where the client sends a body,
    query, header or cookie parameter, or text in the path (a token with bounds)."""
    statuses: set[int] = set()
    if _authenticates(route.path):
        statuses.add(401)
        if set(handler.http_methods) - SAFE_METHODS:
            statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    model = handler.create_kwargs_model(path_parameters=route.path_parameters)
    text_in_path = any(p.type is str for p in _path_parameters(route))  # may carry bounds
    if (model.expected_query_params or model.expected_header_params or text_in_path
            or model.expected_cookie_params or "data" in handler.parsed_fn_signature.parameters):
        statuses.add(422)
    return statuses


def declare_problem_statuses(app: Litestar) -> None:
    """Every API operation of `app` declares exactly the problem statuses it can answer: its
    own (`api.schemas.problems` on the handler: 403 for a refusal, 404, 409, 412, 429, …) plus
    those of `shape_statuses`, and never Litestar's automatic 400 (the app answers 422).
    Call before the OpenAPI document is first built (Litestar builds it lazily)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            handler.operation_class = _as_served(
                handler.operation_class, optional_body=_optional_body(handler))
            handler.responses = {**problems(*shape_statuses(route, handler)),
                                 **(handler.responses or {})}
