import { describe, expect, it } from "vitest";

import {
  cardSize,
  cardView,
  durationSeconds,
  findEntry,
  firstCurrentlyReading,
  formatClock,
  formatHoursMinutes,
  formatPercent,
  goals,
  inProgressBooks,
  listening,
  missingVolumes,
  nextUp,
  percentHeard,
  relativeTime,
  secondsLeft,
  seriesVolumes,
  servicesDown,
  suitsEntity,
  syncStatus,
} from "../src/model";
import { NOW, entityState, makeHass, withHistory, withState } from "./fixture";
import type { HomeAssistant } from "../src/types";

const CARD = { type: "custom:audible-tracker-card", entity: "sensor.audible_de_currently_reading" };

describe("times", () => {
  it("formats seconds as h:mm, whole minutes rounded down", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(59)).toBe("0:00");
    expect(formatClock(60)).toBe("0:01");
    expect(formatClock(3725)).toBe("1:02");
    expect(formatClock(36000 + 59 * 60 + 59)).toBe("10:59");
    expect(formatClock(-5)).toBe("0:00");
    expect(formatClock("90")).toBe("0:01");
    expect(formatClock(undefined)).toBeUndefined();
    expect(formatClock("soon")).toBeUndefined();
    expect(formatClock(Number.NaN)).toBeUndefined();
  });

  it("says how long ago, in the user's language", () => {
    expect(relativeTime("2026-12-02T10:00:00Z", NOW, "en")).toBe("2h ago");
    expect(relativeTime("2026-12-02T11:59:30Z", NOW, "en")).toBe("now");
    expect(relativeTime("2026-12-02T11:55:00Z", NOW, "en")).toBe("5m ago");
    expect(relativeTime("2026-12-01T12:00:00Z", NOW, "en")).toBe("yesterday");
    expect(relativeTime("2026-11-18T12:00:00Z", NOW, "en")).toBe("2w ago");
    expect(relativeTime("2024-12-02T12:00:00Z", NOW, "en")).toBe("2y ago");
    expect(relativeTime("2026-12-02T10:00:00Z", NOW, "de")).toBe("vor 2 Std.");
    expect(relativeTime(null, NOW, "en")).toBeUndefined();
    expect(relativeTime("not a date", NOW, "en")).toBeUndefined();
  });

  it("reads a duration sensor in any unit", () => {
    const sensor = (state: string, unit?: string) => ({
      entity_id: "sensor.x",
      state,
      attributes: unit ? { unit_of_measurement: unit } : {},
    });
    expect(durationSeconds(sensor("0.5", "h"))).toBe(1800);
    expect(durationSeconds(sensor("30", "min"))).toBe(1800);
    expect(durationSeconds(sensor("1800", "s"))).toBe(1800);
    expect(durationSeconds(sensor("1800"))).toBe(1800);
    expect(durationSeconds(sensor("1", "d"))).toBe(86400);
    expect(durationSeconds(sensor("1", "fortnight"))).toBeUndefined();
    expect(durationSeconds(sensor("unavailable", "h"))).toBeUndefined();
    expect(durationSeconds(undefined)).toBeUndefined();
  });

  it("shows listening totals as hours and minutes", () => {
    expect(formatHoursMinutes(1800)).toBe("30m");
    expect(formatHoursMinutes(8100)).toBe("2h 15m");
    expect(formatHoursMinutes(3600)).toBe("1h 00m");
    expect(formatHoursMinutes(0)).toBe("0m");
  });
});

describe("progress", () => {
  it("takes the percent attribute, clamped", () => {
    expect(percentHeard({ percent: 50 })).toBe(50);
    expect(percentHeard({ percent: 130 })).toBe(100);
    expect(percentHeard({ percent: -1 })).toBe(0);
  });

  it("falls back to position over duration", () => {
    expect(percentHeard({ position: 15, duration: 60 })).toBe(25);
    expect(percentHeard({ position: 15, duration: 0 })).toBeUndefined();
    expect(percentHeard({})).toBeUndefined();
  });

  it("formats the percent without decimals, rounded down", () => {
    expect(formatPercent(50, "en")).toBe("50%");
    expect(formatPercent(99.9, "en")).toBe("99%");
    expect(formatPercent(12.5, "de")).toBe("12\u00a0%");
  });

  it("knows the time left", () => {
    expect(secondsLeft({ time_left: 30 })).toBe(30);
    expect(secondsLeft({ position: 45, duration: 60 })).toBe(15);
    expect(secondsLeft({ position: 70, duration: 60 })).toBe(0);
    expect(secondsLeft({})).toBeUndefined();
  });

  it("pairs series with their volume", () => {
    expect(seriesVolumes({ series: ["Anne", "Avonlea"], series_sequence: ["2", 1.5] })).toEqual([
      ["Anne", "2"],
      ["Avonlea", "1.5"],
    ]);
    expect(seriesVolumes({ series: ["Anne"], series_sequence: [null] })).toEqual([["Anne", undefined]]);
    expect(seriesVolumes({})).toEqual([]);
  });
});

