/** The caller's own profile: null until registered. */

import { graphql } from "../gql";

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      email
      phone
      defaultAddress {
        ...AddressFields
      }
    }
  }
`);

export const RegisterCustomerMutation = graphql(`
  mutation RegisterCustomer($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) {
      __typename
      ...AcceptedFields
      ...RefusalFields
    }
  }
`);
