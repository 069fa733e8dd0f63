"""``dockward inside``: the attacker's view of isolation, from within a container.

``probe`` (collectors), ``probe_parsers`` and ``socket_probe`` use only the Python standard
library and stay importable by Python 3.8: they run inside arbitrary images (in-process,
or shipped as the single-file zipapp ``dockward-inside.pyz``).  Everything else in this
package (``to_workload``, ``remote``, ``compare``, ``zipapp``) runs on the full dockward
install.

Keep this module free of imports: the zipapp ships a stub in its place, and importing
``dockward.inside.probe`` must not pull in anything beyond the standard library.
"""
