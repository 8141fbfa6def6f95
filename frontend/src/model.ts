// What the card shows, worked out from `hass` without any DOM: the entities of
// the entry, the state the card is in, and the formatting of times and
// progress. The element (card.ts) only renders what this returns.
import type { CardConfig, HassEntity, HomeAssistant } from "./types";

export const DOMAIN = "audible_tracker";

/** The entry's entities the card reads, by their translation key. */
export const ENTITY_KEYS = [
  "currently_reading",
  "progress",
  "time_left",
  "books_in_progress",
  "books_finished",
  "library_size",
  "listening_time_today",
  "listening_time_this_week",
  "unmatched_titles",
  "sync_plan",
  "book",
  "next_up",
  "missing_volumes",
  "listening_streak",
  "yearly_goal_progress",
  "books_finished_this_year",
  "yearly_goal",
] as const;
export type EntityKey = (typeof ENTITY_KEYS)[number];

// Longest first: "books_in_progress" must win over "progress".
const BY_SUFFIX = [...ENTITY_KEYS].sort((a, b) => b.length - a.length);

const UNAVAILABLE = new Set(["unavailable"]);
const NO_VALUE = new Set(["unknown", "unavailable", ""]);

export type EntryEntities = Partial<Record<EntityKey, string>>;

export interface Entry {
  deviceId?: string;
  configEntryId?: string;
  entities: EntryEntities;
}

function keyOf(entityId: string, translationKey?: string): EntityKey | undefined {
  if (translationKey && (ENTITY_KEYS as readonly string[]).includes(translationKey)) {
    return translationKey as EntityKey;
  }
  // Entities without a translation key in the registry: the object id ends
  // with the key (sensor.audible_de_next_up).
  const objectId = entityId.split(".")[1] ?? "";
  return BY_SUFFIX.find((key) => objectId === key || objectId.endsWith(`_${key}`));
}

/** The entry's device and its entities, from the card's entity or device. */
export function findEntry(hass: HomeAssistant, config: CardConfig): Entry {
  const anchor = config.entity ? hass.entities[config.entity] : undefined;
  const deviceId = config.device_id ?? anchor?.device_id;
  const entities: EntryEntities = {};
  if (deviceId) {
    for (const entry of Object.values(hass.entities)) {
      if (!entry || entry.device_id !== deviceId) continue;
      if (entry.platform && entry.platform !== DOMAIN) continue;
      const key = keyOf(entry.entity_id, entry.translation_key);
      if (key && !entities[key]) entities[key] = entry.entity_id;
    }
  }
  // The configured entity is the book's sensor even outside the registry.
  if (config.entity && (!anchor || keyOf(config.entity, anchor.translation_key) === "currently_reading")) {
    entities.currently_reading = config.entity;
  }
  const device = deviceId ? hass.devices[deviceId] : undefined;
  const configEntryId = device?.primary_config_entry ?? device?.config_entries[0];
  return { deviceId, configEntryId: configEntryId ?? undefined, entities };
}

/** The first Audible Tracker "currently reading" sensor, for a new card. */
export function firstCurrentlyReading(hass: HomeAssistant): string | undefined {
  return Object.values(hass.entities)
    .filter((entry) => entry?.platform === DOMAIN)
    .map((entry) => entry!)
    .filter((entry) => keyOf(entry.entity_id, entry.translation_key) === "currently_reading")
    .map((entry) => entry.entity_id)
    .sort()[0];
}

/** Whether the card suits an entity (the card picker's suggestions). */
export function suitsEntity(hass: HomeAssistant, entityId: string): boolean {
  const entry = hass.entities[entityId];
  return entry?.platform === DOMAIN && entityId.startsWith("sensor.");
}

// -- formatting --

function finite(value: unknown): number | undefined {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}

/** Seconds as h:mm (whole minutes, rounded down): 3725 -> "1:02". */
export function formatClock(seconds: unknown): string | undefined {
  const value = finite(seconds);
  if (value === undefined) return undefined;
  const minutes = Math.floor(Math.max(0, value) / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The percent heard, 0-100: the attribute, else position over duration. */
export function percentHeard(attributes: Record<string, unknown>): number | undefined {
  let percent = finite(attributes.percent);
  if (percent === undefined) {
    const position = finite(attributes.position);
    const duration = finite(attributes.duration);
    if (position === undefined || !duration) return undefined;
    percent = (position / duration) * 100;
  }
  return Math.min(100, Math.max(0, percent));
}

/** "50%" in the user's language (no decimals). */
export function formatPercent(percent: number, language: string): string {
  return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 }).format(
    Math.floor(percent) / 100,
  );
}

