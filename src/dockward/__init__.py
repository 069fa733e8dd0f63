"""dockward: find, explain, fix and block Docker settings that let a container escape.

Kept import-free on purpose so that ``dockward --version`` starts fast.
"""

__version__ = "0.1.0"
