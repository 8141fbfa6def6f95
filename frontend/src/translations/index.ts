// The card's strings, one JSON file per language, English the fallback.
// Adding a language: add <code>.json with the keys of en.json and list it
// below (test/translations.test.ts checks both).
import de from "./de.json";
import en from "./en.json";
import es from "./es.json";
import fr from "./fr.json";
import it from "./it.json";
import ja from "./ja.json";
import ptBR from "./pt-BR.json";

export type StringKey = keyof typeof en;
type Table = Partial<Record<StringKey, string>>;

export const TABLES: Record<string, Table> = {
  de,
  en,
  es,
  fr,
  it,
  ja,
  "pt-BR": ptBR,
};

// A language with no table of its own that reads one of its regions' far
// better than English: Home Assistant's "pt" (Portugal) gets pt-BR.
const REGION_FOR: Record<string, string> = { pt: "pt-BR" };

export function isStringKey(key: string): key is StringKey {
  return Object.hasOwn(en, key);
}

/** The table for a language: "de-CH" tries "de-CH", then "de", then English. */
export function tableFor(language: string | undefined): Table {
  if (language) {
    const exact = TABLES[language];
    if (exact) return exact;
    const base = language.split("-")[0].toLowerCase();
    const table = TABLES[base] ?? TABLES[REGION_FOR[base] ?? ""];
    if (table) return table;
  }
  return en;
}

export type Localize = (
  key: StringKey,
  values?: Record<string, string | number>,
) => string;

/** A localize function for a language, falling back to English per key. */
export function localizer(language: string | undefined): Localize {
  const table = tableFor(language);
  return (key, values = {}) => {
    // A key no table has (a caller's mistake) shows as itself, not a crash.
    const text: string = table[key] ?? en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name: string) =>
      name in values ? String(values[name]) : match,
    );
  };
}
