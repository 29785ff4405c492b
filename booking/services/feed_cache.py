"""A small per-process cache of rendered feed bodies keyed by their validator, and single-flight
rendering: concurrent misses for one key share one render. Safe with several processes because
the key is derived from database state (a stale key is simply never asked for again)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class BodyCache:
    """Least-recently-used bodies, bounded by their total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0

    def get(self, key: str) -> bytes | None:
        body = self._items.get(key)
        if body is not None:
            self._items.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes or key in self._items:
            return
        self._items[key] = body
        self._size += len(body)
        while self._size > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)

    def clear(self) -> None:
        self._items.clear()
        self._size = 0


_inflight: dict[tuple[int, str], asyncio.Future[bytes]] = {}


async def single_flight(key: str, produce: Callable[[], Awaitable[bytes]]) -> bytes:
    """`await produce()`, unless a call with the same key is already running on this event loop:
    then wait for its result instead."""
    slot = (id(asyncio.get_running_loop()), key)
    running = _inflight.get(slot)
    if running is not None:
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            if not running.cancelled():  # we were cancelled ourselves
                raise
            return await produce()  # the first caller went away: render ourselves
    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    _inflight[slot] = future
    try:
        body = await produce()
    except asyncio.CancelledError:
        future.cancel()
        raise
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # mark retrieved: waiters re-raise, nobody else must
        raise
    else:
        future.set_result(body)
        return body
    finally:
        del _inflight[slot]
