import { describe, expect, it } from "vitest";

import { MESSAGES, formatDate, formatPrice, translator } from "./i18n";

describe("translations", () => {
  it("French has every English message, and no message left empty", () => {
    expect(Object.keys(MESSAGES.fr).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    expect(Object.values(MESSAGES.fr).filter((text) => !text.trim())).toEqual([]);
  });

  it("fills in the values a message names", () => {
    expect(translator("fr")("tours.count", { count: 3 })).toBe("3 circuits");
    expect(translator("en")("book.total", { total: "€10.00" })).toBe("Total: €10.00");
  });
});

describe("formatting", () => {
  it("formats prices in the tour's currency for the locale", () => {
    expect(formatPrice("en", "1234.5", "EUR")).toBe("€1,234.50");
    expect(formatPrice("fr", "1234.5", "EUR")).toMatch(/^1\s234,50\s€$/);
    expect(formatPrice("en", "99", "USD")).toBe("$99.00");
  });

  it("shows the API's calendar dates on the same day whatever the time zone", () => {
    expect(formatDate("en", "2026-12-06")).toBe("December 6, 2026");
    expect(formatDate("fr", "2026-12-06")).toBe("6 décembre 2026");
  });
});
