// The audit trail: who did what to which record, newest first, and a check that no entry was changed,
// removed or inserted since (every entry is linked to the one before by its hash).
import { useCallback, useEffect, useRef, useState } from "react";
import type { BackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { AuditCheck } from "../bindings/AuditCheck";
import type { AuditEntryView } from "../bindings/AuditEntryView";
import { formatCount, formatInstantSeconds, plural, rolesLabel } from "../format";
import { useSession } from "../session/context";

/** The newest entries listed at most. */
export const AUDIT_LIMIT = 500;

/** Every action the core audits, as people say it. */
export const ACTION_LABELS: Record<string, string> = {
  sign_in: "Signed in",
  sign_in_failed: "Sign-in failed",
  sign_out: "Signed out",
  locked: "Screen locked",
  view_record: "Viewed record",
  view_original: "Viewed original message",
  review_mark: "Marked items",
  intention: "Intention",
  decision: "Decision",
  decision_deferred: "Deferred",
  acknowledgement: "Acknowledgement",
  export: "Export",
  view_attachment: "Opened attachment",
  user_created: "User added",
  user_changed: "User changed",
  settings: "Settings changed",
  registrations_imported: "Registrations imported",
  review_reset: "Review started again",
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** The role as audited (`clinician+prescriber`), for people. */
function roleText(role: string): string {
  return role === "" ? "—" : rolesLabel(role.split(/[+,]/));
}

interface Filters {
  userName: string;
  action: string;
  transferId: string;
}

const NO_FILTERS: Filters = { userName: "", action: "", transferId: "" };

export function AuditScreen({
  onOpen,
}: {
  /** Opens a transfer for review. */ onOpen?: (transferId: number) => void;
}) {
  const backend = useBackend();
  const { handleError } = useSession();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [names, setNames] = useState<string[]>([]);
  const [error, setError] = useState<BackendError | null>(null);
  const [check, setCheck] = useState<AuditCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const request = useRef(0);

  const transferText = filters.transferId.trim();
  const transferId = /^\d+$/.test(transferText) ? Number(transferText) : null;
  const transferInvalid = transferText !== "" && transferId === null;

  const load = useCallback(async () => {
    if (transferInvalid) return;
    // Only the answer to the latest request is shown.
    const mine = ++request.current;
    try {
      const list = await backend.auditList({
        transferId,
        userName: filters.userName === "" ? null : filters.userName,
        action: filters.action === "" ? null : filters.action,
        limit: AUDIT_LIMIT,
      });
      if (mine !== request.current) return;
      setEntries(list);
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(handleError(e));
    }
  }, [backend, handleError, transferId, transferInvalid, filters.userName, filters.action]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    // The people to filter by (disabled profiles too: their entries stay).
    backend
      .users()
      .then((users) => setNames(users.map((u) => u.name).sort((a, b) => a.localeCompare(b))))
      .catch((e: unknown) => {
        handleError(e);
      });
  }, [backend, handleError]);

  async function verify() {
    setChecking(true);
    setCheck(null);
    try {
      setCheck(await backend.auditVerify());
      setError(null);
    } catch (e) {
      setError(handleError(e));
    } finally {
      setChecking(false);
    }
  }

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = filters.userName !== "" || filters.action !== "" || transferText !== "";
  // Names in the entries shown, in case a profile is gone from the list.
  const userOptions = Array.from(new Set([...names, ...(entries ?? []).map((e) => e.userName)])).sort(
    (a, b) => a.localeCompare(b),
  );

  return (
    <section className="panel audit" aria-labelledby="audit-title">
      <div className="panel-head">
        <div>
          <h1 id="audit-title">Audit trail</h1>
          <p className="muted">
            Every sign-in, record viewed, item marked, decision and acknowledgement, newest first.
          </p>
        </div>
        <div className="actions">
          <button type="button" className="secondary" onClick={verify} disabled={checking}>
            Check the audit trail
          </button>
        </div>
      </div>

      {check && (
        <p
          className={check.ok ? "audit-check ok" : "audit-check broken"}
          role="status"
          data-testid="audit-check"
        >
          {check.ok ? (
            <>
              <strong>Intact:</strong> {plural(check.entries, "entry", "entries")}, every one linked to the
              one before.
            </>
          ) : (
            <>
              <strong>Broken</strong> at {check.problem ?? "an unknown entry"}
            </>
          )}
        </p>
      )}

      <search className="audit-filters" aria-label="Filter the audit trail">
        <label>
          User{" "}
          <select value={filters.userName} onChange={(e) => set({ userName: e.target.value })}>
            <option value="">Everyone</option>
            {userOptions.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action{" "}
          <select value={filters.action} onChange={(e) => set({ action: e.target.value })}>
            <option value="">Every action</option>
            {Object.entries(ACTION_LABELS).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Transfer{" "}
          <input
            type="text"
            inputMode="numeric"
            className="transfer-filter"
            value={filters.transferId}
            onChange={(e) => set({ transferId: e.target.value })}
            placeholder="Any"
            aria-invalid={transferInvalid}
          />
        </label>
        {filtered && (
          <button type="button" className="link" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        )}
        <button type="button" className="link refresh" onClick={() => void load()}>
          Refresh
        </button>
      </search>
      {transferInvalid && <p className="field-error">A transfer is a number, such as 12.</p>}

      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}

      {entries === null && !error && <p className="muted">Loading…</p>}
      {entries !== null && entries.length === 0 && (
        <p className="muted pad">{filtered ? "No entries match these filters." : "No entries yet."}</p>
      )}
      {entries !== null && entries.length > 0 && (
        <div className="audit-scroll">
          <table className="audit-table">
            <colgroup>
              <col className="col-time" />
              <col className="col-user" />
              <col className="col-role" />
              <col className="col-action" />
              <col className="col-transfer" />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Transfer</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td className="nowrap">{formatInstantSeconds(e.at)}</td>
                  <td>{e.userName}</td>
                  <td className="sub-cell">{roleText(e.role)}</td>
                  <td className={`action action-${e.action}`}>{actionLabel(e.action)}</td>
                  <td>
                    {e.transferId === null ? (
                      <span className="muted">—</span>
                    ) : onOpen ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() => e.transferId !== null && onOpen(e.transferId)}
                        aria-label={`Open transfer ${e.transferId}`}
                      >
                        {e.transferId}
                      </button>
                    ) : (
                      e.transferId
                    )}
                  </td>
                  <td className="detail">{e.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length >= AUDIT_LIMIT && (
            <p className="muted pad">
              Showing the newest {formatCount(AUDIT_LIMIT)} entries: filter by user, action or transfer to see
              older ones.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
