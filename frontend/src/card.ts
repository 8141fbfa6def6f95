// The card element: renders what model.ts works out; only events and actions here.
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";

import {
  cardSize,
  cardView,
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
  relativeTime,
  syncStatus,
  DOMAIN,
  type BookView,
  type CardView,
  type Entry,
  type Goals,
  type Service,
  type ShelfBook,
  type SyncStatus,
} from "./model";
import { SECTION_DEFAULTS, configForm } from "./editor";
import { styles } from "./styles";
import { localizer, type Localize } from "./translations";
import type { CardConfig, HomeAssistant } from "./types";

// Material Design Icons "fire" (mdiFire, @mdi/js 7.4.47, Apache-2.0), drawn
// with ha-svg-icon: <ha-icon> loads its icon set lazily through IndexedDB,
// whose failure in some browsers surfaced as an uncaught page error.
const FIRE_ICON =
  "M17.66 11.2C17.43 10.9 17.15 10.64 16.89 10.38C16.22 9.78 15.46 9.35 14.82 8.72C13.33 7.26 13 4.85 13.95 3C13 3.23 12.17 3.75 11.46 4.32C8.87 6.4 7.85 10.07 9.07 13.22C9.11 13.32 9.15 13.42 9.15 13.55C9.15 13.77 9 13.97 8.8 14.05C8.57 14.15 8.33 14.09 8.14 13.93C8.08 13.88 8.04 13.83 8 13.76C6.87 12.33 6.69 10.28 7.45 8.64C5.78 10 4.87 12.3 5 14.47C5.06 14.97 5.12 15.47 5.29 15.97C5.43 16.57 5.7 17.17 6 17.7C7.08 19.43 8.95 20.67 10.96 20.92C13.1 21.19 15.39 20.8 17.03 19.32C18.86 17.66 19.5 15 18.56 12.72L18.43 12.46C18.22 12 17.66 11.2 17.66 11.2M14.5 17.5C14.22 17.74 13.76 18 13.4 18.1C12.28 18.5 11.16 17.94 10.5 17.28C11.69 17 12.4 16.12 12.61 15.23C12.78 14.43 12.46 13.77 12.33 13C12.21 12.26 12.23 11.63 12.5 10.94C12.69 11.32 12.89 11.7 13.13 12C13.9 13 15.11 13.44 15.37 14.8C15.41 14.94 15.43 15.08 15.43 15.23C15.46 16.05 15.1 16.95 14.5 17.5H14.5Z";

export const CARD_TYPE = "audible-tracker-card";
const HOLD_MS = 500;
const MISSING_SHOWN = 3;
const RELATIVE_REFRESH_MS = 60_000;

// An open book: the cover when there is none, or it does not load.
const fallbackArt = (label: string): TemplateResult => html`
  <svg class="fallback" viewBox="0 0 24 24" role="img" aria-label=${label}>
    <rect width="24" height="24" fill="none" />
    <path
      transform="translate(6 6) scale(0.5)"
      fill="currentColor"
      d="M21,5C19.89,4.65 18.67,4.5 17.5,4.5C15.55,4.5 13.45,4.9 12,6C10.55,4.9 8.45,4.5 6.5,4.5C4.55,4.5 2.45,4.9 1,6V20.65C1,20.9 1.25,21.15 1.5,21.15C1.6,21.15 1.65,21.1 1.75,21.1C3.1,20.45 5.05,20 6.5,20C8.45,20 10.55,20.4 12,21.5C13.35,20.65 15.8,20 17.5,20C19.15,20 20.85,20.3 22.25,21.05C22.35,21.1 22.4,21.1 22.5,21.1C22.75,21.1 23,20.85 23,20.6V6C22.4,5.55 21.75,5.25 21,5M21,18.5C19.9,18.15 18.7,18 17.5,18C15.8,18 13.35,18.65 12,19.5V8C13.35,7.15 15.8,6.5 17.5,6.5C18.7,6.5 19.9,6.65 21,7V18.5Z"
    />
  </svg>
`;

