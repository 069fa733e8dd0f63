"""Use cases: what each command does, from its inputs to findings.

The CLI parses arguments, calls one use case and prints what it returns; readers only read;
the rule runner (:mod:`dockward.rules.runner`) is called from here and nowhere else.
"""
