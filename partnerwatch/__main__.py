"""`python -m partnerwatch`: the same as the console script."""

from partnerwatch.cli import main

main()
