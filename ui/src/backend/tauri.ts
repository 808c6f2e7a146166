import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { OriginalView } from "../bindings/OriginalView";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";
import { type Backend, toBackendError } from "./backend";

/** Must match `src-tauri/src/events.rs`. */
const INBOX_EVENT = "inbox-event";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export const tauriBackend: Backend = {
  snapshot: () => call<InboxSnapshot>("inbox_snapshot"),
  original: (transferId: number) => call<OriginalView>("transfer_original", { transferId }),
  exportOriginal: (transferId: number) => call<string>("transfer_export_original", { transferId }),
  settings: () => call<SettingsView>("settings_get"),
  updateSettings: (update: SettingsUpdate) => call<SettingsView>("settings_update", { update }),
  setTraining: (enabled: boolean) => call<SettingsView>("training_set", { enabled }),
  resetTraining: (scenario: string) => call<number>("training_reset", { scenario }),
  onEvent: (handler) => listen<InboxEvent>(INBOX_EVENT, (e) => handler(e.payload)),
};
