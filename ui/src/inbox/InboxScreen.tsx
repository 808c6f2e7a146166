import { useEffect, useMemo, useState } from "react";
import { type BackendError, toBackendError } from "../backend/backend";
import { useBackend } from "../backend/context";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { OriginalView } from "../bindings/OriginalView";
import type { TransferRow } from "../bindings/TransferRow";
import { countdown, formatBytes, formatInstant, formatNhsNumber, formatPartialDate } from "../format";

const SEX: Record<string, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Sex not known",
};

/** What the record holds that needs work, in words ("12 medications (5 repeat) · 3 allergies"). */
export function countsSummary(t: TransferRow): string {
  const c = t.counts;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    `${plural(c.medicationCourses, "medication", "medications")}${c.repeatCourses > 0 ? ` (${c.repeatCourses} repeat)` : ""}`,
    plural(c.allergies, "allergy", "allergies"),
  ];
  if (c.degraded > 0) parts.push(`${c.degraded} degraded`);
  if (c.absentAttachments > 0)
    parts.push(plural(c.absentAttachments, "missing attachment", "missing attachments"));
  return parts.join(" · ");
}

function StatusView({ t }: { t: TransferRow }) {
  switch (t.status) {
    case "ready":
      return <span className="status status-ready">Ready for review</span>;
    case "awaitingAttachments":
      return (
        <span className="status status-waiting" title="Large attachments are sent as separate messages">
          Awaiting attachments
          <span className="sub">
            {t.partsMissing} of {t.partsExpected} {t.partsExpected === 1 ? "part" : "parts"} to come
          </span>
        </span>
      );
    case "incomplete":
      return (
        <span className="status status-incomplete" title={t.failureReason ?? undefined}>
          Incomplete{t.failureCode ? ` · code ${t.failureCode}` : ""}
          {t.failureReason && <span className="sub">{t.failureReason}</span>}
        </span>
      );
  }
}

function matches(t: TransferRow, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s/g, "");
  if (q === "") return true;
  return [
    t.nhsNumber,
    t.sendingOds,
    t.fileName,
    t.extractId,
    t.interaction,
    t.patient?.familyName,
    t.patient?.givenName,
  ].some((v) => v?.toLowerCase().replace(/\s/g, "").includes(q));
}

type Show = "all" | "overdue" | TransferRow["status"];
type Order = "due" | "received" | "name";

/** The rows to list: searched, filtered and sorted as the practice asked. */
export function arrange(
  all: TransferRow[],
  query: string,
  show: Show,
  order: Order,
  now: Date,
): TransferRow[] {
  const day = (t: TransferRow) => countdown(t.sentUtc, now)?.day ?? -1;
  const rows = all.filter(
    (t) => matches(t, query) && (show === "all" || (show === "overdue" ? day(t) > 8 : t.status === show)),
  );
  const name = (t: TransferRow) =>
    t.patient ? `${t.patient.familyName} ${t.patient.givenName}`.toLowerCase() : "\uffff";
  const byReceived = (a: TransferRow, b: TransferRow) =>
    b.receivedAt.localeCompare(a.receivedAt) || b.id - a.id;
  return [...rows].sort((a, b) => {
    switch (order) {
      case "due":
        return day(b) - day(a) || byReceived(a, b);
      case "name":
        return name(a).localeCompare(name(b)) || byReceived(a, b);
      default:
        return byReceived(a, b);
    }
  });
}

