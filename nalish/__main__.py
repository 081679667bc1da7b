"""`python -m nalish …` is the same as `nalish …`."""

from nalish.cli import main

main()
