"""Shared pytest setup: the real-engine harness is available to every test package."""

pytest_plugins = ["tests.engine.harness"]
