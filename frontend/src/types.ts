// The parts of Home Assistant's frontend objects this card reads. HA's own
// types live in its frontend repository (not on npm), so these are written
// here, kept to what is used.

export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed?: string;
  last_updated?: string;
}

/** An entry of `hass.entities` (the entity registry's display entries). */
export interface EntityRegistryDisplayEntry {
  entity_id: string;
  device_id?: string;
  platform?: string;
  translation_key?: string;
  entity_category?: string;
  hidden?: boolean;
}

export interface DeviceRegistryEntry {
  id: string;
  config_entries: string[];
  primary_config_entry?: string | null;
  name?: string | null;
  name_by_user?: string | null;
}

export interface HomeAssistant {
  states: Record<string, HassEntity | undefined>;
  entities: Record<string, EntityRegistryDisplayEntry | undefined>;
  devices: Record<string, DeviceRegistryEntry | undefined>;
  locale?: { language: string };
  language?: string;
  localize: (key: string, values?: Record<string, string | number>) => string;
  callService: (
    domain: string,
    service: string,
    data?: Record<string, unknown>,
  ) => Promise<unknown>;
}

export interface ActionConfig {
  action: string;
  [key: string]: unknown;
}

/** The card's YAML. Sections default to shown. */
export interface CardConfig {
  type: string;
  /** The entry's "currently reading" sensor (or any entity of the entry). */
  entity?: string;
  /** Or the entry's device. */
  device_id?: string;
  show_in_progress?: boolean;
  show_next_up?: boolean;
  show_missing_volumes?: boolean;
  show_listening?: boolean;
  show_goals?: boolean;
  show_sync?: boolean;
  tap_action?: ActionConfig;
  hold_action?: ActionConfig;
}
