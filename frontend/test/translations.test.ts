import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { TABLES, localizer, tableFor } from "../src/translations";
import en from "../src/translations/en.json";

const DIR = join(__dirname, "..", "src", "translations");
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
// The integration's languages (custom_components/audible_tracker/translations).
const LANGUAGES = ["de", "en", "es", "fr", "it", "ja", "pt-BR"];

describe("translations", () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith(".json"));

  it("lists every language file in the index", () => {
    expect(Object.keys(TABLES).sort()).toEqual(files.map((name) => name.replace(/\.json$/, "")).sort());
  });

  it("speaks the integration's languages", () => {
    expect(Object.keys(TABLES).sort()).toEqual(LANGUAGES);
  });

  it.each(files)("%s has English's keys and placeholders", (name) => {
    const table: Record<string, string> = JSON.parse(readFileSync(join(DIR, name), "utf8"));
    expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(table)) {
      expect(typeof text === "string" && text.trim() !== "", key).toBe(true);
      expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it.each(LANGUAGES.filter((language) => language !== "en"))("%s leaves no English sentence", (language) => {
    // Four words or more copied from English is an untranslated string;
    // shorter ones may rightly match (product names).
    const copied = Object.entries(tableFor(language)).filter(
      ([key, text]) => text.split(/\s+/).length >= 4 && text === en[key as keyof typeof en],
    );
    expect(copied).toEqual([]);
  });

  it("falls back from a region to its language, then to English", () => {
    expect(tableFor("en-GB")).toBe(TABLES.en);
    expect(tableFor("de")).toBe(TABLES.de);
    expect(tableFor("de-CH")).toBe(TABLES.de);
    expect(tableFor("fr-CA")).toBe(TABLES.fr);
    expect(tableFor("pt-BR")).toBe(TABLES["pt-BR"]);
    // Home Assistant's European Portuguese has no table: Brazil's reads better than English.
    expect(tableFor("pt")).toBe(TABLES["pt-BR"]);
    expect(tableFor("pt-PT")).toBe(TABLES["pt-BR"]);
    expect(tableFor("xx")).toBe(TABLES.en);
    expect(tableFor(undefined)).toBe(TABLES.en);
  });

  it("fills placeholders in and leaves unknown ones", () => {
    const t = localizer("en");
    expect(t("book.time_left", { time: "1:02" })).toBe("1:02 left");
    expect(t("book.series_volume", { series: "Anne" })).toBe("Anne #{sequence}");
    expect(t("no.such.key" as never)).toBe("no.such.key");
    expect(localizer("de-CH")("book.time_left", { time: "1:02" })).toBe("noch 1:02");
    expect(localizer("ja")("missing.more", { count: 3 })).toBe("ほか 3 件");
  });
});
