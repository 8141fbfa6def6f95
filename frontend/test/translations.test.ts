import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { TABLES, localizer, tableFor } from "../src/translations";
import en from "../src/translations/en.json";

const DIR = join(__dirname, "..", "src", "translations");
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("translations", () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith(".json"));

  it("lists every language file in the index", () => {
    expect(Object.keys(TABLES).sort()).toEqual(files.map((name) => name.replace(/\.json$/, "")).sort());
  });

  it.each(files)("%s has English's keys and placeholders", (name) => {
    const table: Record<string, string> = JSON.parse(readFileSync(join(DIR, name), "utf8"));
    expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(table)) {
      expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it("falls back from a region to its language, then to English", () => {
    expect(tableFor("en-GB")).toBe(TABLES.en);
    expect(tableFor("xx")).toBe(TABLES.en);
    expect(tableFor(undefined)).toBe(TABLES.en);
  });

  it("fills placeholders in and leaves unknown ones", () => {
    const t = localizer("en");
    expect(t("book.time_left", { time: "1:02" })).toBe("1:02 left");
    expect(t("book.series_volume", { series: "Anne" })).toBe("Anne #{sequence}");
    expect(t("no.such.key" as never)).toBe("no.such.key");
  });
});
