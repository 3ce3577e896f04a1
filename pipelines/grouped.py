"""Calls to the store that arrive while one is under way, made together in the next one.

Items reach a pipeline step many at a time; each calling the store on its own paid a hop
to a worker thread (and, for writes, a transaction) per item. A step that groups its calls
puts each item's request in a waiting list and awaits its own answer; one task takes the
waiting requests a group at a time (``_take``), makes the call (``_run``) and gives each
request its answer. Cancelled with the crawl, no item waits for an answer that will not
come.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

Asked = TypeVar("Asked")
Answer = TypeVar("Answer")


class GroupedCalls(Generic[Asked, Answer]):
    def __init__(self) -> None:
        self._waiting: list[tuple[Asked, asyncio.Future[Answer]]] = []
        # Held while it runs: the event loop keeps only a weak reference to a task.
        self._task: asyncio.Task[None] | None = None

    async def ask(self, asked: Asked) -> Answer:
        """The answer to ``asked``, from the group it went out with (raises its error)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Answer] = loop.create_future()
        self._waiting.append((asked, answer))
        if self._task is None:
            self._task = loop.create_task(self._drain())
        return await answer

    def _take(
        self, waiting: list[tuple[Asked, asyncio.Future[Answer]]]
    ) -> list[tuple[Asked, asyncio.Future[Answer]]]:
        """How many of the oldest waiting requests go in the next call (at least one)."""
        raise NotImplementedError

    async def _run(self, group: list[tuple[Asked, asyncio.Future[Answer]]]) -> None:
        """Make the call for ``group`` and settle each of its answers."""
        raise NotImplementedError

    async def _drain(self) -> None:
        group: list[tuple[Asked, asyncio.Future[Answer]]] = []
        try:
            while self._waiting:
                group = self._take(self._waiting)
                del self._waiting[: len(group)]
                await self._run(group)
        finally:
            self._task = None
            for _, answer in [*group, *self._waiting]:
                if not answer.done():
                    answer.cancel()
            self._waiting.clear()


def settle(answer: asyncio.Future[Answer], outcome: Answer | BaseException) -> None:
    """Give ``answer`` its result or error, unless its item was cancelled meanwhile."""
    if answer.done():
        return
    if isinstance(outcome, BaseException):
        answer.set_exception(outcome)
    else:
        answer.set_result(outcome)
