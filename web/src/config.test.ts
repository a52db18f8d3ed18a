import { describe, expect, it } from "vitest";

import { ConfigError, configUrl, parseConfig } from "./config";

describe("configUrl", () => {
  it("is beside the app once it is served", () => {
    expect(configUrl({ DEV: false }, "https://shop.example/#/orders")).toBe("https://shop.example/config.json");
  });

  it("is the local API's under npm run dev, or VITE_API_ORIGIN's", () => {
    expect(configUrl({ DEV: true }, "http://localhost:5173/")).toBe("http://127.0.0.1:8000/config.json");
    expect(configUrl({ DEV: true, VITE_API_ORIGIN: "http://127.0.0.1:9000" }, "http://localhost:5173/")).toBe(
      "http://127.0.0.1:9000/config.json",
    );
  });
});

describe("parseConfig", () => {
  it("reads local mode, with the API and /dev/token where config.json came from", () => {
    expect(parseConfig({ apiUrl: "/graphql", auth: { mode: "local" } }, "http://127.0.0.1:8000/config.json")).toEqual({
      apiUrl: "http://127.0.0.1:8000/graphql",
      auth: { mode: "local", devTokenUrl: "http://127.0.0.1:8000/dev/token" },
    });
  });

  it("reads cognito mode", () => {
    const cognito = {
      mode: "cognito",
      domain: "https://shop.auth.eu-west-1.amazoncognito.com",
      clientId: "abc",
      redirectUri: "https://shop.example/",
      logoutUri: "https://shop.example/",
    };
    expect(parseConfig({ apiUrl: "https://api.example/prod/graphql", auth: cognito }, "https://shop.example/config.json")).toEqual({
      apiUrl: "https://api.example/prod/graphql",
      auth: cognito,
    });
  });

  it.each([
    ["not an object", []],
    ["no apiUrl", { auth: { mode: "local" } }],
    ["no auth", { apiUrl: "/graphql" }],
    ["an unknown mode", { apiUrl: "/graphql", auth: { mode: "magic" } }],
    ["cognito without a client id", { apiUrl: "/graphql", auth: { mode: "cognito", domain: "https://a.example", redirectUri: "https://s/", logoutUri: "https://s/" } }],
    ["cognito over plain http", { apiUrl: "/graphql", auth: { mode: "cognito", domain: "http://a.example", clientId: "c", redirectUri: "https://s/", logoutUri: "https://s/" } }],
  ])("refuses %s", (_case, raw) => {
    expect(() => parseConfig(raw, "https://shop.example/config.json")).toThrow(ConfigError);
  });
});