/** The time the countdowns are measured at, moving on every minute. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function InboxScreen({ snapshot }: { snapshot: InboxSnapshot }) {
  const now = useNow();
  const [query, setQuery] = useState("");
  const [originalOf, setOriginalOf] = useState<number | null>(null);
  const [show, setShow] = useState<Show>("all");
  const [order, setOrder] = useState<Order>("due");
  const rows = useMemo(
    () => arrange(snapshot.transfers, query, show, order, now),
    [snapshot.transfers, query, show, order, now],
  );
  const { watch, quarantine, notices } = snapshot;
  const samples = snapshot.transfers.some((t) => t.sample);

  return (
    <div className="inbox">
      {watch.problem && (
        <div className="banner banner-error" role="alert" data-testid="watch-problem">
          <strong>New records are not arriving.</strong> {watch.problem}
        </div>
      )}
      {notices.length > 0 && (
        <ul className="notices" aria-label="Notices">
          {notices.slice(0, 3).map((n) => (
            <li key={`${n.at}${n.message}`}>
              <span className="notice-time">{formatInstant(n.at)}</span> {n.message}
            </li>
          ))}
        </ul>
      )}

      <section className="panel" aria-labelledby="incoming-title">
        <div className="panel-head">
          <div>
            <h1 id="incoming-title">Incoming records</h1>
            <p className="muted">
              {snapshot.transfers.length} {snapshot.transfers.length === 1 ? "record" : "records"} · watching{" "}
              <code>{watch.incomingDir}</code>
            </p>
          </div>
          <div className="list-controls">
            <label>
              Show{" "}
              <select value={show} onChange={(e) => setShow(e.target.value as Show)}>
                <option value="all">Every record</option>
                <option value="overdue">Only overdue (past day 8)</option>
                <option value="ready">Only ready for review</option>
                <option value="awaitingAttachments">Only awaiting attachments</option>
                <option value="incomplete">Only incomplete</option>
              </select>
            </label>
            <label>
              Sort by{" "}
              <select value={order} onChange={(e) => setOrder(e.target.value as Order)}>
                <option value="due">Most urgent first</option>
                <option value="received">Newest arrival first</option>
                <option value="name">Patient name</option>
              </select>
            </label>
          </div>
          <label className="search">
            <span className="visually-hidden">Search</span>
            <input
              type="search"
              placeholder="Search name, NHS number, practice, file…"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </label>
        </div>
        {samples && (
          <p className="sample-note">
            Rows marked <span className="tag tag-sample">Sample</span> are built-in synthetic test records,
            not real patients.
          </p>
        )}
        {snapshot.transfers.length === 0 ? (
          <div className="empty">
            <p>
              <strong>No records yet.</strong>
            </p>
            <p className="muted">
              GP2GP messages placed in <code>{watch.incomingDir}</code> appear here as soon as they arrive.
            </p>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="transfers">
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Status</th>
                  <th scope="col">Record</th>
                  <th scope="col">Sending practice</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Received</th>
                  <th scope="col">Original</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <TransferRowView key={t.id} t={t} now={now} onOriginal={() => setOriginalOf(t.id)} />
                ))}
              </tbody>
            </table>
            {rows.length === 0 && <p className="muted pad">No records match “{query}”.</p>}
          </div>
        )}
      </section>

      {originalOf !== null && (
        <OriginalPanel key={originalOf} transferId={originalOf} onClose={() => setOriginalOf(null)} />
      )}

      <section className="panel" aria-labelledby="quarantine-title">
        <h2 id="quarantine-title">
          Quarantine <span className="count">{quarantine.length}</span>
        </h2>
        {quarantine.length === 0 ? (
          <p className="muted">
            Nothing in quarantine. Files that cannot be read are kept here with the reason.
          </p>
        ) : (
          <table className="quarantine">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Why it could not be read</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {quarantine.map((q) => (
                <tr key={q.id} data-file-name={q.fileName}>
                  <td className="file">{q.fileName}</td>
                  <td>{q.reason}</td>
                  <td className="nowrap">{formatInstant(q.quarantinedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function TransferRowView({ t, now, onOriginal }: { t: TransferRow; now: Date; onOriginal: () => void }) {
  const due = countdown(t.sentUtc, now);
  return (
    <tr data-nhs-number={t.nhsNumber ?? ""} data-status={t.status} className="transfer-row">
      <td className="patient-cell">
        {t.patient ? (
          <div className="patient-name">
            {t.patient.familyName.toUpperCase()}, {t.patient.givenName}
          </div>
        ) : (
          <div>
            <span
              className="tag tag-warn tag-below"
              title="No registration at this practice has this NHS number"
            >
              Not registered here
            </span>
          </div>
        )}
        {t.nhsNumber ? (
          <span className="nhs-number">{formatNhsNumber(t.nhsNumber)}</span>
        ) : (
          <span className="muted">Not given</span>
        )}
        {t.patient?.dateOfBirth && (
          <div className="sub">
            Born {formatPartialDate(t.patient.dateOfBirth)} · {SEX[t.patient.sex] ?? "Sex not known"}
          </div>
        )}
        {!t.nhsNumberValid && (
          <div>
            <span
              className="tag tag-warn tag-below"
              title="The NHS number is missing or fails its check digit"
            >
              Check NHS number
            </span>
          </div>
        )}
      </td>
      <td>
        <StatusView t={t} />
        {due && (
          <div
            className={`countdown countdown-${due.level}`}
            title="GP2GP asks for a record to be integrated within 8 days of being sent"
          >
            {due.text}
          </div>
        )}
      </td>
      <td className="record-cell">
        {countsSummary(t)}
        {t.sample && <span className="tag tag-sample">Sample</span>}
        {t.readErrors > 0 && (
          <span className="tag tag-warn" title="Parts of the message could not be read; the rest is shown">
            Read with errors
          </span>
        )}
      </td>
      <td>{t.sendingOds ?? <span className="muted">Not given</span>}</td>
      <td className="nowrap">{t.sentAt ? formatPartialDate(t.sentAt) : <span className="muted">—</span>}</td>
      <td className="nowrap">{formatInstant(t.receivedAt)}</td>
      <td className="original-cell">
        <button
          type="button"
          className="link"
          onClick={onOriginal}
          aria-label={`View original ${t.fileName}`}
        >
          View
        </button>
        <div className="sub file-name" title={t.fileName}>
          {t.fileName}
        </div>
      </td>
    </tr>
  );
}

/** The original message as received, byte for byte, with a way to save a copy (GP2GP S63). */
function OriginalPanel({ transferId, onClose }: { transferId: number; onClose: () => void }) {
  const backend = useBackend();
  const [original, setOriginal] = useState<OriginalView | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [savedTo, setSavedTo] = useState<string | null>(null);

  useEffect(() => {
    backend
      .original(transferId)
      .then(setOriginal)
      .catch((e: unknown) => setError(toBackendError(e)));
  }, [backend, transferId]);

  async function save() {
    try {
      setSavedTo(await backend.exportOriginal(transferId));
      setError(null);
    } catch (e) {
      setError(toBackendError(e));
    }
  }

  return (
    <section className="panel original" aria-labelledby="original-title">
      <div className="panel-head">
        <div>
          <h2 id="original-title">Original message{original ? `: ${original.fileName}` : ""}</h2>
          {original && (
            <p className="muted">
              {formatBytes(original.sizeBytes)} exactly as received · SHA-256{" "}
              <code className="hash">{original.sha256}</code>
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" className="primary" onClick={save} disabled={!original}>
            Save a copy
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {savedTo && (
        <p className="field-ok" role="status">
          Saved to <code>{savedTo}</code>
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      {original && (
        <>
          {original.truncated && (
            <p className="muted">
              Showing the first {formatBytes(original.shownBytes)}. Save a copy to see all of it.
            </p>
          )}
          <pre className="original-text" data-testid="original-text">
            {original.text}
          </pre>
        </>
      )}
    </section>
  );
}
