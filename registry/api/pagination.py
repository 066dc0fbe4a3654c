"""Limit/offset pages: {"count", "next", "previous", "results"}; a bad limit is a 400."""

import base64

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000
    # From this offset on, a page is found by its ids first (see page_by_ids).
    deep_offset = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        if self.offset >= self.deep_offset:
            return page_by_ids(queryset, self.offset, self.limit)
        return list(queryset[self.offset : self.offset + self.limit])

    def _read(self, request, name, default, minimum, maximum=None):
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: [f"{name} must be a whole number, not {raw!r}."]}) from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ValidationError({name: [f"{name} must be at least {minimum}{upper}; got {value}."]})
        return value

    def get_limit(self, request):
        return self._read(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._read(request, self.offset_query_param, 0, 0)


def page_by_ids(queryset, offset, limit):
    """A page deep in a list, found by its ids first: the database skips `offset` rows of
    ids alone (an index-only scan where an index matches the ordering) instead of sorting
    and skipping whole rows joined to their sources, and then reads the page's records,
    with their joins and prefetches, by id. One query more than a shallow page."""
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    records = {record.pk: record for record in queryset.order_by().filter(pk__in=ids)}
    return [records[pk] for pk in ids]


def encode_cursor(pk):
    return base64.urlsafe_b64encode(f"id>{pk}".encode()).decode().rstrip("=")


def decode_cursor(token):
    """The id a keyset page starts after; None for the first page (an empty cursor)."""
    if token == "":
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith("id>") and len(text) <= 21:  # an id a bigint holds
            return int(text[3:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise ValidationError({"cursor": [f"cursor {token!r} is not one this API gave out; start with cursor= (empty)."]})


class KeysetPagination(Pagination):
    """Limit/offset pages, and keyset pages for clients that walk a whole list:
    `?cursor=` (empty) starts, and each page's `next` carries on. Keyset pages run in id
    order, cost the same at the millionth row as at the first, and leave `count` null
    (counting a huge table on every page is what keyset paging avoids)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        token = request.query_params.get(self.cursor_query_param)
        self.keyset = token is not None
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        after = decode_cursor(token)
        queryset = queryset.order_by("pk")
        if after is not None:
            queryset = queryset.filter(pk__gt=after)
        page = list(queryset[: self.limit + 1])
        self.next_after = page[self.limit - 1].pk if len(page) > self.limit else None
        return page[: self.limit]

    def get_paginated_response(self, data):
        if not self.keyset:
            return super().get_paginated_response(data)
        next_url = None
        if self.next_after is not None:
            url = remove_query_param(self.request.build_absolute_uri(), self.offset_query_param)
            next_url = replace_query_param(url, self.cursor_query_param, encode_cursor(self.next_after))
        return Response({"count": None, "next": next_url, "previous": None, "results": data})

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["nullable"] = True  # null on keyset pages
        return response

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) + [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset paging in id order: empty for the first page, then follow `next`.",
                "schema": {"type": "string"},
            }
        ]
