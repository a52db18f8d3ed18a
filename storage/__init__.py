"""The one DynamoDB adapter: the key design, the item codec and the table client."""
