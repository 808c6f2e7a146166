// An in-memory backend for UI tests: a snapshot you set, events you push, calls you can inspect.
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { OriginalView } from "../bindings/OriginalView";
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

  async original(transferId: number): Promise<OriginalView> {
    this.calls.push(`original:${transferId}`);
    const t = this.state.transfers.find((x) => x.id === transferId);
    if (!t) throw new BackendError({ code: "not_found", message: `There is no transfer ${transferId}.` });
    const text = `<EhrExtract><!-- synthetic test record ${t.fileName} --></EhrExtract>`;
    return {
      transferId,
      fileName: t.fileName,
      sizeBytes: t.sizeBytes,
      sha256: "0".repeat(64),
      text,
      shownBytes: text.length,
      truncated: t.sizeBytes > text.length,
    };
  }

  async exportOriginal(transferId: number): Promise<string> {
    this.calls.push(`exportOriginal:${transferId}`);
    const t = this.state.transfers.find((x) => x.id === transferId);
    if (!t) throw new BackendError({ code: "not_found", message: `There is no transfer ${transferId}.` });
    return `/home/practice/Downloads/${t.fileName}`;
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
    if (!/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(update.endpointListen.trim())) {
      throw new BackendError({
        code: "invalid_input",
        message: `The endpoint address must be an IP address and port, such as 127.0.0.1:8787, not "${update.endpointListen}".`,
      });
    }
    const running = update.endpointEnabled;
    this.settingsView = {
      ...(dir === ""
        ? { incomingDir: null, effectiveIncomingDir: "/data/incoming", incomingSource: "default" }
        : { incomingDir: dir, effectiveIncomingDir: dir, incomingSource: "setting" }),
      endpoint: {
        enabled: update.endpointEnabled,
        listen: update.endpointListen.trim(),
        maxBodyMb: update.endpointMaxBodyMb,
        running,
        url: running ? `http://${update.endpointListen.trim()}/v1/messages` : null,
        tokenFile: "/data/endpoint-token",
        problem: null,
      },
      attachmentTimeoutHours: update.attachmentTimeoutHours,
      storageDir: update.storageDir,
      effectiveStorageDir: update.storageDir ?? "/data",
      training: this.settingsView.training,
    };
    return structuredClone(this.settingsView);
  }

  async setTraining(enabled: boolean): Promise<SettingsView> {
    this.calls.push(`setTraining:${enabled}`);
    this.settingsView = {
      ...this.settingsView,
      training: { ...this.settingsView.training, active: enabled },
    };
    this.state = { ...this.state, training: enabled };
    this.push({ kind: "inboxReplaced", training: enabled });
    return structuredClone(this.settingsView);
  }

  async resetTraining(scenario: string): Promise<number> {
    this.calls.push(`resetTraining:${scenario}`);
    if (!this.settingsView.training.active) {
      throw new BackendError({
        code: "invalid_input",
        message: "Training data can only be reset in training mode; the live inbox is never reset.",
      });
    }
    this.push({ kind: "inboxReplaced", training: true });
    return scenario === "every" ? this.state.transfers.length : 3;
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
