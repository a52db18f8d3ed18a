/** The GraphQL documents of orders: the fields each page shows, and the customer's order mutations. */

import { graphql } from "../gql";

export const MoneyFields = graphql(`
  fragment MoneyFields on Money {
    amount
    currency
    display
  }
`);

export const AddressFields = graphql(`
  fragment AddressFields on Address {
    line1
    line2
    city
    postalCode
    country
  }
`);

/** Everything the order page shows; a command's answer carries the same, to update the cache. */
export const OrderFields = graphql(`
  fragment OrderFields on Order {
    id
    status
    priority
    version
    createdAt
    updatedAt
    estimatedDelivery
    canModify
    canCancel
    notes
    items {
      sku
      name
      quantity
      unitPrice {
        ...MoneyFields
      }
      lineTotal {
        ...MoneyFields
      }
    }
    deliveryAddress {
      ...AddressFields
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
    balance {
      ...MoneyFields
    }
    receipt {
      url
      version
      issuedAt
    }
    transactions {
      id
      kind
      createdAt
      note
      amount {
        ...MoneyFields
      }
    }
    history {
      at
      kind
      detail
      version
    }
  }
`);

/** A row of a list: my orders, the staff board. */
export const OrderSummaryFields = graphql(`
  fragment OrderSummaryFields on Order {
    id
    status
    priority
    version
    createdAt
    estimatedDelivery
    items {
      quantity
    }
    total {
      ...MoneyFields
    }
  }
`);

export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
`);

export const MyOrdersQuery = graphql(`
  query MyOrders($status: OrderStatus, $first: Int!, $after: String) {
    orders(status: $status, first: $first, after: $after) {
      edges {
        node {
          ...OrderSummaryFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ModifyOrderMutation = graphql(`
  mutation ModifyOrder($input: ModifyOrderInput!) {
    modifyOrder(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);
