"""`async with` support shared by the clients."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from types import TracebackType


class AsyncClosing(ABC):
    """A client usable in `async with`: leaving it closes what the client opened."""

    @abstractmethod
    async def close(self) -> None:
        """Close what the client opened; never what it was lent."""

    async def __aenter__(self) -> Self:
        """Return the client itself."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close what the client opened."""
        await self.close()
