/** The shop: the catalogue with a quantity per product, and the cart beside it. */

import type { ProductFieldsFragment } from "../gql/graphql";
import { useProducts } from "../products/useProducts";
import { useMe } from "../profile/useMe";
import { PageHeading } from "../ui/PageHeading";
import { CartPanel } from "./CartPanel";
import { MAX_QUANTITY, type CartAction } from "./cart";
import { useCart } from "./useCart";

export function ShopPage({ userId }: { userId: string }) {
  const [cart, dispatch] = useCart(userId);
  const products = useProducts();
  const me = useMe();
  const onSale = (products.data?.products ?? []).filter((product) => product.active);
  return (
    <>
      <PageHeading>Shop</PageHeading>
      {me.data === null ? (
        <p className="notice">
          Before your first order, <a href="#/profile">add your name and delivery address</a>.
        </p>
      ) : null}
      <div className="shop-layout">
        <section aria-labelledby="products-heading">
          <h2 id="products-heading">Products</h2>
          {products.isPending ? <p>Loading products…</p> : null}
          {products.isSuccess && onSale.length === 0 && !products.hasNextPage ? <p>Nothing is on sale right now.</p> : null}
          <ul className="product-list">
            {onSale.map((product) => (
              <ProductCard
                key={product.sku}
                product={product}
                quantity={cart.quantities[product.sku] ?? 0}
                locked={cart.placingCommandId !== null}
                dispatch={dispatch}
              />
            ))}
          </ul>
          {products.hasNextPage ? (
            <button
              type="button"
              className="secondary"
              disabled={products.isFetchingNextPage}
              onClick={() => void products.fetchNextPage()}
            >
              Load more products
            </button>
          ) : null}
        </section>
        <CartPanel cart={cart} dispatch={dispatch} products={products.data?.products ?? []} profile={me.data ?? null} />
      </div>
    </>
  );
}

interface ProductCardProps {
  product: ProductFieldsFragment;
  quantity: number;
  locked: boolean;
  dispatch: (action: CartAction) => void;
}

function ProductCard({ product, quantity, locked, dispatch }: ProductCardProps) {
  const inputId = `quantity-${product.sku}`;
  return (
    <li className="card product">
      <h3>{product.name}</h3>
      {product.description ? <p className="description">{product.description}</p> : null}
      <p className="price">{product.price.display}</p>
      <div className="quantity">
        <label htmlFor={inputId}>
          Quantity<span className="visually-hidden"> of {product.name}</span>
        </label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_QUANTITY}
          step={1}
          placeholder="0"
          value={quantity === 0 ? "" : String(quantity)}
          disabled={locked}
          onChange={(event) =>
            dispatch({ type: "setQuantity", sku: product.sku, quantity: event.currentTarget.valueAsNumber || 0 })
          }
        />
      </div>
    </li>
  );
}
