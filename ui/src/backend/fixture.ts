// An in-memory backend for UI tests: a snapshot you set, events you push, calls you can inspect.

import type { AuditCheck } from "../bindings/AuditCheck";
import type { AuditEntryView } from "../bindings/AuditEntryView";
import type { AuditQuery } from "../bindings/AuditQuery";
import type { DecisionRequest } from "../bindings/DecisionRequest";
import type { ImportReport } from "../bindings/ImportReport";
import type { InboxEvent } from "../bindings/InboxEvent";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { IntentionRequest } from "../bindings/IntentionRequest";
import type { MarkRequest } from "../bindings/MarkRequest";
import type { NewUserRequest } from "../bindings/NewUserRequest";
import type { OriginalView } from "../bindings/OriginalView";
import type { Section } from "../bindings/Section";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SettingsView } from "../bindings/SettingsView";
import type { UserUpdate } from "../bindings/UserUpdate";
import type { UserView } from "../bindings/UserView";
import { type Backend, BackendError } from "./backend";
import { ReviewFixture } from "./fixture-review";

/** An administrator who is also a clinician and prescriber: may do everything. */
export const FIXTURE_USER: UserView = {
  id: 1,
  name: "Dr Test Synthetic",
  roles: ["administrator", "clinician", "prescriber"],
  disabled: false,
  lockedUntil: null,
};

export function signedInSession(user: UserView = FIXTURE_USER): SessionView {
  const has = (r: string) => user.roles.includes(r as UserView["roles"][number]);
  return {
    user,
    permissions: {
      decide: has("administrator") || has("clinician"),
      reauthorise: has("prescriber"),
      recode: has("clinician"),
      administer: has("administrator"),
      train: has("trainer") || has("administrator"),
    },
    profiles: [user],
    needsFirstUser: false,
    idleLockMinutes: 10,
    trainingPin: null,
  };
}

/** Nobody signed in; these profiles to choose from. */
export function signedOutSession(profiles: UserView[] = [FIXTURE_USER]): SessionView {
  return {
    user: null,
    permissions: { decide: false, reauthorise: false, recode: false, administer: false, train: false },
    profiles,
    needsFirstUser: profiles.length === 0,
    idleLockMinutes: 10,
    trainingPin: null,
  };
}

export class FixtureBackend implements Backend {
  private handlers = new Set<(event: InboxEvent) => void>();
  calls: string[] = [];
  failSnapshot: BackendError | null = null;
  /** Signed in as an all-roles user unless a test says otherwise. */
  sessionView: SessionView = signedInSession();
  userList: UserView[] = [FIXTURE_USER];
  auditEntries: AuditEntryView[] = [];
  /** What `auditVerify` answers; else intact. */
  auditCheck: AuditCheck | null = null;
  review = new ReviewFixture();

  constructor(
    public state: InboxSnapshot,
    public settingsView: SettingsView,
  ) {}

  /** As the core: `not_signed_in` when nobody is signed in. */
  private signedIn(): void {
    if (!this.sessionView.user)
      throw new BackendError({ code: "not_signed_in", message: "Sign in to continue." });
  }

  /** As the core: `forbidden` unless the signed-in user is an administrator. */
  private administrator(): void {
    this.signedIn();
    if (!this.sessionView.permissions.administer)
      throw new BackendError({
        code: "forbidden",
        message: "Only an administrator can change users and settings.",
      });
  }

  /** Files the fixture "has", by path: rows to import and rows to skip. */
  registrationFiles: Record<string, ImportReport> = {};

  async importRegistrations(path: string): Promise<ImportReport> {
    this.calls.push(`importRegistrations:${path}`);
    this.administrator();
    if (!path.startsWith("/")) {
      throw new BackendError({
        code: "invalid_input",
        message: `Give the full path of the file, such as /home/practice/registrations.csv, not "${path}".`,
      });
    }
    const report = this.registrationFiles[path];
    if (!report) throw new BackendError({ code: "io", message: `Could not read ${path}: no such file` });
    return structuredClone(report);
  }

  async snapshot(): Promise<InboxSnapshot> {
    this.calls.push("snapshot");
    if (this.failSnapshot) throw this.failSnapshot;
    this.signedIn();
    return structuredClone(this.state);
  }

  async settings(): Promise<SettingsView> {
    this.calls.push("settings");
    this.signedIn();
    return structuredClone(this.settingsView);
  }

  async original(transferId: number): Promise<OriginalView> {
    this.calls.push(`original:${transferId}`);
    this.signedIn();
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
    this.signedIn();
    const t = this.state.transfers.find((x) => x.id === transferId);
    if (!t) throw new BackendError({ code: "not_found", message: `There is no transfer ${transferId}.` });
    return `/home/practice/Downloads/${t.fileName}`;
  }

