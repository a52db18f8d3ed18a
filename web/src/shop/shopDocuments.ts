/** The shop's documents: the live quote and placing the order. */

import { graphql } from "../gql";

export const QuoteQuery = graphql(`
  query Quote($input: QuoteInput!) {
    quote(input: $input) {
      __typename
      ... on Quote {
        estimatedDelivery
        priority
        items {
          sku
          name
          quantity
          lineTotal {
            ...MoneyFields
          }
        }
        subtotal {
          ...MoneyFields
        }
        deliveryFee {
          ...MoneyFields
        }
        total {
          ...MoneyFields
        }
      }
      ... on ValidationError {
        code
        message
        field
      }
    }
  }
`);

export const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);