/** Seconds left: the attribute, else duration less position. */
export function secondsLeft(attributes: Record<string, unknown>): number | undefined {
  const left = finite(attributes.time_left);
  if (left !== undefined) return Math.max(0, left);
  const position = finite(attributes.position);
  const duration = finite(attributes.duration);
  return position !== undefined && duration !== undefined ? Math.max(0, duration - position) : undefined;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** "2h ago", "yesterday": a time relative to `now`, in the user's language. */
export function relativeTime(iso: unknown, now: Date, language: string): string | undefined {
  if (typeof iso !== "string") return undefined;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return undefined;
  let amount = (then - now.getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat(language, { numeric: "auto", style: "narrow" });
  if (Math.abs(amount) < 45) return format.format(0, "second");
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return undefined; // unreachable: the last step is infinite
}

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, min: 60, h: 3600, d: 86400 };

/** A duration sensor's state in seconds, whatever unit it is shown in. */
export function durationSeconds(entity: HassEntity | undefined): number | undefined {
  if (!entity || NO_VALUE.has(entity.state)) return undefined;
  const value = finite(entity.state);
  const unit = entity.attributes.unit_of_measurement;
  const factor = SECONDS_PER_UNIT[typeof unit === "string" ? unit : "s"];
  return value === undefined || factor === undefined ? undefined : value * factor;
}

/** Seconds as "1h 05m" / "25m" for the listening totals. */
export function formatHoursMinutes(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours ? `${hours}h ${String(minutes % 60).padStart(2, "0")}m` : `${minutes}m`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];
}

/** Series and volume: [["Anne of Green Gables", "2"]], one pair per series. */
export function seriesVolumes(attributes: Record<string, unknown>): [string, string | undefined][] {
  const titles = strings(attributes.series);
  const sequences = Array.isArray(attributes.series_sequence) ? attributes.series_sequence : [];
  return titles.map((title, index) => {
    const sequence = sequences[index];
    return [title, typeof sequence === "string" || typeof sequence === "number" ? String(sequence) : undefined];
  });
}

// -- the card's states --

export type Service = "audible" | "abs";

export type SyncKind = "in_step" | "syncing" | "conflict" | "failed" | "off" | "dry_run" | "unavailable";

export interface SyncStatus {
  kind: SyncKind;
  count: number;
  entityId: string;
}

/**
 * The badge, from the sync plan sensor (planned writes, writes that did not
 * take, mode) and the unmatched titles sensor (conflicts waiting for the user).
 * Worst first: a write that did not take, then a conflict, then syncing.
 */
export function syncStatus(hass: HomeAssistant, entities: EntryEntities): SyncStatus | undefined {
  const entityId = entities.sync_plan;
  const plan = entityId ? hass.states[entityId] : undefined;
  if (!entityId || !plan) return undefined;
  if (UNAVAILABLE.has(plan.state)) return { kind: "unavailable", count: 0, entityId };
  const unverified = Array.isArray(plan.attributes.unverified) ? plan.attributes.unverified.length : 0;
  if (unverified) return { kind: "failed", count: unverified, entityId };
  const unmatched = entities.unmatched_titles ? hass.states[entities.unmatched_titles] : undefined;
  const conflicts = finite(unmatched?.state) ?? 0;
  if (conflicts > 0) return { kind: "conflict", count: conflicts, entityId };
  if (plan.attributes.mode === "off") return { kind: "off", count: 0, entityId };
  if (plan.attributes.dry_run === true) return { kind: "dry_run", count: 0, entityId };
  const planned = finite(plan.state) ?? 0;
  return planned > 0 ? { kind: "syncing", count: planned, entityId } : { kind: "in_step", count: 0, entityId };
}

/** Which services do not answer, from which sensors are unavailable. */
export function servicesDown(hass: HomeAssistant, entities: EntryEntities): Service[] {
  const unavailable = (key: EntityKey): boolean => {
    const id = entities[key];
    const state = id ? hass.states[id] : undefined;
    return state !== undefined && UNAVAILABLE.has(state.state);
  };
  const hasAbs = entities.sync_plan !== undefined || entities.unmatched_titles !== undefined;
  // Values that need Audible alone go when Audible does; "currently reading"
  // needs either; unmatched titles need both.
  if (unavailable("currently_reading")) return hasAbs ? ["audible", "abs"] : ["audible"];
  const down: Service[] = [];
  if (unavailable("library_size")) down.push("audible");
  else if (hasAbs && unavailable("unmatched_titles")) down.push("abs");
  return down;
}

