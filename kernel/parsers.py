"""Request body parsers. A JSON body is refused with a 400 problem when it nests deeper than
``MAX_JSON_DEPTH`` levels (an attacker's 10 KB of ``[`` would otherwise be a
RecursionError) or holds a NUL character anywhere (PostgreSQL cannot store one in text)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
HAS_NUL = "JSON parse error - text may not contain NUL (\\u0000) characters."


def check_document(document) -> None:
    """Raise ParseError for a document too deep or with a NUL character in any string
    (keys included). Walked without recursion."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(HAS_NUL)
            continue
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            value = list(value.values())
        if isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(TOO_DEEP)
            pending.extend((child, depth + 1) for child in value)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        check_document(document)
        return document
