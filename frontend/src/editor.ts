// The visual editor: a schema for Home Assistant's own form (getConfigForm).
import { DOMAIN } from "./model";
import { isStringKey, localizer } from "./translations";

interface FormSchema {
  name: string;
  type?: string;
  selector?: Record<string, unknown>;
  schema?: FormSchema[];
  required?: boolean;
  default?: unknown;
}

export const SECTIONS = ["show_in_progress", "show_next_up", "show_missing_volumes", "show_listening", "show_goals", "show_sync"];

export const FORM_SCHEMA: FormSchema[] = [
  {
    name: "entity",
    selector: { entity: { filter: { integration: DOMAIN, domain: "sensor" } } },
  },
  {
    name: "device_id",
    selector: { device: { filter: { integration: DOMAIN } } },
  },
  {
    name: "",
    type: "grid",
    // The default shows an unset switch as on, as the card shows the section.
    schema: SECTIONS.map((name) => ({ name, default: true, selector: { boolean: {} } })),
  },
  { name: "tap_action", selector: { ui_action: { default_action: "more-info" } } },
  { name: "hold_action", selector: { ui_action: { default_action: "none" } } },
];

/** Every section on: a new card says so, so its editor's switches show it. */
export const SECTION_DEFAULTS: Record<string, boolean> = Object.fromEntries(SECTIONS.map((name) => [name, true]));

export function configForm() {
  return {
    schema: FORM_SCHEMA,
    // The form's language is the page's; HA sets <html lang>.
    // Called for every schema item, the grid's (no name) too: undefined
    // leaves those to Home Assistant.
    computeLabel: (schema: { name: string }) => {
      const key = `editor.${schema.name}`;
      return isStringKey(key) ? localizer(document.documentElement.lang)(key) : undefined;
    },
    assertConfig: (config: Record<string, unknown>) => {
      if (config.entity !== undefined && typeof config.entity !== "string") {
        throw new Error("entity must be an entity id");
      }
    },
  };
}
