"""What the GraphQL fields do: identity, permissions, reads from the table, commands to SQS."""
