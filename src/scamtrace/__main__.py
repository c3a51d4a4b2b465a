"""Allow ``python -m scamtrace``."""

from scamtrace.cli import main

if __name__ == "__main__":
    main()
