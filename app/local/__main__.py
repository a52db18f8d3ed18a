"""`python -m app.local` runs the CLI (`order-delivery`)."""

from app.local.cli import main

raise SystemExit(main())
