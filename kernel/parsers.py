"""Request body parsers. JSON bodies nest at most ``MAX_JSON_DEPTH`` levels: a deeper
document (an attacker's 10 KB of ``[``) is a 400 problem, never a RecursionError."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."


def json_depth(document) -> int:
    """How many arrays and objects deep ``document`` nests (walked without recursion)."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in value)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if json_depth(document) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return document
