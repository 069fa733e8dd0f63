"""The Engine API reader: live containers, images, swarm services, daemon and host.

Modules: :mod:`.connect` (which engines, how to reach them), :mod:`.inspect_to_workload`
(the one converter from Engine API container settings to a Workload, shared with the
guard), :mod:`.images`, :mod:`.daemon` (info + cmdline + daemon.json + socket + groups)
and :mod:`.audit` (concurrent orchestration).  Nothing here is imported by
``dockward --version``; the docker SDK is imported only when a client is made.
"""
