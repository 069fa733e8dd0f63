"""BuildKit's Dockerfile parser, called once per file text.

Both the Dockerfile reader (stages, ARGs, USER) and the command extractor (docker lines in
``RUN``) need the instructions of the same file; the Go parser is the most expensive step
of reading a Dockerfile, so its result is kept for the few most recent texts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def parse_instructions(text: str) -> tuple[Any, ...]:
    """``dockerfile.parse_string(text)``; raises ``dockerfile.GoParseError`` as it does."""
    import dockerfile

    return tuple(dockerfile.parse_string(text))
