// A `hass` like the one the card gets on a dashboard: one entry with ABS.
import type { HassEntity, HomeAssistant } from "../src/types";

export const NOW = new Date("2026-12-02T12:00:00Z");
const DEVICE = "device-1";
const ENTRY = "entry-1";

const KEYS: Record<string, string> = {
  "sensor.audible_de_currently_reading": "currently_reading",
  "sensor.audible_de_progress": "progress",
  "sensor.audible_de_time_left": "time_left",
  "sensor.audible_de_books_in_progress": "books_in_progress",
  "sensor.audible_de_books_finished": "books_finished",
  "sensor.audible_de_library_size": "library_size",
  "sensor.audible_de_listening_time_today": "listening_time_today",
  "sensor.audible_de_listening_time_this_week": "listening_time_this_week",
  "sensor.audible_de_unmatched_titles": "unmatched_titles",
  "sensor.audible_de_sync_plan": "sync_plan",
  "event.audible_de_book": "book",
};

function state(entity_id: string, value: string, attributes: Record<string, unknown> = {}): HassEntity {
  return { entity_id, state: value, attributes };
}

export function makeHass(overrides: Record<string, HassEntity | undefined> = {}): HomeAssistant & {
  calls: [string, string, Record<string, unknown> | undefined][];
} {
  const states: Record<string, HassEntity | undefined> = {
    "sensor.audible_de_currently_reading": state("sensor.audible_de_currently_reading", "Anne of Green Gables", {
      asin: "B0FAKE0001",
      authors: ["L. M. Montgomery"],
      narrators: ["Rachel McAdams"],
      series: ["Anne of Green Gables"],
      series_sequence: ["1"],
      position: 30,
      duration: 60,
      percent: 50,
      time_left: 30,
      source: "abs",
      last_listened: "2026-12-02T10:00:00+00:00",
      cover_url: "https://covers.example/anne.jpg",
      entity_picture: "https://covers.example/anne.jpg",
    }),
    "sensor.audible_de_progress": state("sensor.audible_de_progress", "50.0", { unit_of_measurement: "%" }),
    "sensor.audible_de_time_left": state("sensor.audible_de_time_left", "0.01", { unit_of_measurement: "h" }),
    "sensor.audible_de_books_in_progress": state("sensor.audible_de_books_in_progress", "2", {
      books: [
        { title: "Anne of Green Gables", author: "L. M. Montgomery", percent: 50, last_listened: "2026-12-02T10:00:00+00:00", cover_url: "https://covers.example/anne.jpg" },
        { title: "Pride and Prejudice", author: "Jane Austen", percent: 12.5, last_listened: null, cover_url: null },
      ],
    }),
    "sensor.audible_de_books_finished": state("sensor.audible_de_books_finished", "1"),
    "sensor.audible_de_library_size": state("sensor.audible_de_library_size", "3"),
    "sensor.audible_de_listening_time_today": state("sensor.audible_de_listening_time_today", "0.5", { unit_of_measurement: "h" }),
    "sensor.audible_de_listening_time_this_week": state("sensor.audible_de_listening_time_this_week", "2.25", { unit_of_measurement: "h" }),
    "sensor.audible_de_unmatched_titles": state("sensor.audible_de_unmatched_titles", "0", { titles: [] }),
    "sensor.audible_de_sync_plan": state("sensor.audible_de_sync_plan", "0", {
      mode: "bidirectional",
      dry_run: false,
      planned: [],
      unverified: [],
      skipped: [],
    }),
    "event.audible_de_book": state("event.audible_de_book", "2026-12-01T08:00:00.000+00:00", {
      event_type: "finished",
      title: "Emma",
    }),
    ...overrides,
  };
  const entities: HomeAssistant["entities"] = {};
  for (const [entity_id, translation_key] of Object.entries(KEYS)) {
    entities[entity_id] = { entity_id, device_id: DEVICE, platform: "audible_tracker", translation_key };
  }
  // Another integration's entity on another device.
  entities["light.kitchen"] = { entity_id: "light.kitchen", device_id: "device-2", platform: "hue" };
  const calls: [string, string, Record<string, unknown> | undefined][] = [];
  return {
    states,
    entities,
    devices: { [DEVICE]: { id: DEVICE, config_entries: [ENTRY], primary_config_entry: ENTRY } },
    locale: { language: "en" },
    localize: () => "",
    callService: async (domain, service, data) => {
      calls.push([domain, service, data]);
    },
    calls,
  };
}

export function withState(
  hass: HomeAssistant,
  entityId: string,
  value: string,
  attributes: Record<string, unknown> = {},
): HomeAssistant {
  return { ...hass, states: { ...hass.states, [entityId]: state(entityId, value, attributes) } };
}

/** The entry's history entities: a 12-day streak, 14 of 24 books, 2 ahead. */
export function withHistory(
  hass: HomeAssistant,
  overrides: Record<string, HassEntity | undefined> = {},
): HomeAssistant {
  const entities = { ...hass.entities };
  for (const [entity_id, translation_key] of [
    ["sensor.audible_de_listening_streak", "listening_streak"],
    ["sensor.audible_de_yearly_goal_progress", "yearly_goal_progress"],
    ["sensor.audible_de_books_finished_this_year", "books_finished_this_year"],
  ]) {
    entities[entity_id] = { entity_id, device_id: DEVICE, platform: "audible_tracker", translation_key };
  }
  // No translation key in the registry: found by its object id's suffix.
  entities["number.audible_de_yearly_goal"] = { entity_id: "number.audible_de_yearly_goal", device_id: DEVICE, platform: "audible_tracker" };
  const states: Record<string, HassEntity | undefined> = {
    ...hass.states,
    "sensor.audible_de_listening_streak": state("sensor.audible_de_listening_streak", "12", {
      longest_streak: 30,
      longest_streak_end: "2026-08-14",
      today_minutes: 42.5,
      unit_of_measurement: "d",
    }),
    "sensor.audible_de_yearly_goal_progress": state("sensor.audible_de_yearly_goal_progress", "58.3", {
      goal: 24,
      finished: 14,
      expected_by_today: 12.4,
      ahead_by: 1.6,
      unit_of_measurement: "%",
    }),
    "sensor.audible_de_books_finished_this_year": state("sensor.audible_de_books_finished_this_year", "14", {
      books: [],
      unit_of_measurement: "books",
    }),
    "number.audible_de_yearly_goal": state("number.audible_de_yearly_goal", "24.0", { min: 0, max: 1000, step: 1 }),
    ...overrides,
  };
  return { ...hass, entities, states };
}

export { state as entityState };
