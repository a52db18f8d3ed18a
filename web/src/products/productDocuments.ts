/** The catalogue: read by the shop, written by staff. */

import { graphql } from "../gql";

export const ProductFields = graphql(`
  fragment ProductFields on Product {
    id
    sku
    name
    description
    active
    price {
      ...MoneyFields
    }
  }
`);

export const ProductsQuery = graphql(`
  query Products($first: Int!, $after: String) {
    products(first: $first, after: $after) {
      edges {
        node {
          ...ProductFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const UpsertProductMutation = graphql(`
  mutation UpsertProduct($input: UpsertProductInput!) {
    upsertProduct(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);