describe("the entry's entities", () => {
  it("finds them by the device of the configured entity", () => {
    const entry = findEntry(makeHass(), CARD);
    expect(entry.deviceId).toBe("device-1");
    expect(entry.configEntryId).toBe("entry-1");
    expect(entry.entities.sync_plan).toBe("sensor.audible_de_sync_plan");
    expect(entry.entities.books_in_progress).toBe("sensor.audible_de_books_in_progress");
    expect(entry.entities.progress).toBe("sensor.audible_de_progress");
    expect(entry.entities.book).toBe("event.audible_de_book");
    expect(Object.values(entry.entities)).not.toContain("light.kitchen");
  });

  it("finds them from the device alone", () => {
    const entry = findEntry(makeHass(), { type: "x", device_id: "device-1" });
    expect(entry.entities.currently_reading).toBe("sensor.audible_de_currently_reading");
  });

  it("finds entities without a translation key by their id (series sensors)", () => {
    const hass = makeHass();
    hass.entities["sensor.audible_de_next_up"] = { entity_id: "sensor.audible_de_next_up", device_id: "device-1" };
    hass.entities["sensor.audible_de_missing_volumes"] = {
      entity_id: "sensor.audible_de_missing_volumes",
      device_id: "device-1",
      platform: "audible_tracker",
    };
    const entry = findEntry(hass, CARD);
    expect(entry.entities.next_up).toBe("sensor.audible_de_next_up");
    expect(entry.entities.missing_volumes).toBe("sensor.audible_de_missing_volumes");
  });

  it("works with an entity outside the registry (no sections)", () => {
    const entry = findEntry(makeHass(), { type: "x", entity: "sensor.elsewhere" });
    expect(entry.entities).toEqual({ currently_reading: "sensor.elsewhere" });
    expect(entry.configEntryId).toBeUndefined();
  });

  it("picks the first entry for a new card, and suggests the card for our sensors only", () => {
    const hass = makeHass();
    expect(firstCurrentlyReading(hass)).toBe("sensor.audible_de_currently_reading");
    expect(firstCurrentlyReading({ ...hass, entities: {} })).toBeUndefined();
    expect(suitsEntity(hass, "sensor.audible_de_progress")).toBe(true);
    expect(suitsEntity(hass, "event.audible_de_book")).toBe(false);
    expect(suitsEntity(hass, "light.kitchen")).toBe(false);
  });
});

describe("card states", () => {
  it("reads the book", () => {
    const view = cardView(makeHass(), CARD);
    expect(view.kind).toBe("reading");
    if (view.kind !== "reading") return;
    expect(view.book).toMatchObject({
      title: "Anne of Green Gables",
      authors: ["L. M. Montgomery"],
      narrators: ["Rachel McAdams"],
      series: [["Anne of Green Gables", "1"]],
      cover: "https://covers.example/anne.jpg",
      percent: 50,
      position: 30,
      duration: 60,
      left: 30,
      source: "abs",
    });
    expect(view.down).toEqual([]);
  });

  it("uses the cover URL when the integration found no loading picture", () => {
    const hass = makeHass();
    const attributes = { ...hass.states["sensor.audible_de_currently_reading"]!.attributes, entity_picture: undefined };
    const view = cardView(withState(hass, "sensor.audible_de_currently_reading", "Anne", attributes), CARD);
    expect(view.kind === "reading" && view.book.cover).toBe("https://covers.example/anne.jpg");
    const bare = cardView(withState(hass, "sensor.audible_de_currently_reading", "Anne", {}), CARD);
    expect(bare.kind === "reading" && bare.book.cover).toBeUndefined();
  });

  it("is empty with the last finished book when nothing is in progress", () => {
    const hass = withState(makeHass(), "sensor.audible_de_currently_reading", "unknown");
    expect(cardView(hass, CARD)).toEqual({
      kind: "empty",
      entityId: "sensor.audible_de_currently_reading",
      lastFinished: "Emma",
    });
    const started = withState(hass, "event.audible_de_book", "x", { event_type: "started", title: "Emma" });
    expect(cardView(started, CARD)).toMatchObject({ kind: "empty", lastFinished: undefined });
  });

  it("is unavailable, naming the service that is down", () => {
    let hass = withState(makeHass(), "sensor.audible_de_currently_reading", "unavailable");
    expect(cardView(hass, CARD)).toMatchObject({ kind: "unavailable", down: ["audible", "abs"] });
    // An Audible-only entry has no sync plan and no unmatched titles.
    hass = { ...hass, entities: { ...hass.entities } };
    delete hass.entities["sensor.audible_de_sync_plan"];
    delete hass.entities["sensor.audible_de_unmatched_titles"];
    expect(cardView(hass, CARD)).toMatchObject({ kind: "unavailable", down: ["audible"] });
  });

  it("reads on while one service is down, and says which", () => {
    let hass = withState(makeHass(), "sensor.audible_de_library_size", "unavailable");
    expect(servicesDown(hass, findEntry(hass, CARD).entities)).toEqual(["audible"]);
    hass = withState(makeHass(), "sensor.audible_de_unmatched_titles", "unavailable");
    expect(cardView(hass, CARD)).toMatchObject({ kind: "reading", down: ["abs"] });
  });

  it("is missing when the entity is gone, or has no config", () => {
    const hass = makeHass();
    expect(cardView(hass, { type: "x", entity: "sensor.gone" })).toEqual({ kind: "missing", entityId: "sensor.gone" });
    expect(cardView(hass, { type: "x", device_id: "nope" })).toEqual({ kind: "missing", entityId: "nope" });
    expect(cardView(hass, { type: "x" })).toEqual({ kind: "no_config" });
  });
});

