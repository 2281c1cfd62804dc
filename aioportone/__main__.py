"""``python -m aioportone``: the same command as ``aioportone``."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
