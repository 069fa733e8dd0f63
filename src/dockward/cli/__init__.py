"""Command-line interface (typer).  Command modules import their heavy dependencies lazily."""
