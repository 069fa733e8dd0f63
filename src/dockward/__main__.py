"""Allow ``python -m dockward``."""

from dockward.cli.app import main

if __name__ == "__main__":
    main()
