// The UI talks to the core only through this interface: `tauri.ts` in the app, `fixture.ts` in tests.
import type { ApiError } from "../bindings/ApiError";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { OriginalView } from "../bindings/OriginalView";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";

export interface Backend {
  snapshot(): Promise<InboxSnapshot>;
  /** The original of a transfer's record as received (GP2GP S63). */
  original(transferId: number): Promise<OriginalView>;
  /** Saves a byte-for-byte copy of the original; resolves to where it was saved. */
  exportOriginal(transferId: number): Promise<string>;
  settings(): Promise<SettingsView>;
  updateSettings(update: SettingsUpdate): Promise<SettingsView>;
  /** Switches between the live inbox and the training inbox. */
  setTraining(enabled: boolean): Promise<SettingsView>;
  /** Puts the training inbox back to a scenario set (`every` or a scenario's name); resolves to how many records it holds. */
  resetTraining(scenario: string): Promise<number>;
  /** Calls `handler` for every event the core pushes; resolves to a function that stops listening. */
  onEvent(handler: (event: InboxEvent) => void): Promise<() => void>;
}

/** A failed call: `code` is from a closed set; `message` is plain English for people, never parsed. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
  }
}

const CODES: readonly ErrorCode[] = ["not_found", "invalid_input", "storage", "io", "internal"];

/** Turns whatever a call rejected with into a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (CODES.includes(code as ErrorCode) && typeof message === "string") {
      return new BackendError({ code: code as ErrorCode, message });
    }
  }
  return new BackendError({ code: "internal", message: String(e) });
}
