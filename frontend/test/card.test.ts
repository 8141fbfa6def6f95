// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import type { AudibleTrackerCard } from "../src/card";
import { entitySuggestion } from "../src/audible-tracker-card";
import { FORM_SCHEMA } from "../src/editor";
import { entityState, makeHass, withHistory, withState } from "./fixture";
import type { HomeAssistant } from "../src/types";

const ENTITY = "sensor.audible_de_currently_reading";

beforeAll(async () => {
  await import("../src/audible-tracker-card");
});

afterEach(() => {
  document.body.innerHTML = "";
});

async function mount(hass: HomeAssistant, config: Record<string, unknown> = {}): Promise<AudibleTrackerCard> {
  const card = document.createElement("audible-tracker-card") as AudibleTrackerCard;
  card.setConfig({ type: "custom:audible-tracker-card", entity: ENTITY, ...config });
  card.hass = hass;
  document.body.appendChild(card);
  await card.updateComplete;
  return card;
}

const root = (card: HTMLElement) => card.shadowRoot!;
const text = (card: HTMLElement, selector: string) => root(card).querySelector(selector)?.textContent?.replace(/\s+/g, " ").trim();

describe("the card", () => {
  it("is in the card picker, suggested for our sensors only", () => {
    const entry = window.customCards?.find((card) => card.type === "audible-tracker-card");
    expect(entry).toMatchObject({ name: "Audible Tracker", preview: true });
    const hass = makeHass();
    expect(entry?.getEntitySuggestion(hass, "sensor.audible_de_progress")).toEqual({
      config: { type: "custom:audible-tracker-card", entity: ENTITY },
    });
    expect(entitySuggestion(hass, "light.kitchen")).toBeNull();
  });

  it("starts from the first entry, every section on", async () => {
    const card = customElements.get("audible-tracker-card") as unknown as typeof AudibleTrackerCard;
    expect(card.getStubConfig(makeHass())).toEqual({
      type: "custom:audible-tracker-card",
      entity: ENTITY,
      show_in_progress: true,
      show_next_up: true,
      show_missing_volumes: true,
      show_listening: true,
      show_goals: true,
      show_sync: true,
    });
    const form = card.getConfigForm();
    expect(form.schema).toBe(FORM_SCHEMA);
    // Sections unset in YAML are shown: their switches must show on too.
    const switches = FORM_SCHEMA.find((item) => item.type === "grid")?.schema ?? [];
    expect(switches.map((item) => [item.name, item.default])).toEqual([
      ["show_in_progress", true],
      ["show_next_up", true],
      ["show_missing_volumes", true],
      ["show_listening", true],
      ["show_goals", true],
      ["show_sync", true],
    ]);
    expect(form.computeLabel({ name: "show_next_up" })).toBe("Next up");
    // The grid has no name; other names are Home Assistant's to label.
    expect(form.computeLabel({ name: "" })).toBeUndefined();
    expect(form.computeLabel({ name: "toString" })).toBeUndefined();
    expect(() => form.assertConfig({ entity: 3 })).toThrow();
  });

  it("shows the book being read", async () => {
    const card = await mount(makeHass());
    expect(text(card, ".title")).toBe("Anne of Green Gables");
    expect(text(card, ".series")).toBe("Anne of Green Gables #1");
    expect(text(card, ".percent")).toBe("50%");
    expect(text(card, ".left")).toBe("0:00 left");
    expect(text(card, ".position")).toBe("0:00 / 0:01");
    expect(text(card, ".where")).toMatch(/^On Audiobookshelf, /);
    expect(root(card).querySelector(".bar")?.getAttribute("aria-valuenow")).toBe("50");
    expect(root(card).querySelector<HTMLImageElement>(".cover img")?.src).toBe("https://covers.example/anne.jpg");
    expect(root(card).querySelector(".badge")?.getAttribute("data-sync")).toBe("in_step");
    expect(root(card).querySelectorAll(".shelf-book")).toHaveLength(2);
    expect(text(card, ".listening")).toContain("30m");
    expect(text(card, ".listening")).toContain("2h 15m");
    expect(card.getCardSize()).toBe(10);
    // No history entities: no streak and goal section.
    expect(root(card).querySelector(".goals")).toBeNull();
    expect(card.getGridOptions()).toMatchObject({ columns: 12, rows: "auto" });
  });

  it("shows the streak and the yearly goal when the entry has them", async () => {
    const card = await mount(withHistory(makeHass()));
    expect(text(card, ".goals h3")).toBe("Streak and goal");
    expect(text(card, ".streak")).toBe("12-day streak (longest 30)");
    expect((root(card).querySelector(".streak ha-svg-icon") as unknown as { path?: string } | null)?.path).toMatch(/^M17\.66 11\.2/);
    expect(text(card, ".year")).toBe("Yearly goal: 14 of 24 books — 2 ahead");
    expect(root(card).querySelector(".year .bar")?.getAttribute("aria-valuenow")).toBe("58");
    const events: string[] = [];
    card.addEventListener("hass-more-info", (ev) => events.push((ev as CustomEvent).detail.entityId));
    root(card).querySelector<HTMLElement>(".streak")!.click();
    root(card).querySelector<HTMLElement>(".year")!.click();
    expect(events).toEqual(["sensor.audible_de_listening_streak", "sensor.audible_de_yearly_goal_progress"]);

    // No goal: the books finished this year alone, no bar.
    card.hass = withHistory(makeHass(), {
      "number.audible_de_yearly_goal": entityState("number.audible_de_yearly_goal", "0"),
      "sensor.audible_de_yearly_goal_progress": entityState("sensor.audible_de_yearly_goal_progress", "unknown", { goal: 0 }),
    });
    await card.updateComplete;
    expect(text(card, ".year")).toBe("Books finished this year: 14");
    expect(root(card).querySelector(".year .bar")).toBeNull();

    card.setConfig({ type: "custom:audible-tracker-card", entity: ENTITY, show_goals: false });
    await card.updateComplete;
    expect(root(card).querySelector(".goals")).toBeNull();
  });

  it("falls back to drawn art when the cover does not load", async () => {
    const card = await mount(makeHass());
    root(card).querySelector(".cover img")!.dispatchEvent(new Event("error"));
    await card.updateComplete;
    expect(root(card).querySelector(".cover img")).toBeNull();
    expect(root(card).querySelector(".cover svg.fallback")).not.toBeNull();
  });

  it("hides the sections turned off", async () => {
    const card = await mount(makeHass(), { show_in_progress: false, show_listening: false, show_sync: false });
    expect(root(card).querySelector(".in-progress")).toBeNull();
    expect(root(card).querySelector(".listening")).toBeNull();
    expect(root(card).querySelector(".footer")).toBeNull();
  });

  it("opens more-info from the cover and the badge", async () => {
    const card = await mount(makeHass());
    const opened: string[] = [];
    const actions: unknown[] = [];
    card.addEventListener("hass-more-info", (ev) => opened.push((ev as CustomEvent).detail.entityId));
    card.addEventListener("hass-action", (ev) => actions.push((ev as CustomEvent).detail));
    root(card).querySelector<HTMLElement>(".cover")!.click();
    root(card).querySelector<HTMLElement>(".badge")!.click();
    expect(opened).toEqual([ENTITY, "sensor.audible_de_sync_plan"]);
    expect(actions).toEqual([]); // the cover's tap is not the card's tap action
  });

  it("runs the tap and hold actions through Home Assistant's handler", async () => {
    vi.useFakeTimers();
    try {
      const card = await mount(makeHass(), { tap_action: { action: "navigate", navigation_path: "/books" } });
      const actions: { action: string; config: Record<string, unknown> }[] = [];
      card.addEventListener("hass-action", (ev) => actions.push((ev as CustomEvent).detail));
      const now = root(card).querySelector<HTMLElement>(".now")!;
      now.click();
      now.dispatchEvent(new Event("pointerdown"));
      vi.advanceTimersByTime(600);
      now.click(); // the click that ends a hold is not a tap
      expect(actions.map((a) => a.action)).toEqual(["tap", "hold"]);
      expect(actions[0].config).toEqual({
        entity: ENTITY,
        tap_action: { action: "navigate", navigation_path: "/books" },
        hold_action: { action: "none" },
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("syncs now for its entry", async () => {
    const hass = makeHass();
    const card = await mount(hass);
    root(card).querySelector<HTMLElement>(".sync-now")!.click();
    await vi.waitFor(() => expect(text(card, ".sync-message")).toBe("Synced"));
    expect(hass.calls).toEqual([["audible_tracker", "sync_now", { config_entry_id: "entry-1" }]]);
  });

  it("says why a sync failed", async () => {
    const hass = { ...makeHass(), callService: () => Promise.reject(new Error("Audible cannot be reached")) };
    const card = await mount(hass);
    root(card).querySelector<HTMLElement>(".sync-now")!.click();
    await vi.waitFor(() => expect(text(card, ".sync-message.error")).toBe("Sync failed: Audible cannot be reached"));
  });

  it("shows a book's details when its cover in the row is tapped", async () => {
    const card = await mount(makeHass());
    root(card).querySelectorAll<HTMLElement>(".shelf-book")[1].click();
    await card.updateComplete;
    expect(text(card, ".detail")).toBe("Pride and Prejudice · Jane Austen · 12%");
  });

  it("is friendly when nothing is in progress", async () => {
    const card = await mount(withState(makeHass(), ENTITY, "unknown"));
    expect(text(card, ".title")).toBe("Nothing in progress");
    expect(text(card, ".state .secondary")).toBe("Last finished: Emma");
  });

  it("greys out and names the service that is down", async () => {
    const card = await mount(withState(makeHass(), ENTITY, "unavailable"));
    expect(root(card).querySelector("ha-card")?.className).toBe("unavailable");
    expect(text(card, ".state .secondary")).toBe("Audible and Audiobookshelf cannot be reached right now.");
    expect(root(card).querySelector<HTMLButtonElement>(".sync-now")?.disabled).toBe(true);
  });

  it("warns while one service is down", async () => {
    const card = await mount(withState(makeHass(), "sensor.audible_de_unmatched_titles", "unavailable"));
    expect(text(card, ".warning")).toBe("Audiobookshelf cannot be reached; showing what is known.");
  });

  it("uses Home Assistant's own text for a missing entity", async () => {
    const hass = { ...makeHass(), localize: (key: string, values?: Record<string, string | number>) =>
      key === "ui.panel.lovelace.warning.entity_not_found" ? `Entity not found: ${values?.entity}` : "" };
    const card = await mount(hass, { entity: "sensor.gone" });
    expect(text(card, "hui-warning")).toBe("Entity not found: sensor.gone");
    const own = await mount(makeHass(), { entity: "sensor.gone" });
    expect(text(own, "hui-warning")).toBe("Entity not available: sensor.gone");
  });

  it("keeps long and CJK titles on one line", async () => {
    const title = "吾輩は猫である ".repeat(20) + "Ünïcödé — the end";
    const hass = withState(makeHass(), ENTITY, title, { series: ["三体"], series_sequence: ["1"] });
    const card = await mount(hass);
    const element = root(card).querySelector(".title")!;
    expect(element.textContent).toBe(title);
    expect(element.getAttribute("title")).toBe(title);
    expect(element.classList.contains("line")).toBe(true);
    expect(text(card, ".series")).toBe("三体 #1");
  });

  it("speaks the user's language", async () => {
    const hass = { ...makeHass(), locale: { language: "de" } };
    const card = await mount(hass);
    expect(text(card, ".sync-now")).toBe("Jetzt synchronisieren");
    expect(text(card, ".badge")).toBe("Synchron");
    expect(text(card, ".series")).toBe("Anne of Green Gables, Band 1");
    expect(text(card, ".left")).toBe("noch 0:00");
    expect(text(card, ".percent")).toBe("50 %");
    expect(text(card, ".where")).toMatch(/^Auf Audiobookshelf, /);
    expect(text(card, ".in-progress h3")).toBe("Begonnene Bücher");
    root(card).querySelector<HTMLElement>(".sync-now")!.click();
    await vi.waitFor(() => expect(text(card, ".sync-message")).toBe("Synchronisiert"));
  });

  it("follows a change of language", async () => {
    const hass = makeHass();
    const card = await mount(hass);
    expect(text(card, ".sync-now")).toBe("Sync now");
    card.hass = { ...hass, locale: { language: "pt-BR" } };
    await card.updateComplete;
    expect(text(card, ".sync-now")).toBe("Sincronizar agora");
    card.hass = { ...hass, locale: { language: "xx" } };
    await card.updateComplete;
    expect(text(card, ".sync-now")).toBe("Sync now");
  });

  it("rejects a config it cannot use", () => {
    const card = document.createElement("audible-tracker-card") as AudibleTrackerCard;
    expect(() => card.setConfig({ type: "x", entity: 5 } as never)).toThrow("entity must be an entity id");
  });

  it("redraws only when one of its entities changed", async () => {
    const hass = makeHass();
    const card = await mount(hass);
    const render = vi.spyOn(card as unknown as { render: () => unknown }, "render");
    card.hass = { ...hass, states: { ...hass.states, "light.kitchen": { entity_id: "light.kitchen", state: "on", attributes: {} } } };
    await card.updateComplete;
    expect(render).not.toHaveBeenCalled();
    card.hass = withState(hass, "sensor.audible_de_progress", "60");
    await card.updateComplete;
    expect(render).toHaveBeenCalledTimes(1);
  });
});
