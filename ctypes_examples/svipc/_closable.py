"""Context-manager bases of the handle classes."""
from typing import Any, TypeVar

T = TypeVar("T", bound="Closable")


class Closable:
    """`with obj:` closes obj at the end of the block."""

    def close(self) -> None:
        """Release the handle (subclasses say what that means)."""

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class ClosedWhenCollected(Closable):
    """Also closes, as a fallback, when garbage-collected (close() must be idempotent)."""

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