export interface BookView {
  entityId: string;
  title: string;
  authors: string[];
  narrators: string[];
  series: [string, string | undefined][];
  cover?: string;
  percent?: number;
  position?: number;
  duration?: number;
  left?: number;
  source?: string;
  lastListened?: string;
}

export type CardView =
  | { kind: "no_config" }
  | { kind: "missing"; entityId: string }
  | { kind: "unavailable"; entityId: string; down: Service[] }
  | { kind: "empty"; entityId: string; lastFinished?: string }
  | { kind: "reading"; book: BookView; down: Service[] };

function lastFinished(hass: HomeAssistant, entities: EntryEntities): string | undefined {
  const event = entities.book ? hass.states[entities.book] : undefined;
  const title = event?.attributes.title;
  return event?.attributes.event_type === "finished" && typeof title === "string" ? title : undefined;
}

/** The state the card is in, and the book it shows. */
export function cardView(hass: HomeAssistant, config: CardConfig, entry: Entry = findEntry(hass, config)): CardView {
  const entityId = entry.entities.currently_reading ?? config.entity;
  if (!entityId) return config.device_id ? { kind: "missing", entityId: config.device_id } : { kind: "no_config" };
  const state = hass.states[entityId];
  if (!state) return { kind: "missing", entityId };
  const down = servicesDown(hass, entry.entities);
  if (UNAVAILABLE.has(state.state)) return { kind: "unavailable", entityId, down };
  const attributes = state.attributes;
  if (NO_VALUE.has(state.state) || state.state === "None") {
    return { kind: "empty", entityId, lastFinished: lastFinished(hass, entry.entities) };
  }
  const picture = attributes.entity_picture;
  const cover = attributes.cover_url;
  return {
    kind: "reading",
    down,
    book: {
      entityId,
      title: state.state,
      authors: strings(attributes.authors),
      narrators: strings(attributes.narrators),
      series: seriesVolumes(attributes),
      // The picture is the cover the integration found to load.
      cover: typeof picture === "string" && picture ? picture : typeof cover === "string" && cover ? cover : undefined,
      percent: percentHeard(attributes),
      position: finite(attributes.position),
      duration: finite(attributes.duration),
      left: secondsLeft(attributes),
      source: typeof attributes.source === "string" ? attributes.source : undefined,
      lastListened: typeof attributes.last_listened === "string" ? attributes.last_listened : undefined,
    },
  };
}

// -- sections --

export interface ShelfBook {
  title: string;
  author?: string;
  percent?: number;
  cover?: string;
  lastListened?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The row of books in progress (the `books` attribute). */
export function inProgressBooks(hass: HomeAssistant, entities: EntryEntities): ShelfBook[] {
  const state = entities.books_in_progress ? hass.states[entities.books_in_progress] : undefined;
  const books = state?.attributes.books;
  if (!Array.isArray(books)) return [];
  return books.flatMap((book: unknown) => {
    if (typeof book !== "object" || book === null) return [];
    const item = book as Record<string, unknown>;
    const title = text(item.title);
    if (!title) return [];
    const percent = finite(item.percent);
    return [
      {
        title,
        author: text(item.author),
        percent: percent === undefined ? undefined : Math.min(100, Math.max(0, percent)),
        cover: text(item.cover_url),
        lastListened: text(item.last_listened),
      },
    ];
  });
}

export interface NextUp {
  entityId: string;
  title: string;
  series?: string;
  sequence?: string;
  cover?: string;
  authors: string[];
}

/** The next book of a series being read, when the series sensor exists. */
export function nextUp(hass: HomeAssistant, entities: EntryEntities): NextUp | undefined {
  const entityId = entities.next_up;
  const state = entityId ? hass.states[entityId] : undefined;
  if (!entityId || !state || NO_VALUE.has(state.state)) return undefined;
  const a = state.attributes;
  const sequence = a.sequence;
  return {
    entityId,
    title: state.state,
    series: text(a.series),
    sequence: typeof sequence === "number" || typeof sequence === "string" ? String(sequence) : undefined,
    cover: text(a.entity_picture) ?? text(a.cover_url),
    authors: strings(a.authors),
  };
}

export interface MissingVolume {
  title: string;
  sequence?: string;
  releaseDate?: string;
  inWishlist: boolean;
}

export interface MissingSeries {
  title: string;
  missing: MissingVolume[];
}

/** Series with volumes the user does not own, when the series sensor exists. */
export function missingVolumes(hass: HomeAssistant, entities: EntryEntities): MissingSeries[] | undefined {
  const entityId = entities.missing_volumes;
  const state = entityId ? hass.states[entityId] : undefined;
  if (!state || UNAVAILABLE.has(state.state)) return undefined;
  const series = state.attributes.series;
  if (!Array.isArray(series)) return [];
  return series.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    const entry = item as Record<string, unknown>;
    const title = text(entry.title);
    const missing = Array.isArray(entry.missing) ? entry.missing : [];
    const volumes = missing.flatMap((volume: unknown) => {
      if (typeof volume !== "object" || volume === null) return [];
      const v = volume as Record<string, unknown>;
      const volumeTitle = text(v.title);
      if (!volumeTitle) return [];
      const sequence = v.sequence;
      return [
        {
          title: volumeTitle,
          sequence: typeof sequence === "number" || typeof sequence === "string" ? String(sequence) : undefined,
          releaseDate: text(v.release_date),
          inWishlist: v.in_wishlist === true,
        },
      ];
    });
    return title && volumes.length ? [{ title, missing: volumes }] : [];
  });
}

