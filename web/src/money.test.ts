import { describe, expect, it } from "vitest";

import { currencyDigits, formatMoney, minorUnitsToInput, parsePriceInput } from "./money";

describe("formatMoney", () => {
  it("shows minor units in the currency's major unit", () => {
    expect(formatMoney({ amount: 1250, currency: "USD" }, "en-US")).toBe("$12.50");
    expect(formatMoney({ amount: 5, currency: "USD" }, "en-US")).toBe("$0.05");
  });

  it("shows a negative amount (a refund) with its sign", () => {
    expect(formatMoney({ amount: -1250, currency: "EUR" }, "en-US")).toBe("-€12.50");
  });

  it("knows currencies without a minor unit", () => {
    expect(currencyDigits("JPY")).toBe(0);
    expect(formatMoney({ amount: 1250, currency: "JPY" }, "en-US")).toBe("¥1,250");
  });
});

describe("minorUnitsToInput", () => {
  it("writes what a price field shows", () => {
    expect(minorUnitsToInput(1250, "USD")).toBe("12.50");
    expect(minorUnitsToInput(5, "USD")).toBe("0.05");
    expect(minorUnitsToInput(0, "USD")).toBe("0.00");
    expect(minorUnitsToInput(1250, "JPY")).toBe("1250");
    expect(minorUnitsToInput(1234, "KWD")).toBe("1.234");
  });

  it("round-trips through parsePriceInput", () => {
    for (const amount of [0, 1, 99, 100, 1250, 999_999]) {
      expect(parsePriceInput(minorUnitsToInput(amount, "USD"), "USD")).toEqual({ ok: true, amount });
    }
  });
});

describe("parsePriceInput", () => {
  it("turns currency units into minor units", () => {
    expect(parsePriceInput("12.50", "USD")).toEqual({ ok: true, amount: 1250 });
    expect(parsePriceInput("12.5", "USD")).toEqual({ ok: true, amount: 1250 });
    expect(parsePriceInput("12", "USD")).toEqual({ ok: true, amount: 1200 });
    expect(parsePriceInput(" 0.99 ", "USD")).toEqual({ ok: true, amount: 99 });
    expect(parsePriceInput("1250", "JPY")).toEqual({ ok: true, amount: 1250 });
  });

  it.each(["", "abc", "-1", "1,250.00", "12.50.1", "$12", "1e3", ".5", "1234567890"])(
    "refuses %j with a sentence saying what to type",
    (input) => {
      const parsed = parsePriceInput(input, "USD");
      expect(parsed).toEqual({ ok: false, message: "Enter a price in USD, like 12.50." });
    },
  );

  it("refuses more decimals than the currency has", () => {
    expect(parsePriceInput("12.505", "USD")).toEqual({
      ok: false,
      message: "Enter at most 2 decimals, like 12.50.",
    });
    expect(parsePriceInput("12.5", "JPY")).toMatchObject({ ok: false });
  });
});
