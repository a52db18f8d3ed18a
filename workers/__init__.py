"""The write side: consumes commands from SQS and is the only writer of the table."""
