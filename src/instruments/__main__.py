"""``python -m instruments list | show ID | score --instrument ID FILE``."""

import sys

from instruments._cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `python -m instruments score ... | head`
        sys.stderr.close()
        sys.exit(0)