describe("sync badge", () => {
  const plan = "sensor.audible_de_sync_plan";
  const status = (hass: HomeAssistant = makeHass()) => syncStatus(hass, findEntry(hass, CARD).entities);
  const base = { mode: "bidirectional", dry_run: false, planned: [], unverified: [], skipped: [] };

  it("is in step with nothing planned", () => {
    expect(status()).toEqual({ kind: "in_step", count: 0, entityId: plan });
  });

  it("is syncing with planned writes", () => {
    expect(status(withState(makeHass(), plan, "2", base))).toMatchObject({ kind: "syncing", count: 2 });
  });

  it("shows a write that did not take first", () => {
    const hass = withState(withState(makeHass(), plan, "2", { ...base, unverified: [{}] }), "sensor.audible_de_unmatched_titles", "3");
    expect(status(hass)).toMatchObject({ kind: "failed", count: 1 });
  });

  it("shows conflicts waiting for the user", () => {
    expect(status(withState(makeHass(), "sensor.audible_de_unmatched_titles", "3"))).toMatchObject({ kind: "conflict", count: 3 });
  });

  it("says when sync is off, a dry run, or unavailable", () => {
    expect(status(withState(makeHass(), plan, "0", { ...base, mode: "off" }))?.kind).toBe("off");
    expect(status(withState(makeHass(), plan, "1", { ...base, dry_run: true }))?.kind).toBe("dry_run");
    expect(status(withState(makeHass(), plan, "unavailable"))?.kind).toBe("unavailable");
  });

  it("has no badge without a sync plan (Audible only)", () => {
    const hass = makeHass();
    delete hass.entities[plan];
    expect(status(hass)).toBeUndefined();
  });
});

describe("sections", () => {
  it("lists the books in progress, skipping broken items", () => {
    const hass = makeHass();
    const attributes = hass.states["sensor.audible_de_books_in_progress"]!.attributes;
    const broken = withState(hass, "sensor.audible_de_books_in_progress", "3", {
      books: [...(attributes.books as unknown[]), null, { percent: 3 }],
    });
    const books = inProgressBooks(broken, findEntry(broken, CARD).entities);
    expect(books.map((b) => b.title)).toEqual(["Anne of Green Gables", "Pride and Prejudice"]);
    expect(books[1]).toEqual({ title: "Pride and Prejudice", author: "Jane Austen", percent: 12.5, cover: undefined, lastListened: undefined });
  });

  it("shows next up and missing volumes only when those sensors exist", () => {
    const hass = makeHass();
    let entities = findEntry(hass, CARD).entities;
    expect(nextUp(hass, entities)).toBeUndefined();
    expect(missingVolumes(hass, entities)).toBeUndefined();

    hass.entities["sensor.audible_de_next_up"] = { entity_id: "sensor.audible_de_next_up", device_id: "device-1", platform: "audible_tracker", translation_key: "next_up" };
    hass.entities["sensor.audible_de_missing_volumes"] = { entity_id: "sensor.audible_de_missing_volumes", device_id: "device-1", platform: "audible_tracker", translation_key: "missing_volumes" };
    let withSeries = withState(hass, "sensor.audible_de_next_up", "Anne of Avonlea", {
      asin: "B0FAKE0002",
      series: "Anne of Green Gables",
      sequence: 2,
      cover_url: "https://covers.example/avonlea.jpg",
      authors: ["L. M. Montgomery"],
    });
    withSeries = withState(withSeries, "sensor.audible_de_missing_volumes", "1", {
      series: [
        {
          title: "Anne of Green Gables",
          asin: "S1",
          owned: 2,
          missing: [
            { asin: "B3", title: "Anne of the Island", sequence: "3", release_date: "2027-01-05", in_wishlist: true },
            { asin: "B4", title: "" },
          ],
        },
        { title: "Nothing missing", missing: [] },
      ],
    });
    entities = findEntry(withSeries, CARD).entities;
    expect(nextUp(withSeries, entities)).toEqual({
      entityId: "sensor.audible_de_next_up",
      title: "Anne of Avonlea",
      series: "Anne of Green Gables",
      sequence: "2",
      cover: "https://covers.example/avonlea.jpg",
      authors: ["L. M. Montgomery"],
    });
    expect(missingVolumes(withSeries, entities)).toEqual([
      {
        title: "Anne of Green Gables",
        missing: [{ title: "Anne of the Island", sequence: "3", releaseDate: "2027-01-05", inWishlist: true }],
      },
    ]);
    const noNext = withState(withSeries, "sensor.audible_de_next_up", "unknown");
    expect(nextUp(noNext, entities)).toBeUndefined();
  });

  it("reads listening time in seconds", () => {
    const hass = makeHass();
    expect(listening(hass, findEntry(hass, CARD).entities)).toEqual({ today: 1800, week: 8100 });
  });

  it("sizes the card by its sections", () => {
    expect(cardSize({ type: "x" })).toBe(10);
    expect(
      cardSize({
        type: "x",
        show_in_progress: false,
        show_next_up: false,
        show_missing_volumes: false,
        show_listening: false,
        show_goals: false,
      }),
    ).toBe(4);
  });
});

