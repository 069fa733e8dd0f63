"""``dockward guard``: the mechanics of blocking requests at the daemon and at the socket.

The authorization-plugin server, the filtering proxy, HTTP strictness, the route table,
reading requests into models, the policy file and the decision log live here; the
decision itself is :mod:`dockward.usecases.guard`, which runs the rule engine.
"""
