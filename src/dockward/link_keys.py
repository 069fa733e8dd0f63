"""What one file brings to the links between files (see :mod:`dockward.linking`).

Kept apart from the linking code, which needs the models, so that a scan answered from the
cache can rebuild these few strings without importing any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class LinkKeys:
    """A few paths and names per file.

    ``targets`` are the Dockerfiles its invocations build (paths as written, existing when
    read), ``tags`` the image names those invocations tag, ``defines`` the Dockerfiles it
    is, ``images`` the images its run lines start.  A file with targets needs the others'
    models to be linked; a file whose ``defines`` or ``images`` meet another file's targets
    or tags is needed by them.
    """

    targets: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def needs_others(self) -> bool:
        return bool(self.targets)
