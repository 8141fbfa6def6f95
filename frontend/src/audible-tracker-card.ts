// The bundle's entry: defines the card and lists it in the card picker.
import { AudibleTrackerCard, CARD_TYPE } from "./card";
import { findEntry, suitsEntity } from "./model";
import { localizer } from "./translations";
import type { HomeAssistant } from "./types";

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL: string;
  getEntitySuggestion: (hass: HomeAssistant, entityId: string) => { config: Record<string, unknown> } | null;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}

/** A suggestion for any of our sensors: the card of that entry's book. */
export function entitySuggestion(hass: HomeAssistant, entityId: string): { config: Record<string, unknown> } | null {
  if (!suitsEntity(hass, entityId)) return null;
  const entry = findEntry(hass, { type: CARD_TYPE, entity: entityId });
  const entity = entry.entities.currently_reading;
  return entity ? { config: { type: `custom:${CARD_TYPE}`, entity } } : null;
}

// Loaded once per page, but a second copy (a manual resource too) must not throw.
if (!customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, AudibleTrackerCard);
  const t = localizer(document.documentElement.lang);
  window.customCards = window.customCards ?? [];
  window.customCards.push({
    type: CARD_TYPE,
    name: t("card.name"),
    description: t("card.description"),
    preview: true,
    documentationURL: "https://github.com/audible-tracker/audible_tracker#the-dashboard-card-and-blueprints",
    getEntitySuggestion: entitySuggestion,
  });
}
