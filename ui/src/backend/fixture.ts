// An in-memory backend for UI tests: a snapshot you set, events you push, calls you can inspect.
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";
import { type Backend, BackendError } from "./backend";

export class FixtureBackend implements Backend {
  private handlers = new Set<(event: InboxEvent) => void>();
  calls: string[] = [];
  failSnapshot: BackendError | null = null;

  constructor(
    public state: InboxSnapshot,
    public settingsView: SettingsView,
  ) {}

  async snapshot(): Promise<InboxSnapshot> {
    this.calls.push("snapshot");
    if (this.failSnapshot) throw this.failSnapshot;
    return structuredClone(this.state);
  }

  async settings(): Promise<SettingsView> {
    this.calls.push("settings");
    return structuredClone(this.settingsView);
  }

  async updateSettings(update: SettingsUpdate): Promise<SettingsView> {
    this.calls.push(`updateSettings:${update.incomingDir ?? ""}`);
    const dir = update.incomingDir?.trim() ?? "";
    if (dir !== "" && !dir.startsWith("/")) {
      throw new BackendError({
        code: "invalid_input",
        message: `The incoming folder must be a full path, not "${dir}".`,
      });
    }
    this.settingsView =
      dir === ""
        ? { incomingDir: null, effectiveIncomingDir: "/data/incoming", incomingSource: "default" }
        : { incomingDir: dir, effectiveIncomingDir: dir, incomingSource: "setting" };
    return structuredClone(this.settingsView);
  }

  async onEvent(handler: (event: InboxEvent) => void): Promise<() => void> {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Delivers an event as the core would. */
  push(event: InboxEvent): void {
    for (const h of this.handlers) h(event);
  }

  get listeners(): number {
    return this.handlers.size;
  }
}
