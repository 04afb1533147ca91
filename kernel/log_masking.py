"""Keep secrets out of logs: a guest's ``?token=`` in a logged URL becomes ``token=***``.

Used by Django's logging (the ``mask_tokens`` filter, docs/configuration.md) and by
gunicorn's access log (config/gunicorn.py); the gateway's nginx masks it the same way.
"""

import logging
import re

SECRET_QUERY_PARAMETER = re.compile(r"(^|[?&])token=[^&\s\"]+")


def mask(text: str) -> str:
    """``text`` (a URL, a query string, a log line) with every token value masked."""
    return SECRET_QUERY_PARAMETER.sub(r"\1token=***", text)


class MaskTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
