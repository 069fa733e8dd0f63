"""Readers turn one surface (a file kind, the Engine API, /proc) into typed models."""
