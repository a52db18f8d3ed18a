"""Tools an operator runs against a deployment or the emulator: redriving dead letters, and
what a month of orders costs."""
