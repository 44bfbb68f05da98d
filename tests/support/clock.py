"""A clock a test moves forward instead of sleeping through a circuit's retry window."""

import time


class FastForwardClock:
    """`time.monotonic()` plus an offset: real time still passes (a hung Redis still costs its
    socket timeout, threads still race), and `advance` skips what the test would wait for."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
