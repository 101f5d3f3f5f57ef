"""The double's clock: Stripe's "now", which may run apart from real time."""

import threading
import time


class Clock:
    """Unix seconds that advance with real time unless frozen.

    The state is one tuple (base, monotonic_at_base, frozen), replaced as a
    whole, so readers never see half an update.
    """

    def __init__(self, start, frozen=False):
        self.lock = threading.Lock()
        self._state = (float(start), time.monotonic(), bool(frozen))

    def now_float(self):
        base, mono, frozen = self._state
        return base if frozen else base + (time.monotonic() - mono)

    def now(self):
        """The current second (integer)."""
        return int(self.now_float())

    @property
    def frozen(self):
        return self._state[2]

    def advance(self, seconds):
        with self.lock:
            base, mono, frozen = self._state
            self._state = (base + float(seconds), mono, frozen)

    def set(self, ts):
        with self.lock:
            self._state = (float(ts), time.monotonic(), self._state[2])

    def freeze(self, on):
        with self.lock:
            self._state = (self.now_float(), time.monotonic(), bool(on))
