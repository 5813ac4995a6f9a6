"""Short-lived in-process memos for values read on every request (host to tenant, site
settings). Each process forgets an entry after its TTL; writes in this process clear it."""

from __future__ import annotations

import threading
import time
from typing import ClassVar, Generic, TypeVar

V = TypeVar("V")


class TtlMemo(Generic[V]):
    _every: ClassVar[list[TtlMemo[object]]] = []

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()
        TtlMemo._every.append(self)  # type: ignore[arg-type]

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def set(self, key: str, value: V) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @classmethod
    def clear_all(cls) -> None:
        """Forgets everything, e.g. after a test's transaction was rolled back."""
        for memo in cls._every:
            memo.clear()
