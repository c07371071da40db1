"""Two rules that hold for every endpoint, in the requests the API reads and in the schema it
publishes (/api/openapi.json), so that the two never disagree.

- An empty query value is an absent parameter: `?date=&month=` is `?`, `?before=` is no
  bound. Forms and scripts send empty fields as `name=`, and no parameter of this API has a
  meaning for the empty string. The rule lives in ninja's parser, which every endpoint's query
  parameters go through, rather than in a middleware: it changes what the endpoints read, not
  the request (the paging links and the cache key keep the URL as sent), and it stays beside the
  schema's `allowEmptyValue` that declares it.
- The schema says what the server answers besides each endpoint's own statuses: errors are
  `application/problem+json`; every operation may get 414 from the HTTP server in front of the
  API; a rate-limited one (429) says when to come back in `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from paperfeed.api.problems import CONTENT_TYPE

URI_TOO_LONG = {
    "description": "The URL is longer than the HTTP server in front of the API takes (gunicorn, "
    "as `paperfeed serve` runs it: a request line of 4,094 bytes). That server answers, in its "
    "own words (an HTML page), before the API sees the request; shorten the query.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
RETRY_AFTER = {
    "description": "Seconds to wait before the limit lets a request through again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}


class QueryParser(Parser):
    """ninja's parser, reading an empty query value as no value (see the module's docstring)."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key in data:
            values = [value for value in data.getlist(key) if value != ""]
            if values:
                result[key] = values if key in list_fields else values[-1]
        return result


def schema_contract(schema: dict[str, Any]) -> dict[str, Any]:
    """Complete the schema that ninja generates with the rules above (in place)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    _optional_query(parameter)
            responses = operation.setdefault("responses", {})
            for status, answer in responses.items():
                content = answer.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    answer["content"] = {CONTENT_TYPE: content["application/json"]}
                if int(status) == 429:
                    answer.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
            responses.setdefault("414", URI_TOO_LONG)
    return schema


def _optional_query(parameter: dict[str, Any]) -> None:
    """An optional query parameter may be sent empty (it is then absent); it is never null,
    which a query string cannot say: `str | None` in Python is a string that may be left out."""
    parameter["allowEmptyValue"] = True
    value = parameter.get("schema", {})
    options = value.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del value["anyOf"]
        if len(rest) == 1:
            value.update(rest[0])
        else:
            value["anyOf"] = rest
