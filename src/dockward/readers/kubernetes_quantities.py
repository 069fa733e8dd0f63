"""Kubernetes resource quantities (``128Mi``, ``1.5Gi``, ``500m``, ``129e6``) as numbers.

The API server reads a quantity as an exact decimal with binary (``Ki`` ... ``Ei``) or
decimal (``m``, ``k`` ... ``E``) suffixes or an exponent, and rounds memory up to whole
bytes; a limit means here what it means to the kubelet only if it is read the same way.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

_QUANTITY = re.compile(
    r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(m|k|M|G|T|P|E)?)"
)
_BINARY_SI = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SI = {
    "m": Decimal("0.001"), "": Decimal(1), "k": Decimal(10**3), "M": Decimal(10**6),
    "G": Decimal(10**9), "T": Decimal(10**12), "P": Decimal(10**15), "E": Decimal(10**18),
}
_MAX_EXPONENT = 40  # far above any real limit; keeps ``1e999999999`` from building a huge int


def parse_quantity(value: object) -> Decimal | None:
    """A Kubernetes resource quantity (``128Mi``, ``1.5Gi``, ``500m``, ``129e6``, ``2``)
    as an exact number, None when it is not one.

    Exact decimals, because ``0.1`` CPU written as ``100m`` and memory rounding up to
    whole bytes must come out as the API server computes them.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    found = _QUANTITY.fullmatch(value.strip())
    if found is None:
        return None
    number, binary, exponent, decimal = found.groups()
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None
    if binary:
        return amount * _BINARY_SI[binary]
    if exponent is not None:
        power = int(exponent)
        if abs(power) > _MAX_EXPONENT:
            return None
        return amount.scaleb(power)
    return amount * _DECIMAL_SI[decimal or ""]


def memory_bytes(value: object) -> int | None:
    """A memory quantity in bytes, rounded up as Kubernetes rounds it."""
    amount = parse_quantity(value)
    if amount is None:
        return None
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def cpu_cores(value: object) -> float | None:
    """A CPU quantity in cores (``500m`` is 0.5)."""
    amount = parse_quantity(value)
    return None if amount is None else float(amount)
