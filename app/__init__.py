"""The composition root: settings, the ASGI app, the Lambda handlers; app.local runs them here."""
