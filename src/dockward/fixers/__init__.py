"""Fixers: write a finding's remedy into the file it came from, at the recorded location.

Rules say *what* should change (a :class:`~dockward.findings.Remedy` in the model's terms);
the editors here say *how*, one per surface, registered per input kind in
:data:`dockward.kinds.INPUT_KINDS`:

- :mod:`.compose` (compose files, overrides, ``extends`` and anchors),
- :mod:`.command_lines` (``docker run``/``build`` lines in scripts, Makefiles, Markdown,
  CI YAML, systemd units and Dockerfile ``RUN``),
- :mod:`.dockerfile` (``USER``, secret mounts, ``ADD --checksum``),
- :mod:`.kubernetes` (``securityContext``, ``resources.limits``, pod settings),
- :mod:`.engine` (a live container, through ``docker update``).

Every editor produces :class:`~.edits.Edit`\\ s (exact character spans), never a re-serialized
file; :mod:`.plan` gives each remedy part to its editor and keeps each fix whole;
:mod:`.workload` writes a wanted Workload without findings (``dockward tighten``), and
:mod:`.workload_model` applies remedies to a Workload in memory.
"""