export class AudibleTrackerCard extends LitElement {
  static styles = styles;

  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _failedCovers: { state: true },
    _selected: { state: true },
    _syncing: { state: true },
    _syncMessage: { state: true },
  };

  declare hass?: HomeAssistant;
  declare _config?: CardConfig;
  declare _failedCovers: Set<string>;
  declare _selected?: number;
  declare _syncing: boolean;
  declare _syncMessage?: { error: boolean; text: string };

  private _holdTimer?: number;
  private _held = false;
  private _clock?: number;
  private _entry?: Entry;

  constructor() {
    super();
    this._failedCovers = new Set();
    this._syncing = false;
  }

  static getConfigForm = configForm;

  static getStubConfig(hass: HomeAssistant): CardConfig {
    const entity = firstCurrentlyReading(hass);
    return { type: `custom:${CARD_TYPE}`, ...(entity ? { entity } : {}), ...SECTION_DEFAULTS };
  }

  setConfig(config: CardConfig): void {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    if (config.entity !== undefined && typeof config.entity !== "string") {
      throw new Error("entity must be an entity id");
    }
    if (config.device_id !== undefined && typeof config.device_id !== "string") {
      throw new Error("device_id must be a device id");
    }
    this._config = config;
  }

  getCardSize(): number {
    return this._config ? cardSize(this._config) : 4;
  }

  getGridOptions(): Record<string, number | string> {
    return { columns: 12, min_columns: 6, rows: "auto" };
  }

  connectedCallback(): void {
    super.connectedCallback();
    // "2h ago" moves on while nothing else changes.
    this._clock = window.setInterval(() => this.requestUpdate(), RELATIVE_REFRESH_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this._clock);
    window.clearTimeout(this._holdTimer);
  }

  protected shouldUpdate(changed: PropertyValues<this>): boolean {
    const old = changed.get("hass") as HomeAssistant | undefined;
    if (changed.size > 1 || !old || !this.hass || !this._entry) return true;
    // Only hass changed: redraw when one of the entry's states did.
    const hass = this.hass;
    if (old.entities !== hass.entities || old.devices !== hass.devices || old.locale !== hass.locale) return true;
    return Object.values(this._entry.entities).some((id) => old.states[id] !== hass.states[id]);
  }

  private get _t(): Localize {
    return localizer(this.hass?.locale?.language ?? this.hass?.language);
  }

  private get _language(): string {
    return this.hass?.locale?.language ?? this.hass?.language ?? "en";
  }

  protected render(): TemplateResult | typeof nothing {
    if (!this._config || !this.hass) return nothing;
    const hass = this.hass;
    const entry = findEntry(hass, this._config);
    this._entry = entry;
    const view = cardView(hass, this._config, entry);
    if (view.kind === "missing") {
      const standard = hass.localize("ui.panel.lovelace.warning.entity_not_found", { entity: view.entityId });
      return html`<hui-warning>${standard || this._t("missing.entity", { entity: view.entityId })}</hui-warning>`;
    }
    const greyed = view.kind === "unavailable";
    return html`
      <ha-card class=${greyed ? "unavailable" : view.kind}>
        <div class="wrap">
          ${this._renderMain(view)} ${this._renderFooter(entry, greyed)}
          ${greyed ? nothing : this._renderSections(entry)}
        </div>
      </ha-card>
    `;
  }

  private _renderMain(view: Exclude<CardView, { kind: "missing" }>): TemplateResult {
    const t = this._t;
    switch (view.kind) {
      case "no_config":
        return html`<div class="state"><div class="secondary">${t("missing.config")}</div></div>`;
      case "unavailable":
        return html`
          <div class="state greyed" @click=${() => this._moreInfo(view.entityId)}>
            <div class="thumb">${fallbackArt(t("unavailable.title"))}</div>
            <div class="info">
              <div class="title line">${t("unavailable.title")}</div>
              <div class="secondary">${t("unavailable.down", { service: this._services(view.down) })}</div>
            </div>
          </div>
        `;
      case "empty":
        return html`
          <div class="state" @click=${() => this._moreInfo(view.entityId)}>
            <div class="thumb">${fallbackArt(t("empty.title"))}</div>
            <div class="info">
              <div class="title line">${t("empty.title")}</div>
              <div class="secondary">
                ${view.lastFinished ? t("empty.last_finished", { title: view.lastFinished }) : t("empty.text")}
              </div>
            </div>
          </div>
        `;
      case "reading":
        return this._renderBook(view.book, view.down);
    }
  }

  private _renderCover(url: string | undefined, label: string): TemplateResult {
    if (!url || this._failedCovers.has(url)) return fallbackArt(label);
    return html`<img
      src=${url}
      alt=${label}
      loading="lazy"
      referrerpolicy="no-referrer"
      @error=${() => {
        this._failedCovers = new Set([...this._failedCovers, url]);
      }}
    />`;
  }

  private _renderBook(book: BookView, down: Service[]): TemplateResult {
    const t = this._t;
    const language = this._language;
    const series = book.series
      .map(([title, sequence]) => (sequence ? t("book.series_volume", { series: title, sequence }) : title))
      .join(" · ");
    const position = formatClock(book.position);
    const duration = formatClock(book.duration);
    const left = formatClock(book.left);
    const when = relativeTime(book.lastListened, new Date(), language);
    const source = book.source === "audible" || book.source === "abs" || book.source === "both" ? t(`source.${book.source}`) : undefined;
    return html`
      <div
        class="now"
        role="button"
        tabindex="0"
        @click=${this._onTap}
        @keydown=${this._onKey}
        @pointerdown=${this._onPointerDown}
        @pointerup=${this._cancelHold}
        @pointerleave=${this._cancelHold}
        @pointercancel=${this._cancelHold}
        @contextmenu=${(ev: Event) => this._held && ev.preventDefault()}
      >
        <button
          class="cover"
          aria-label=${t("book.cover", { title: book.title })}
          @click=${(ev: Event) => {
            ev.stopPropagation();
            this._moreInfo(book.entityId);
          }}
          @pointerdown=${(ev: Event) => ev.stopPropagation()}
        >
          ${this._renderCover(book.cover, t("book.cover", { title: book.title }))}
        </button>
        <div class="info">
          <div class="title line" title=${book.title}>${book.title}</div>
          ${series ? html`<div class="series line" title=${series}>${series}</div>` : nothing}
          ${book.authors.length
            ? html`<div class="secondary line">${t("book.by", { authors: book.authors.join(", ") })}</div>`
            : nothing}
          ${book.narrators.length
            ? html`<div class="secondary line">${t("book.narrated_by", { narrators: book.narrators.join(", ") })}</div>`
            : nothing}
          ${book.percent === undefined
            ? nothing
            : html`<div
                class="bar"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=${Math.floor(book.percent)}
              >
                <div style="width: ${book.percent}%"></div>
              </div>`}
          <div class="numbers">
            ${book.percent === undefined ? nothing : html`<span class="percent">${formatPercent(book.percent, language)}</span>`}
            ${left ? html`<span class="left">${t("book.time_left", { time: left })}</span>` : nothing}
            ${position && duration ? html`<span class="position">${t("book.position", { position, duration })}</span>` : nothing}
          </div>
          ${source
            ? html`<div class="secondary line where">${when ? t("source.line", { source, when }) : source}</div>`
            : nothing}
          ${down.length ? html`<div class="warning line">${t("unavailable.partial", { service: this._services(down) })}</div>` : nothing}
        </div>
      </div>
    `;
  }

  private _renderFooter(entry: Entry, greyed: boolean): TemplateResult | typeof nothing {
    if (this._config?.show_sync === false || !this.hass) return nothing;
    const t = this._t;
    const status: SyncStatus | undefined = syncStatus(this.hass, entry.entities);
    if (!status && !entry.configEntryId) return nothing;
    const badgeText = status ? t(`sync.${status.kind}`, { count: status.count }) : "";
    return html`
      <div class="footer">
        ${status
          ? html`<button class="badge ${status.kind}" data-sync=${status.kind} @click=${() => this._moreInfo(status.entityId)}>
              ${badgeText}
            </button>`
          : html`<span></span>`}
        <span>
          ${this._syncMessage
            ? html`<span class="sync-message ${this._syncMessage.error ? "error" : ""}">${this._syncMessage.text}</span>`
            : nothing}
          ${entry.configEntryId
            ? html`<button
                class="sync-now"
                ?disabled=${this._syncing || greyed}
                @click=${() => this._syncNow(entry.configEntryId!)}
              >
                ${t("sync.now")}
              </button>`
            : nothing}
        </span>
      </div>
    `;
  }

  private _renderSections(entry: Entry): TemplateResult[] {
    const hass = this.hass!;
    const config = this._config!;
    const t = this._t;
    const out: TemplateResult[] = [];
    if (config.show_in_progress !== false) {
      const books = inProgressBooks(hass, entry.entities);
      if (books.length) out.push(this._renderShelf(books));
    }
    const next = config.show_next_up !== false ? nextUp(hass, entry.entities) : undefined;
    if (next) {
      const series = next.series && next.sequence ? t("book.series_volume", { series: next.series, sequence: next.sequence }) : next.series;
      out.push(html`
        <section class="next-up">
          <h3>${t("section.next_up")}</h3>
          <button class="next" @click=${() => this._moreInfo(next.entityId)}>
            <div class="thumb">${this._renderCover(next.cover, t("book.cover", { title: next.title }))}</div>
            <div class="text">
              <div class="line" title=${next.title}>${next.title}</div>
              ${series ? html`<div class="series line">${series}</div>` : nothing}
              ${next.authors.length ? html`<div class="secondary line">${next.authors.join(", ")}</div>` : nothing}
            </div>
          </button>
        </section>
      `);
    }
    const missing = config.show_missing_volumes !== false ? missingVolumes(hass, entry.entities) : undefined;
    if (missing?.length) {
      const shown = missing.slice(0, MISSING_SHOWN);
      out.push(html`
        <section class="missing-volumes" @click=${() => this._moreInfo(entry.entities.missing_volumes!)}>
          <h3>${t("section.missing_volumes")}</h3>
          <ul>
            ${shown.map(
              (series) => html`<li>
                <div class="missing-series line" title=${series.title}>${series.title}</div>
                ${series.missing.slice(0, MISSING_SHOWN).map(
                  (volume) => html`<div class="secondary line">
                    ${volume.sequence ? t("missing.volume", { sequence: volume.sequence, title: volume.title }) : volume.title}
                    ${volume.releaseDate ? html` · ${t("missing.release", { date: volume.releaseDate })}` : nothing}
                    ${volume.inWishlist ? html` · <span class="wishlist">${t("missing.wishlist")}</span>` : nothing}
                  </div>`,
                )}
                ${series.missing.length > MISSING_SHOWN
                  ? html`<div class="secondary">${t("missing.more", { count: series.missing.length - MISSING_SHOWN })}</div>`
                  : nothing}
              </li>`,
            )}
            ${missing.length > MISSING_SHOWN
              ? html`<li class="secondary">${t("missing.more", { count: missing.length - MISSING_SHOWN })}</li>`
              : nothing}
          </ul>
        </section>
      `);
    }
    if (config.show_listening !== false) {
      const totals = listening(hass, entry.entities);
      if (totals.today !== undefined || totals.week !== undefined) {
        const total = (label: string, seconds: number | undefined, entityId: string | undefined) =>
          seconds === undefined || !entityId
            ? nothing
            : html`<button class="total" @click=${() => this._moreInfo(entityId)}>
                <span class="secondary">${label}</span>
                <span class="value">${formatHoursMinutes(seconds)}</span>
              </button>`;
        out.push(html`
          <section class="listening">
            <h3>${t("section.listening")}</h3>
            <div class="totals">
              ${total(t("listening.today"), totals.today, entry.entities.listening_time_today)}
              ${total(t("listening.week"), totals.week, entry.entities.listening_time_this_week)}
            </div>
          </section>
        `);
      }
    }
    if (config.show_goals !== false) {
      const goal = this._renderGoals(goals(hass, entry.entities));
      if (goal) out.push(goal);
    }
    return out;
  }

  private _renderGoals({ streak, year }: Goals): TemplateResult | undefined {
    const t = this._t;
    let streakText: string | undefined;
    if (streak && streak.days > 0) {
      streakText =
        streak.longest !== undefined && streak.longest > streak.days
          ? t("goals.streak_longest", { days: streak.days, longest: streak.longest })
          : t("goals.streak", { days: streak.days });
    } else if (streak?.longest) {
      streakText = t("goals.longest", { longest: streak.longest });
    }
    let yearPart: TemplateResult | undefined;
    if (year?.goal !== undefined) {
      const ahead =
        year.ahead === undefined
          ? undefined
          : year.ahead > 0
            ? t("goals.ahead", { count: year.ahead })
            : year.ahead < 0
              ? t("goals.behind", { count: -year.ahead })
              : t("goals.on_track");
      yearPart = html`<button class="year" @click=${() => this._moreInfo(year.entityId)}>
        <div class="line">
          ${t("goals.year", { finished: year.finished ?? 0, goal: year.goal })}
          ${ahead ? html`<span class="secondary pace"> — ${ahead}</span>` : nothing}
        </div>
        ${year.percent === undefined
          ? nothing
          : html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.floor(year.percent)}>
              <div style="width: ${year.percent}%"></div>
            </div>`}
      </button>`;
    } else if (year?.finished !== undefined) {
      yearPart = html`<button class="year" @click=${() => this._moreInfo(year.entityId)}>
        <div class="line">${t("goals.finished_year", { count: year.finished })}</div>
      </button>`;
    }
    if (!streakText && !yearPart) return undefined;
    return html`
      <section class="goals">
        <h3>${t("section.goals")}</h3>
        ${streakText && streak
          ? html`<button class="streak" @click=${() => this._moreInfo(streak.entityId)}>
              ${streak.days > 0 ? html`<ha-svg-icon .path=${FIRE_ICON}></ha-svg-icon>` : nothing}
              <div class="line" title=${streakText}>${streakText}</div>
            </button>`
          : nothing}
        ${yearPart ?? nothing}
      </section>
    `;
  }

  private _renderShelf(books: ShelfBook[]): TemplateResult {
    const t = this._t;
    const selected = this._selected !== undefined ? books[this._selected] : undefined;
    const when = selected ? relativeTime(selected.lastListened, new Date(), this._language) : undefined;
    const detail = selected
      ? [
          selected.title,
          selected.author,
          selected.percent === undefined ? undefined : formatPercent(selected.percent, this._language),
          when,
        ]
          .filter(Boolean)
          .join(" · ")
      : undefined;
    return html`
      <section class="in-progress">
        <h3>${t("section.in_progress")}</h3>
        <div class="shelf">
          ${books.map(
            (book, index) => html`<button
              class="shelf-book ${index === this._selected ? "selected" : ""}"
              title=${book.title}
              aria-pressed=${index === this._selected ? "true" : "false"}
              @click=${() => {
                this._selected = this._selected === index ? undefined : index;
              }}
            >
              <div class="thumb">${this._renderCover(book.cover, t("book.cover", { title: book.title }))}</div>
              <div class="bar"><div style="width: ${book.percent ?? 0}%"></div></div>
            </button>`,
          )}
        </div>
        ${detail ? html`<div class="detail line" title=${detail}>${detail}</div>` : nothing}
      </section>
    `;
  }

  private _services(down: Service[]): string {
    const t = this._t;
    if (down.length > 1) return t("unavailable.both");
    return down[0] ? t(`source.${down[0]}`) : t("source.audible");
  }

  // -- actions --

  private _fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private _moreInfo(entityId: string): void {
    this._fire("hass-more-info", { entityId });
  }

  private _action(action: "tap" | "hold"): void {
    const config = this._config!;
    const entity = this._entry?.entities.currently_reading ?? config.entity;
    // HA's own handler (the same as for its cards) runs the configured action.
    this._fire("hass-action", {
      config: {
        entity,
        tap_action: config.tap_action ?? { action: "more-info" },
        hold_action: config.hold_action ?? { action: "none" },
      },
      action,
    });
  }

  private _onPointerDown = (): void => {
    this._held = false;
    window.clearTimeout(this._holdTimer);
    this._holdTimer = window.setTimeout(() => {
      this._held = true;
      this._action("hold");
    }, HOLD_MS);
  };

  private _cancelHold = (): void => {
    window.clearTimeout(this._holdTimer);
  };

  private _onTap = (): void => {
    window.clearTimeout(this._holdTimer);
    if (this._held) {
      this._held = false;
      return;
    }
    this._action("tap");
  };

  private _onKey = (ev: KeyboardEvent): void => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this._action("tap");
    }
  };

  private async _syncNow(configEntryId: string): Promise<void> {
    const t = this._t;
    this._syncing = true;
    this._syncMessage = undefined;
    try {
      await this.hass!.callService(DOMAIN, "sync_now", { config_entry_id: configEntryId });
      this._syncMessage = { error: false, text: t("sync.done") };
    } catch (err) {
      const message = err instanceof Error ? err.message : (err as { message?: string })?.message;
      this._syncMessage = { error: true, text: message ? `${t("sync.error")}: ${message}` : t("sync.error") };
    } finally {
      this._syncing = false;
    }
  }
}
