import { describe, expect, it } from "vitest";
import { cleanProfanity } from "../../src/chirps/service";

describe("cleanProfanity", () => {
  it("replaces the course's words ignoring case", () => {
    expect(cleanProfanity("This is a kerfuffle opinion I need to share with the world")).toBe(
      "This is a **** opinion I need to share with the world",
    );
    expect(cleanProfanity("I hear Mastodon is better than Chirpy. sharbert I need to migrate")).toBe(
      "I hear Mastodon is better than Chirpy. **** I need to migrate",
    );
    expect(cleanProfanity("I really need a kerfuffle to go to bed sooner, Fornax !")).toBe(
      "I really need a **** to go to bed sooner, **** !",
    );
    expect(cleanProfanity("SHARBERT KerFuffle")).toBe("**** ****");
  });

  it("leaves words with punctuation attached alone", () => {
    expect(cleanProfanity("Sharbert! kerfuffle, fornax.")).toBe("Sharbert! kerfuffle, fornax.");
  });

  it("splits on single spaces only, keeping the original spacing", () => {
    expect(cleanProfanity("a  fornax\tkerfuffle  b")).toBe("a  fornax\tkerfuffle  b");
    expect(cleanProfanity("a  fornax  b")).toBe("a  ****  b");
  });
});
