"""Retries that wait: the server's ``Retry-After`` on 429 and 503, exponential backoff
with jitter otherwise. Scrapy's own retry middleware resends at once, which is what
gets a crawler banned."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from traceur.config import default_settings

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Settings: RETRY_TIMES, RETRY_HTTP_CODES (Scrapy's), TRACEUR_RETRY_BACKOFF (first
    delay in seconds, doubled each retry) and TRACEUR_MAX_RETRY_AFTER (longest wait
    honoured; a server asking for more is given up on for this pass)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff: float = settings.getfloat(
            "TRACEUR_RETRY_BACKOFF", default_settings().retry_backoff
        )
        self.max_wait: float = settings.getfloat(
            "TRACEUR_MAX_RETRY_AFTER", default_settings().max_retry_after
        )

    def _delay(self, request: Request, response: Response | None) -> float | None:
        if response is not None and response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            asked = retry_after_seconds(header.decode("latin-1") if header else None)
            if asked is not None:
                return asked if asked <= self.max_wait else None
        attempt = int(request.meta.get("retry_times", 0))
        return min(self.max_wait, self.backoff * (2.0**attempt) * random.uniform(0.5, 1.5))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        if delay is None:
            log.warning(
                "%s asks to wait %s; more than %.0fs, giving up for this pass",
                request.url,
                response.headers.get(b"Retry-After"),
                self.max_wait,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if delay > 0:
            log.info("retrying %s in %.1fs (HTTP %d)", request.url, delay, response.status)
            await asyncio.sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        delay = self._delay(request, None) or 0.0
        await asyncio.sleep(delay)
        return retry