/** Listening time today and this week, in seconds, when known. */
export function listening(hass: HomeAssistant, entities: EntryEntities): { today?: number; week?: number } {
  const get = (key: EntityKey): HassEntity | undefined => {
    const id = entities[key];
    return id ? hass.states[id] : undefined;
  };
  return {
    today: durationSeconds(get("listening_time_today")),
    week: durationSeconds(get("listening_time_this_week")),
  };
}

export interface Streak {
  entityId: string;
  days: number;
  longest?: number;
}

export interface YearGoal {
  /** The entity more-info opens: the goal's progress, else the books finished. */
  entityId: string;
  finished?: number;
  /** Books to finish this year; undefined without a goal (0 or no entity). */
  goal?: number;
  /** Percent of the goal, 0-100 for the bar. */
  percent?: number;
  /** Whole books ahead of an even pace (negative: behind). */
  ahead?: number;
}

export interface Goals {
  streak?: Streak;
  year?: YearGoal;
}

/**
 * The listening streak and the yearly goal, from the history entities when
 * the entry has them. An unavailable entity counts as missing; a goal of 0
 * is no goal, leaving the books finished this year alone.
 */
export function goals(hass: HomeAssistant, entities: EntryEntities): Goals {
  const get = (key: EntityKey): HassEntity | undefined => {
    const id = entities[key];
    const state = id ? hass.states[id] : undefined;
    return state && !NO_VALUE.has(state.state) ? state : undefined;
  };
  const out: Goals = {};
  const streakState = get("listening_streak");
  const days = finite(streakState?.state);
  if (streakState && days !== undefined) {
    const longest = finite(streakState.attributes.longest_streak);
    out.streak = { entityId: streakState.entity_id, days: Math.max(0, Math.floor(days)), longest };
  }
  const progress = get("yearly_goal_progress");
  const finishedState = get("books_finished_this_year");
  // The number is the goal the user set; the progress sensor also carries it.
  const goal = finite(get("yearly_goal")?.state) ?? finite(progress?.attributes.goal);
  const finished = finite(finishedState?.state) ?? finite(progress?.attributes.finished);
  if (goal !== undefined && goal > 0 && progress) {
    const percent = finite(progress.state) ?? (finished === undefined ? undefined : (finished / goal) * 100);
    const ahead = finite(progress.attributes.ahead_by);
    out.year = {
      entityId: progress.entity_id,
      finished,
      goal: Math.round(goal),
      percent: percent === undefined ? undefined : Math.min(100, Math.max(0, percent)),
      // +0 turns Math.round's -0 (a tiny bit behind) into "on track".
      ahead: ahead === undefined ? undefined : Math.round(ahead) + 0,
    };
  } else if (finishedState && finished !== undefined) {
    out.year = { entityId: finishedState.entity_id, finished };
  }
  return out;
}

/** Rows in the masonry view: the book, plus each shown section. */
export function cardSize(config: CardConfig): number {
  let size = 4;
  if (config.show_in_progress !== false) size += 2;
  if (config.show_next_up !== false) size += 1;
  if (config.show_missing_volumes !== false) size += 1;
  if (config.show_listening !== false) size += 1;
  if (config.show_goals !== false) size += 1;
  return size;
}
