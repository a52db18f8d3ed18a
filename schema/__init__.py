"""The GraphQL surface: Strawberry types, inputs, errors, the Query and Mutation roots."""
