// Typed documents from the exported SDL: no running server is needed to generate them.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: {
        // The pages read whole results; masking would only add unwrapping calls.
        fragmentMasking: false,
      },
      config: {
        // Plain strings instead of parsed ASTs: fetch sends them as they are and the
        // bundle carries no `graphql` runtime.
        documentMode: "string",
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: "string" },
        enumType: "string-literal",
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
