// openapi-typescript, resolved from this folder so that its `import "typescript"` gets the 5.x
// beside it (its printer needs the TypeScript 5 compiler API), while the project's tsc stays 7.
export { astToString, default } from "openapi-typescript";
