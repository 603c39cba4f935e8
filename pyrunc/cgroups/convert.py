"""runc's conversions of v1-style resource values to cgroup v2 files, as pure functions."""

from __future__ import annotations


class ConversionError(ValueError):
    """A value with no v2 equivalent; the caller names the field."""


def cpu_shares_to_weight(shares: int) -> int:
    """cpu.shares [2, 262144] -> cpu.weight [1, 10000]; 0 means unset.

    The curve runc uses since 1.3.2/1.4 (and crun since 1.23): quadratic in log2(shares), through
    2 -> 1, 1024 -> 100 (each side's default) and 262144 -> 10000. runc before that used a straight
    line that gave the default 1024 shares a weight of 39; Kubernetes and the runtimes moved away
    from it because it starved containers left at the default.
    """
    import math

    if shares == 0:
        return 0
    if shares < 2 or shares > 262144:
        raise ConversionError(f"cpu shares {shares} is outside [2, 262144]")
    lg = math.log2(shares)
    exponent = (lg * lg + 125 * lg) / 612.0 - 7.0 / 34.0
    return int(math.ceil(math.pow(10, exponent)))


def blkio_weight_to_io_weight(weight: int) -> int:
    """blkio.weight [10, 1000] -> io.weight [1, 10000]; 0 means unset."""
    if weight == 0:
        return 0
    if weight < 10 or weight > 1000:
        raise ConversionError(f"blkio weight {weight} is outside [10, 1000]")
    return 1 + ((weight - 10) * 9999) // 990


def memory_swap_to_v2(swap: int, memory: int) -> int:
    """v1 memory+swap limit -> v2 memory.swap.max (swap alone). -1 = max, 0 = leave unset."""
    if memory == -1 and swap == 0:
        # Unlimited memory with swap not given means unlimited swap too (as on v1).
        return -1
    if swap in (-1, 0):
        return swap
    if memory in (0, -1):
        raise ConversionError("a swap limit needs a memory limit")
    if memory < 0:
        raise ConversionError(f"invalid memory limit {memory}")
    if swap < memory:
        raise ConversionError(f"memory+swap limit {swap} is below the memory limit {memory}")
    return swap - memory


def cpu_max(quota: int | None, period: int | None) -> str | None:
    """cpu.max from v1 quota/period: `max` or the quota, then the period when given."""
    if not quota and not period:
        return None
    text = str(quota) if quota is not None and quota > 0 else "max"
    if period:
        text += f" {period}"
    return text


def limit_text(value: int) -> str:
    """A byte or count limit for a v2 file: negative means `max`."""
    return "max" if value < 0 else str(value)