describe("streak and yearly goal", () => {
  const read = (hass: HomeAssistant) => goals(hass, findEntry(hass, CARD).entities);

  it("reads them from the history entities, the goal's number found by its suffix", () => {
    const hass = withHistory(makeHass());
    expect(findEntry(hass, CARD).entities).toMatchObject({
      listening_streak: "sensor.audible_de_listening_streak",
      yearly_goal_progress: "sensor.audible_de_yearly_goal_progress",
      books_finished_this_year: "sensor.audible_de_books_finished_this_year",
      yearly_goal: "number.audible_de_yearly_goal",
      // The shorter key keeps its own entity.
      books_finished: "sensor.audible_de_books_finished",
    });
    expect(read(hass)).toEqual({
      streak: { entityId: "sensor.audible_de_listening_streak", days: 12, longest: 30 },
      year: { entityId: "sensor.audible_de_yearly_goal_progress", finished: 14, goal: 24, percent: 58.3, ahead: 2 },
    });
  });

  it("says behind as negative, and a hair either way as on track", () => {
    const behind = withHistory(makeHass(), {
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "150", {
        goal: 24,
        finished: 14,
        ahead_by: -3.4,
      }),
    });
    // Over the goal: the bar stops full.
    expect(read(behind).year).toMatchObject({ ahead: -3, percent: 100 });
    const even = withHistory(makeHass(), {
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "58.3", {
        ahead_by: -0.2,
      }),
    });
    expect(Object.is(read(even).year?.ahead, 0)).toBe(true);
  });

  it("is empty when the entry has no history entities", () => {
    expect(read(makeHass())).toEqual({});
  });

  it("shows only the books finished this year when the goal is 0", () => {
    const hass = withHistory(makeHass(), {
      "number.audible_de_yearly_goal": entityState("number.audible_de_yearly_goal", "0"),
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "unknown", { goal: 0 }),
    });
    expect(read(hass).year).toEqual({ entityId: "sensor.audible_de_books_finished_this_year", finished: 14 });
    // The number outranks a progress sensor that still carries an old goal.
    const stale = withHistory(makeHass(), {
      "number.audible_de_yearly_goal": entityState("number.audible_de_yearly_goal", "0"),
    });
    expect(read(stale).year?.goal).toBeUndefined();
  });

  it("takes the goal from the progress sensor when the number is missing", () => {
    const hass = withHistory(makeHass());
    delete hass.entities["number.audible_de_yearly_goal"];
    expect(read(hass).year).toMatchObject({ goal: 24, finished: 14 });
  });

  it("leaves out what is unavailable", () => {
    const hass = withHistory(makeHass(), {
      "sensor.audible_de_listening_streak": entityState("sensor.audible_de_listening_streak", "unavailable"),
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "unavailable"),
    });
    expect(read(hass)).toEqual({ year: { entityId: "sensor.audible_de_books_finished_this_year", finished: 14 } });
    const all = withHistory(makeHass(), {
      "sensor.audible_de_listening_streak": entityState("sensor.audible_de_listening_streak", "unavailable"),
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "unavailable"),
      "sensor.audible_de_books_finished_this_year": entityState("sensor.audible_de_books_finished_this_year", "unavailable"),
      "number.audible_de_yearly_goal": entityState("number.audible_de_yearly_goal", "unavailable"),
    });
    expect(read(all)).toEqual({});
  });
});
