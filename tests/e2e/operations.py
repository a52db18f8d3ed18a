"""The GraphQL operations the e2e tests send, written as a frontend would."""

REGISTER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    __typename ... on CommandAccepted { commandId } ... on Error { code message }
  }
}"""
PLACE = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    __typename ... on CommandAccepted { commandId orderId } ... on Error { code message }
  }
}"""
MODIFY = """
mutation($input: ModifyOrderInput!) {
  modifyOrder(input: $input) {
    __typename
    ... on CommandAccepted { commandId orderId }
    ... on Error { code message }
    ... on StaleVersionError { currentVersion }
  }
}"""
CANCEL = """
mutation($input: CancelOrderInput!) {
  cancelOrder(input: $input) {
    __typename
    ... on CommandAccepted { commandId orderId }
    ... on Error { code message }
    ... on OrderNotModifiableError { status }
  }
}"""
DISPATCH = """
mutation($input: OrderRefInput!) {
  dispatchOrder(input: $input) {
    __typename ... on CommandAccepted { commandId } ... on Error { code message }
  }
}"""
COMPLETE = """
mutation($input: OrderRefInput!) {
  completeDelivery(input: $input) {
    __typename ... on CommandAccepted { commandId } ... on Error { code message }
  }
}"""
UPSERT_PRODUCT = """
mutation($input: UpsertProductInput!) {
  upsertProduct(input: $input) {
    __typename
    ... on CommandAccepted { commandId }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}"""
ORDER = """
query($id: ID!) {
  order(id: $id) {
    id status priority version notes canModify canCancel
    customer { id name email }
    items { sku name quantity unitPrice { amount } lineTotal { amount } }
    deliveryAddress { line1 city postalCode country }
    subtotal { amount currency display } deliveryFee { amount } total { amount display }
    balance { amount } estimatedDelivery
    transactions { id kind amount { amount } note createdAt }
    history { kind detail at version }
    createdAt updatedAt
  }
}"""
MY_ORDERS = """
query($status: OrderStatus) {
  orders(status: $status, first: 50) { edges { node { id status } } pageInfo { hasNextPage } }
}"""
QUOTE = """
query($input: QuoteInput!) {
  quote(input: $input) {
    __typename
    ... on Quote {
      priority estimatedDelivery
      items { sku name quantity unitPrice { amount } lineTotal { amount } }
      subtotal { amount } deliveryFee { amount } total { amount display }
    }
    ... on ValidationError { code field message }
  }
}"""
# A polled command with the order it made: no second query once it is APPLIED.
COMMAND_WITH_ORDER = """
query($id: ID!) {
  command(id: $id) {
    state orderId error { code message }
    order {
      id status version estimatedDelivery
      items { sku name quantity unitPrice { amount } lineTotal { amount } }
      subtotal { amount } deliveryFee { amount } total { amount display } balance { amount }
    }
  }
}"""
ME = "{ me { id name email defaultAddress { city } } }"
PRODUCTS = "{ products(first: 100) { edges { node { sku name price { amount } active } } } }"
PRODUCT = """
query($sku: ID!) { product(sku: $sku) { id sku name description price { amount } active } }"""
COMMAND = "query($id: ID!) { command(id: $id) { state orderId error { code } } }"
RECEIPT = "query($id: ID!) { order(id: $id) { version receipt { url version issuedAt } } }"

# The authorization matrix's reads (test_authorization_matrix.py).
ORDER_OWNER = "query($id: ID!) { order(id: $id) { id status version customer { id } } }"
PLACED_ORDERS_WITH_OWNER = """
query { orders(status: PLACED, first: 100) { edges { node { id customer { id } } } } }"""
CUSTOMER = """
query($id: ID!) { customer(id: $id) { id name orders(first: 50) { edges { node { id } } } } }"""
# What a refused call must have left as it was, read by staff in one request.
AUTHORIZATION_WITNESSES = """
query($orderId: ID!, $customerA: ID!, $intruder: ID!) {
  order(id: $orderId) { status version notes total { amount } history { kind } }
  customerA: customer(id: $customerA) { name }
  intruder: customer(id: $intruder) { id }
  products(first: 100) { edges { node { sku } } }
}"""
