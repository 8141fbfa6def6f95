import { css } from "lit";

// Only Home Assistant's theme variables (light, dark and user themes follow).
export const styles = css`
  :host {
    display: block;
  }
  ha-card {
    height: 100%;
    overflow: hidden;
  }
  .wrap {
    container-type: inline-size;
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
    color: var(--primary-text-color);
  }
  .unavailable .wrap {
    color: var(--disabled-text-color);
  }
  .now {
    display: grid;
    grid-template-columns: 112px minmax(0, 1fr);
    gap: 16px;
    align-items: start;
    cursor: pointer;
    border-radius: var(--ha-card-border-radius, 12px);
    outline: none;
  }
  .now:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .cover {
    all: unset;
    cursor: pointer;
    display: block;
    aspect-ratio: 1 / 1;
    width: 100%;
    border-radius: 12px;
    overflow: hidden;
    background: var(--secondary-background-color);
  }
  .cover:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .cover img,
  .cover svg,
  .thumb img,
  .thumb svg {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .fallback {
    color: var(--secondary-text-color);
    background: var(--secondary-background-color);
  }
  .info {
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .line {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    min-width: 0;
  }
  .title {
    font-size: 1.25em;
    font-weight: 500;
    line-height: 1.3;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.9em;
  }
  .series {
    color: var(--primary-color);
    font-size: 0.9em;
  }
  .bar {
    height: 6px;
    border-radius: 3px;
    background: var(--divider-color);
    overflow: hidden;
    margin-top: 8px;
  }
  .bar > div {
    height: 100%;
    background: var(--primary-color);
    border-radius: 3px;
  }
  .numbers {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    font-size: 0.9em;
    color: var(--secondary-text-color);
    margin-top: 4px;
  }
  .numbers .percent {
    color: var(--primary-text-color);
    font-weight: 500;
  }
  .footer {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
  }
  .badge,
  .sync-now {
    all: unset;
    cursor: pointer;
    font-size: 0.85em;
    padding: 4px 10px;
    border-radius: 14px;
    white-space: nowrap;
  }
  .badge:focus-visible,
  .sync-now:focus-visible {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .badge {
    border: 1px solid currentColor;
  }
  .badge.in_step {
    color: var(--success-color);
  }
  .badge.syncing,
  .badge.dry_run {
    color: var(--info-color);
  }
  .badge.conflict,
  .badge.off {
    color: var(--warning-color);
  }
  .badge.failed,
  .badge.unavailable {
    color: var(--error-color);
  }
  .sync-now {
    color: var(--primary-color);
    font-weight: 500;
  }
  .sync-now[disabled] {
    color: var(--disabled-text-color);
    cursor: default;
  }
  .sync-message {
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .sync-message.error {
    color: var(--error-color);
  }
  .warning {
    font-size: 0.85em;
    color: var(--warning-color);
  }
  .state {
    display: flex;
    gap: 16px;
    align-items: center;
  }
  .state .thumb {
    flex: 0 0 64px;
    height: 64px;
  }
  section {
    border-top: 1px solid var(--divider-color);
    padding-top: 12px;
    min-width: 0;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 0.95em;
    font-weight: 500;
    color: var(--secondary-text-color);
  }
  .shelf {
    display: flex;
    gap: 10px;
    overflow-x: auto;
    scrollbar-width: thin;
    padding-bottom: 4px;
  }
  .shelf-book {
    all: unset;
    cursor: pointer;
    flex: 0 0 64px;
    width: 64px;
  }
  .shelf-book.selected .thumb {
    box-shadow: 0 0 0 2px var(--primary-color);
  }
  .thumb {
    width: 64px;
    height: 64px;
    border-radius: 8px;
    overflow: hidden;
    background: var(--secondary-background-color);
  }
  .shelf-book .bar {
    height: 3px;
    margin-top: 4px;
  }
  .detail {
    margin-top: 6px;
    font-size: 0.9em;
  }
  .next {
    all: unset;
    cursor: pointer;
    display: flex;
    gap: 12px;
    align-items: center;
    min-width: 0;
    width: 100%;
  }
  .next .text {
    min-width: 0;
    flex: 1;
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .missing-series {
    font-weight: 500;
  }
  .wishlist {
    color: var(--primary-color);
  }
  .totals {
    display: flex;
    gap: 24px;
  }
  .total {
    all: unset;
    cursor: pointer;
    display: flex;
    flex-direction: column;
  }
  .total .value {
    font-size: 1.2em;
    font-weight: 500;
  }
  .goals {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .streak,
  .year {
    all: unset;
    cursor: pointer;
    display: block;
    min-width: 0;
  }
  /* An icon, not an emoji: wall panels often have no emoji font. */
  .streak {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .streak ha-svg-icon {
    flex: none;
    color: var(--warning-color);
    --mdc-icon-size: 20px;
  }
  .year .bar {
    height: 4px;
    margin-top: 6px;
  }
  .greyed {
    filter: grayscale(1);
    opacity: 0.6;
  }
  /* A phone, or one column of a sections view. */
  @container (max-width: 380px) {
    .now {
      grid-template-columns: 80px minmax(0, 1fr);
      gap: 12px;
    }
    .title {
      font-size: 1.1em;
    }
  }
  /* Wide: the cover grows with the card. */
  @container (min-width: 640px) {
    .now {
      grid-template-columns: 160px minmax(0, 1fr);
      gap: 24px;
    }
  }
`;
