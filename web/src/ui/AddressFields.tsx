/** The address inputs, shared by the profile and the order's delivery address. */

import type { AddressInput } from "../gql/graphql";

export const EMPTY_ADDRESS: AddressInput = { line1: "", line2: "", city: "", postalCode: "", country: "" };

const FIELDS = [
  { key: "line1", label: "Address line 1", autoComplete: "address-line1", required: true },
  { key: "line2", label: "Address line 2 (optional)", autoComplete: "address-line2", required: false },
  { key: "city", label: "City", autoComplete: "address-level2", required: true },
  { key: "postalCode", label: "Postal code", autoComplete: "postal-code", required: true },
  { key: "country", label: "Country", autoComplete: "country-name", required: true },
] as const;

/** Labels by the API's field path (`defaultAddress.city`), for naming what a ValidationError is about. */
export function addressFieldLabels(prefix: string): Record<string, string> {
  return Object.fromEntries(FIELDS.map((field) => [`${prefix}.${field.key}`, field.label]));
}

interface AddressFieldsProps {
  idPrefix: string;
  legend: string;
  address: AddressInput;
  onChange: (address: AddressInput) => void;
  disabled?: boolean;
}

export function AddressFields({ idPrefix, legend, address, onChange, disabled = false }: AddressFieldsProps) {
  return (
    <fieldset disabled={disabled}>
      <legend>{legend}</legend>
      {FIELDS.map((field) => {
        const id = `${idPrefix}-${field.key}`;
        return (
          <div className="field" key={field.key}>
            <label htmlFor={id}>{field.label}</label>
            <input
              id={id}
              autoComplete={field.autoComplete}
              required={field.required}
              maxLength={field.key === "country" ? 56 : 200}
              value={address[field.key] ?? ""}
              onChange={(event) => onChange({ ...address, [field.key]: event.currentTarget.value })}
            />
          </div>
        );
      })}
    </fieldset>
  );
}
