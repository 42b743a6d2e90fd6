"""numpy arrays over a channel slot that are usable only while the slot is
ours: a loaned slot until commit/abandon, a pinned slot until release.

The array is a view of shared memory with no copy. Once its `with` block
ends, the slot belongs to the publisher again (a pinned value may be
overwritten; a loaned one has been published and must not change), so every
use of the array or of a view sliced from it (indexing, ufuncs and
reductions, numpy functions, iteration, repr, tobytes, copy) raises
ValueError. Results computed inside the block are ordinary arrays and stay
valid; np.asarray(arr) inside the block would strip the check, like any
memoryview of it, so keep the slot array itself.
"""
from typing import Any, Optional


class SlotLease:
    """Whether the slot under some arrays may still be used."""

    __slots__ = ("active", "what")

    def __init__(self, what: str) -> None:
        self.active = True
        self.what = what


_slot_array_type: Optional[type] = None


def slot_array_type(numpy: Any) -> type:
    """The ndarray subclass (made on first use: numpy is imported only by numpy topics)."""
    global _slot_array_type
    if _slot_array_type is not None:
        return _slot_array_type

    def plain(value: Any) -> Any:
        if isinstance(value, SlotArray):
            value._check()
            return value.view(numpy.ndarray)
        return value

    class SlotArray(numpy.ndarray):
        """A numpy array over a channel slot, valid inside its `with` block only."""

        _lease: Optional[SlotLease] = None

        def __array_finalize__(self, obj: Any) -> None:
            self._lease = getattr(obj, "_lease", None)

        def _check(self) -> None:
            lease = self._lease
            if lease is not None and not lease.active:
                raise ValueError(f"array over a channel slot used after its `with` block ended ({lease.what})")

        def __getitem__(self, index: Any) -> Any:
            self._check()
            return super().__getitem__(index)

        def __setitem__(self, index: Any, value: Any) -> None:
            self._check()
            super().__setitem__(index, value)

        def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
            if "out" in kwargs:
                kwargs["out"] = tuple(plain(o) for o in kwargs["out"])
            return getattr(ufunc, method)(*(plain(i) for i in inputs), **kwargs)

        def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
            self._check()
            return super().__array_function__(func, types, args, kwargs)

        def __array__(self, *args: Any) -> Any:
            self._check()
            return self.view(numpy.ndarray).__array__(*args)

        def __iter__(self) -> Any:
            self._check()
            return super().__iter__()

        def __repr__(self) -> str:
            self._check()
            return repr(self.view(numpy.ndarray))

        __str__ = __repr__

        def tobytes(self, *args: Any, **kwargs: Any) -> bytes:
            self._check()
            return self.view(numpy.ndarray).tobytes(*args, **kwargs)

        def copy(self, *args: Any, **kwargs: Any) -> Any:
            self._check()
            return self.view(numpy.ndarray).copy(*args, **kwargs)

    _slot_array_type = SlotArray
    return SlotArray
