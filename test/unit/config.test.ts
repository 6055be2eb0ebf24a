import { describe, expect, it } from "vitest";
import {
  findDeploymentProblem,
  findSecretProblem,
  findSettingProblem,
  parseConfig,
  requireJwtSecret,
  requirePolkaKey,
  settingsSchema,
  unknownSettings,
} from "../../src/config";
import { MisconfigurationError } from "../../src/errors";

const DB = {} as D1Database;

describe("parseConfig", () => {
  it("gives every setting a field under its camelCase name (docs/configuration.md's table holds the defaults: test/e2e/readme-settings)", () => {
    const config = parseConfig({ DB });
    const camel = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    expect(Object.keys(config).sort()).toEqual(Object.keys(settingsSchema.entries).map(camel).sort());
    // The defaults that keep production safe without any configuration.
    expect(config).toMatchObject({
      platform: "production",
      jwtSecret: null,
      polkaKey: null,
      refreshTokenRotation: false,
      corsOrigins: [],
      loginMaxAttemptsPerIp: 100,
      maxSessionsPerUser: 100,
      signupMaxGlobal: 1000,
    });
  });

  it("refuses a JWT_SECRET shorter than 32 bytes, so nothing is signed with a weak key", () => {
    expect(parseConfig({ DB, JWT_SECRET: "x".repeat(31) }).jwtSecret).toBeNull();
    expect(parseConfig({ DB, JWT_SECRET: "x".repeat(32) }).jwtSecret).toBe("x".repeat(32));
    expect(() => requireJwtSecret(parseConfig({ DB, JWT_SECRET: "short" }))).toThrow(MisconfigurationError);
    expect(() => requirePolkaKey(parseConfig({ DB }))).toThrow(MisconfigurationError);
  });

  it("reads overrides and rejects non-positive TTLs", () => {
    const config = parseConfig({ DB, ACCESS_TOKEN_TTL_SECONDS: "60", JWT_ISSUER: "me", PLATFORM: "dev" });
    expect(config).toMatchObject({ accessTokenTtlSeconds: 60, jwtIssuer: "me", platform: "dev" });
    expect(() => parseConfig({ DB, ACCESS_TOKEN_TTL_SECONDS: "0" })).toThrow(MisconfigurationError);
    expect(() => parseConfig({ DB, REFRESH_TOKEN_TTL_SECONDS: "1.5" })).toThrow(MisconfigurationError);
    expect(parseConfig({ DB, REFRESH_TOKEN_REUSE_GRACE_SECONDS: "0" }).refreshTokenReuseGraceSeconds).toBe(0);
  });

  it("parses rotation, previous secrets and CORS origins", () => {
    const strong = "s".repeat(32);
    const config = parseConfig({
      DB,
      REFRESH_TOKEN_ROTATION: "on",
      JWT_PREVIOUS_SECRETS: ` ${strong} , short ,, ${strong}2 `,
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(config.refreshTokenRotation).toBe(true);
    // A weak previous secret is dropped, never trusted.
    expect(config.jwtPreviousSecrets).toEqual([strong, `${strong}2`]);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(() => parseConfig({ DB, REFRESH_TOKEN_ROTATION: "yes" })).toThrow(MisconfigurationError);
  });

  it("refuses CORS_ORIGINS entries that are not exact origins (credentials are never open to a pattern)", () => {
    for (const bad of [
      "*",
      "https://*.example.com",
      "https://a.example/",
      "https://a.example/app",
      "a.example",
      "ftp://a.example",
    ]) {
      expect(() => parseConfig({ DB, CORS_ORIGINS: bad }), bad).toThrow(MisconfigurationError);
    }
    expect(parseConfig({ DB, CORS_ORIGINS: "http://localhost:5173" }).corsOrigins).toEqual(["http://localhost:5173"]);
  });
});

describe("findSettingProblem", () => {
  it("names the first malformed setting with its value and rule, or null", () => {
    expect(findSettingProblem({ ACCESS_TOKEN_TTL_SECONDS: "0" })).toEqual({
      name: "ACCESS_TOKEN_TTL_SECONDS",
      value: "0",
      rule: "must be an integer >= 1",
      message: 'ACCESS_TOKEN_TTL_SECONDS="0" must be an integer >= 1',
    });
    expect(findSettingProblem({ ACCESS_TOKEN_TTL_SECONDS: "60" })).toBeNull();
  });
});

describe("findSecretProblem", () => {
  it("refuses a missing or short JWT_SECRET (counted in UTF-8 bytes) and accepts 32 bytes", () => {
    expect(findSecretProblem({})).toMatch(/^JWT_SECRET is missing: it must be at least 32 bytes/);
    expect(findSecretProblem({ JWT_SECRET: "short" })).toMatch(/^JWT_SECRET is 5 bytes/);
    expect(findSecretProblem({ JWT_SECRET: "é".repeat(15) })).toMatch(/^JWT_SECRET is 30 bytes/);
    expect(findSecretProblem({ JWT_SECRET: "é".repeat(16) })).toBeNull();
    expect(findSecretProblem({ JWT_SECRET: "x".repeat(32) })).toBeNull();
  });
});

describe("unknownSettings", () => {
  it("names each name that is no setting with the nearest setting, and passes every setting", () => {
    expect(unknownSettings(["ACESS_TOKEN_TTL_SECONDS", "JWT_SECRET", "PLATFROM"])).toEqual([
      { name: "ACESS_TOKEN_TTL_SECONDS", nearest: "ACCESS_TOKEN_TTL_SECONDS" },
      { name: "PLATFROM", nearest: "PLATFORM" },
    ]);
    expect(unknownSettings(Object.keys(settingsSchema.entries))).toEqual([]);
  });
});

describe("findDeploymentProblem", () => {
  it("refuses an empty APP_URL outside development, whatever PLATFORM names", () => {
    for (const env of [{}, { PLATFORM: "production" }, { PLATFORM: "staging", APP_URL: "" }]) {
      expect(findDeploymentProblem(env), JSON.stringify(env)).toMatch(/^APP_URL is empty with PLATFORM=/);
    }
  });

  it("accepts development without APP_URL, and any platform with one", () => {
    expect(findDeploymentProblem({ PLATFORM: "dev" })).toBeNull();
    expect(findDeploymentProblem({ PLATFORM: "production", APP_URL: "https://chirpy.example.com/app" })).toBeNull();
  });
});
