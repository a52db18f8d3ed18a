"""The composition root: settings, the ASGI app, the Lambda handlers, the local server and CLI."""
