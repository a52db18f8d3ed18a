/** The command a mutation queued: polled until the worker applied or rejected it. */

import { graphql } from "../gql";

// What every mutation answers: the queued command, or a refusal with what a person needs to
// act on it (the field to fix, the version to reload from, the status that stands in the way).
graphql(`
  fragment AcceptedFields on CommandAccepted {
    commandId
    orderId
  }
`);

graphql(`
  fragment RefusalFields on Error {
    code
    message
    ... on ValidationError {
      field
    }
    ... on StaleVersionError {
      currentVersion
    }
    ... on OrderNotModifiableError {
      status
    }
  }
`);

export const CommandQuery = graphql(`
  query Command($id: ID!) {
    command(id: $id) {
      id
      state
      orderId
      recordedAt
      error {
        code
        message
      }
      order {
        ...OrderFields
      }
    }
  }
`);