  async updateSettings(update: SettingsUpdate): Promise<SettingsView> {
    this.calls.push(`updateSettings:${update.incomingDir ?? ""}`);
    this.administrator();
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
    if (
      !Number.isInteger(update.idleLockMinutes) ||
      update.idleLockMinutes < 1 ||
      update.idleLockMinutes > 240
    ) {
      throw new BackendError({
        code: "invalid_input",
        message: `The screen lock is 1 to 240 minutes, not ${update.idleLockMinutes}.`,
      });
    }
    const outbox = update.outboxDir?.trim() ?? "";
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
      outboxDir: outbox === "" ? null : outbox,
      effectiveOutboxDir: this.settingsView.outboxFromEnvironment
        ? this.settingsView.effectiveOutboxDir
        : outbox === ""
          ? `${update.storageDir ?? "/data"}/outbox`
          : outbox,
      outboxFromEnvironment: this.settingsView.outboxFromEnvironment,
      idleLockMinutes: update.idleLockMinutes,
      relaxReviewForAdministrators: update.relaxReviewForAdministrators,
      training: this.settingsView.training,
    };
    this.sessionView = { ...this.sessionView, idleLockMinutes: update.idleLockMinutes };
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

  async session(): Promise<SessionView> {
    this.calls.push("session");
    return structuredClone(this.sessionView);
  }

  async signIn(userId: number, pin: string): Promise<SessionView> {
    this.calls.push(`signIn:${userId}`);
    const user = this.userList.find((u) => u.id === userId);
    if (!user)
      throw new BackendError({ code: "not_found", message: "That profile does not exist or is disabled." });
    if (pin !== "1234") throw new BackendError({ code: "not_signed_in", message: "Wrong PIN." });
    this.sessionView = { ...signedInSession(user), profiles: this.userList };
    return structuredClone(this.sessionView);
  }

  async signOut(locked: boolean): Promise<SessionView> {
    this.calls.push(`signOut:${locked}`);
    this.sessionView = {
      ...this.sessionView,
      user: null,
      permissions: { decide: false, reauthorise: false, recode: false, administer: false, train: false },
      profiles: this.userList,
    };
    return structuredClone(this.sessionView);
  }

  async touch(): Promise<void> {
    this.calls.push("touch");
    if (!this.sessionView.user)
      throw new BackendError({ code: "not_signed_in", message: "Sign in to continue." });
  }

  async createFirstUser(request: NewUserRequest): Promise<SessionView> {
    this.calls.push(`createFirstUser:${request.name}`);
    const roles = Array.from(new Set([...request.roles, "administrator" as const]));
    const user: UserView = {
      id: this.userList.length + 1,
      name: request.name,
      roles,
      disabled: false,
      lockedUntil: null,
    };
    this.userList = [user];
    this.sessionView = { ...signedInSession(user), profiles: this.userList };
    return structuredClone(this.sessionView);
  }

  async users(): Promise<UserView[]> {
    this.calls.push("users");
    this.signedIn();
    return structuredClone(this.userList);
  }

  async createUser(request: NewUserRequest): Promise<UserView> {
    this.calls.push(`createUser:${request.name}`);
    this.administrator();
    if (this.userList.some((u) => u.name.toLowerCase() === request.name.trim().toLowerCase()))
      throw new BackendError({
        code: "conflict",
        message: `There is already a user called "${request.name}".`,
      });
    if (!/^\d{4,12}$/.test(request.pin)) {
      throw new BackendError({ code: "invalid_input", message: "A PIN is 4 to 12 digits." });
    }
    const user: UserView = {
      id: Math.max(0, ...this.userList.map((u) => u.id)) + 1,
      name: request.name,
      roles: request.roles,
      disabled: false,
      lockedUntil: null,
    };
    this.userList = [...this.userList, user];
    return structuredClone(user);
  }

  async updateUser(update: UserUpdate): Promise<UserView> {
    this.calls.push(`updateUser:${update.id}`);
    this.administrator();
    const user = this.userList.find((u) => u.id === update.id);
    if (!user) throw new BackendError({ code: "not_found", message: `There is no user ${update.id}.` });
    const changed: UserView = {
      ...user,
      roles: update.roles ?? user.roles,
      disabled: update.disabled ?? user.disabled,
    };
    this.userList = this.userList.map((u) => (u.id === update.id ? changed : u));
    return structuredClone(changed);
  }

  reviewOpen = (transferId: number) => this.review.open(transferId);
  reviewSection = (transferId: number, section: Section) => this.review.section(transferId, section);
  reviewTimeline = (transferId: number) => this.review.timeline(transferId);
  reviewMark = (request: MarkRequest) => this.review.mark(request);
  reviewIntention = (request: IntentionRequest) => this.review.intention(request);
  codeSuggestions = (query: string) => this.review.suggestions(query);
  decide = (request: DecisionRequest) => this.review.decide(request);
  attachmentOpen = (attachmentId: number) => this.review.attachment(attachmentId);

  async auditList(query: AuditQuery): Promise<AuditEntryView[]> {
    this.calls.push(`auditList:${query.action ?? ""}`);
    this.signedIn();
    return structuredClone(
      this.auditEntries.filter(
        (e) =>
          (query.transferId == null || e.transferId === query.transferId) &&
          (!query.userName || e.userName.toLowerCase() === query.userName.toLowerCase()) &&
          (!query.action || e.action === query.action),
      ),
    );
  }

  async auditVerify(): Promise<AuditCheck> {
    this.calls.push("auditVerify");
    this.signedIn();
    return this.auditCheck ?? { ok: true, entries: this.auditEntries.length, problem: null };
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
