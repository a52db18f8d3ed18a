"""The pure core of the order-delivery service: rules, commands and storage mapping, no I/O."""
