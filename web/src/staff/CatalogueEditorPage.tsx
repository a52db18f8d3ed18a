/** Staff: the catalogue, with a form to add a product or replace one's name, price, state and description. */

import { useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { ActionStatus, actionStatusProps } from "../commands/ActionStatus";
import { useCommandAction } from "../commands/useCommand";
import type { ProductFieldsFragment, UpsertProductInput } from "../gql/graphql";
import { minorUnitsToInput, parsePriceInput } from "../money";
import { UpsertProductMutation } from "../products/productDocuments";
import { useProducts } from "../products/useProducts";
import { PageHeading } from "../ui/PageHeading";

// The catalogue has one currency, the business's; with no product yet to tell it, dollars.
const FALLBACK_CURRENCY = "USD";
const FIELD_LABELS = { sku: "SKU", name: "Name", price: "Price", description: "Description", active: "On sale" };

export function CatalogueEditorPage() {
  const products = useProducts();
  const [editing, setEditing] = useState<ProductFieldsFragment | null>(null);
  // A new form for each product picked (and for each "New product"): it starts from that product.
  const [formGeneration, setFormGeneration] = useState(0);
  const currency = products.data?.products[0]?.price.currency ?? FALLBACK_CURRENCY;

  function edit(product: ProductFieldsFragment | null) {
    setEditing(product);
    setFormGeneration((generation) => generation + 1);
  }

  return (
    <>
      <PageHeading>Catalogue</PageHeading>
      <div className="shop-layout">
        <section aria-labelledby="catalogue-heading">
          <h2 id="catalogue-heading">Products</h2>
          {products.isPending ? <p>Loading products…</p> : null}
          <ul className="product-list">
            {(products.data?.products ?? []).map((product) => (
              <li key={product.sku} className="card product">
                <h3>
                  {product.name} {product.active ? null : <span className="badge">Withdrawn</span>}
                </h3>
                <p className="muted">SKU {product.sku}</p>
                {product.description ? <p className="description">{product.description}</p> : null}
                <p className="price">{product.price.display}</p>
                <button type="button" className="secondary" onClick={() => edit(product)}>
                  Edit {product.name}
                </button>
              </li>
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
        <ProductForm
          key={formGeneration}
          product={editing}
          currency={editing?.price.currency ?? currency}
          onNew={() => edit(null)}
        />
      </div>
    </>
  );
}

interface ProductFormProps {
  product: ProductFieldsFragment | null;
  currency: string;
  onNew: () => void;
}

function ProductForm({ product, currency, onNew }: ProductFormProps) {
  const execute = useExecute();
  const queryClient = useQueryClient();
  const [sku, setSku] = useState(product?.sku ?? "");
  const [name, setName] = useState(product?.name ?? "");
  const [price, setPrice] = useState(product ? minorUnitsToInput(product.price.amount, currency) : "");
  const [description, setDescription] = useState(product?.description ?? "");
  const [active, setActive] = useState(product?.active ?? true);
  const [priceError, setPriceError] = useState<string | null>(null);
  const save = useCommandAction(
    async (input: UpsertProductInput) => (await execute(UpsertProductMutation, { input })).upsertProduct,
    (command) => {
      if (command.state === "APPLIED") void queryClient.invalidateQueries({ queryKey: queryKeys.products });
    },
  );

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parsePriceInput(price, currency);
    if (!parsed.ok) {
      setPriceError(parsed.message);
      return;
    }
    setPriceError(null);
    save.run({
      sku: sku.trim(),
      name: name.trim(),
      price: parsed.amount,
      active,
      // The upsert replaces the whole product: a blank description means none.
      description: description.trim() || null,
    });
  }

  const heading = product ? `Edit ${product.name}` : "Add a product";
  return (
    <section className="card" aria-labelledby="product-form-heading">
      <h2 id="product-form-heading">{heading}</h2>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="product-sku">SKU</label>
          <input
            id="product-sku"
            required
            maxLength={64}
            readOnly={product !== null}
            aria-describedby="product-sku-hint"
            value={sku}
            onChange={(event) => setSku(event.currentTarget.value)}
          />
          <p id="product-sku-hint" className="hint">
            {product ? "A product's SKU stays as it is." : "Letters, digits, dots, dashes and underscores."}
          </p>
        </div>
        <div className="field">
          <label htmlFor="product-name">Name</label>
          <input
            id="product-name"
            required
            maxLength={120}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="product-price">Price ({currency})</label>
          <input
            id="product-price"
            inputMode="decimal"
            required
            placeholder={minorUnitsToInput(1250, currency)}
            aria-invalid={priceError !== null}
            aria-describedby="product-price-hint"
            value={price}
            onChange={(event) => setPrice(event.currentTarget.value)}
          />
          <p id="product-price-hint" className={priceError ? "hint error" : "hint"}>
            {priceError ?? `In ${currency}, like ${minorUnitsToInput(1250, currency)}.`}
          </p>
        </div>
        <div className="field">
          <label htmlFor="product-description">Description</label>
          <textarea
            id="product-description"
            rows={3}
            maxLength={500}
            value={description}
            onChange={(event) => setDescription(event.currentTarget.value)}
          />
        </div>
        <div className="checkbox">
          <input
            id="product-active"
            type="checkbox"
            checked={active}
            onChange={(event) => setActive(event.currentTarget.checked)}
          />
          <label htmlFor="product-active">On sale</label>
        </div>
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.busy}>
            Save product
          </button>
          {product ? (
            <button type="button" className="secondary" onClick={onNew}>
              New product
            </button>
          ) : null}
        </div>
        <ActionStatus
          {...actionStatusProps(save)}
          pendingText="Saving the product…"
          appliedText="Product saved."
          fieldLabels={FIELD_LABELS}
        />
      </form>
    </section>
  );
}
