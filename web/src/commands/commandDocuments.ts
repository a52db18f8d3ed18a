/** The command a mutation queued: polled until the worker applied or rejected it. */

import { graphql } from "../gql";

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
