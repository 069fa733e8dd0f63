"""Allow ``python -m dockward``."""

from dockward.cli.entry import main

if __name__ == "__main__":
    main()
