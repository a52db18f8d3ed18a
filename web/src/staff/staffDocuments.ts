/** Staff: the orders board and the two steps of a delivery. */

import { graphql } from "../gql";

export const BoardOrdersQuery = graphql(`
  query BoardOrders($status: OrderStatus!, $priority: DeliveryPriority!, $first: Int!, $after: String) {
    orders(status: $status, priority: $priority, first: $first, after: $after) {
      edges {
        node {
          ...OrderSummaryFields
          customer {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const DispatchOrderMutation = graphql(`
  mutation DispatchOrder($input: OrderRefInput!) {
    dispatchOrder(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);

export const CompleteDeliveryMutation = graphql(`
  mutation CompleteDelivery($input: OrderRefInput!) {
    completeDelivery(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);
