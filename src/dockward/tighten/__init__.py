"""``dockward tighten``: least privilege learned by running throwaway trial copies.

The mechanics live here, the order of the steps in :mod:`dockward.usecases.tighten`:

- :mod:`.candidate`: the settings a trial varies, applied to the original Workload;
- :mod:`.conditions`: how every trial copy differs from the original (name, label, no
  ports, throwaway network, fresh volumes, no restart, fast healthcheck);
- :mod:`.trial`: the concurrent trial runner (create, start, settle with stats, exec the
  check, diff, remove) and its cleanup, also on Ctrl-C;
- :mod:`.stats`, :mod:`.limits`: peak usage (cgroup v1 and v2) and limits with headroom;
- :mod:`.users`, :mod:`.filesystem`: non-root users to try, tmpfs targets from a diff;
- :mod:`.search`: the search strategies (user, capabilities, hardening);
- :mod:`.result`, :mod:`.render`: the proposal with its evidence, and its output formats.
"""
