/** Money in a currency's minor units (1250 = 12.50 USD), as the API carries it: display and input. */

export interface MinorUnits {
  amount: number;
  currency: string;
}

export type ParsedPrice = { ok: true; amount: number } | { ok: false; message: string };

/** How many decimals the currency has: 2 for USD and EUR, 0 for JPY, 3 for KWD. */
export function currencyDigits(currency: string): number {
  const format = new Intl.NumberFormat("en", { style: "currency", currency });
  return format.resolvedOptions().maximumFractionDigits ?? 2;
}

/** For people to read, in the reader's locale: formatMoney({amount: 1250, currency: "USD"}, "en-US") is "$12.50". */
export function formatMoney(money: MinorUnits, locale?: string): string {
  const digits = currencyDigits(money.currency);
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(
    money.amount / 10 ** digits,
  );
}

/** What a price field shows for an amount: 1250 USD is "12.50" (no symbol, no grouping). */
export function minorUnitsToInput(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = amount < 0 ? "-" : "";
  const text = String(Math.abs(amount)).padStart(digits + 1, "0");
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

// Up to 9 whole digits keeps every amount an exact integer in minor units; the API's own
// limit on prices is far below, and it says so itself.
const PRICE_INPUT = /^(\d{1,9})(?:\.(\d*))?$/;

/** "12.50" or "12.5" or "12" → 1250 (USD); anything else, a sentence saying what to type. */
export function parsePriceInput(input: string, currency: string): ParsedPrice {
  const digits = currencyDigits(currency);
  const example = minorUnitsToInput(1250, currency);
  const match = PRICE_INPUT.exec(input.trim());
  if (!match) {
    return { ok: false, message: `Enter a price in ${currency}, like ${example}.` };
  }
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${currency} has no smaller unit: enter a whole number, like ${example}.`
          : `Enter at most ${digits} decimals, like ${example}.`,
    };
  }
  return { ok: true, amount: Number(whole + fraction.padEnd(digits, "0")) };
}
