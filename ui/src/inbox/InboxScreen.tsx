import { useCallback, useDeferredValue, useEffect, useMemo, useState } from "react";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import { formatCount, formatInstant, plural } from "../format";
import { filterSort, indexTransfers, isDecided, type Order, type Show } from "./arrange";
import { OriginalPanel } from "./OriginalPanel";
import { TransferTable } from "./TransferTable";

export { arrange } from "./arrange";
export { countsSummary } from "./summary";

/** The time the countdowns are measured at, moving on every minute. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const SHOW_LABELS: Record<Show, string> = {
  open: "Open records",
  overdue: "Only overdue (past day 8)",
  ready: "Only ready for review",
  awaitingAttachments: "Only awaiting attachments",
  incomplete: "Only incomplete",
  decided: "Decided",
  all: "Every record",
};

export function InboxScreen({
  snapshot,
  onOpen,
  active = true,
  lastOpened = null,
}: {
  snapshot: InboxSnapshot;
  /** Opens a transfer for review. */
  onOpen?: (transferId: number) => void;
  /** False while another screen shows (the list keeps its place meanwhile). */
  active?: boolean;
  /** The transfer opened last: its row has the focus again on coming back. */
  lastOpened?: number | null;
}) {
  const now = useNow();
  const [query, setQuery] = useState("");
  const [originalOf, setOriginalOf] = useState<number | null>(null);
  const [show, setShow] = useState<Show>("open");
  const [order, setOrder] = useState<Order>("due");
  // Typing stays quick with 10,000 records: the list catches up a moment later.
  const search = useDeferredValue(query);
  const index = useMemo(() => indexTransfers(snapshot.transfers, now), [snapshot.transfers, now]);
  const rows = useMemo(() => filterSort(index, search, show, order), [index, search, show, order]);
  const openCount = useMemo(() => index.reduce((n, x) => (isDecided(x.t) ? n : n + 1), 0), [index]);
  const { watch, quarantine, notices } = snapshot;
  const total = snapshot.transfers.length;
  const samples = useMemo(() => snapshot.transfers.some((t) => t.sample), [snapshot.transfers]);
  const open = useCallback((id: number) => onOpen?.(id), [onOpen]);
  const showOriginal = useCallback((id: number) => setOriginalOf(id), []);

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
        <div className="panel-head inbox-head">
          <div className="inbox-title">
            <h1 id="incoming-title">Incoming records</h1>
            <p className="muted">
              {plural(total, "record", "records")} · {formatCount(openCount)} open · watching{" "}
              <code>{watch.incomingDir}</code>
            </p>
          </div>
          <div className="list-controls">
            <label className="search">
              <span className="visually-hidden">Search by name or NHS number</span>
              <input
                type="search"
                placeholder="Search by name or NHS number"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <label>
              Show{" "}
              <select value={show} onChange={(e) => setShow(e.target.value as Show)}>
                {(Object.keys(SHOW_LABELS) as Show[]).map((s) => (
                  <option key={s} value={s}>
                    {SHOW_LABELS[s]}
                  </option>
                ))}
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
        </div>
        {samples && (
          <p className="sample-note">
            Rows marked <span className="tag tag-sample">Sample</span> are built-in synthetic test records,
            not real patients.
          </p>
        )}
        {total === 0 ? (
          <div className="empty">
            <p>
              <strong>No records yet.</strong>
            </p>
            <p className="muted">
              GP2GP messages placed in <code>{watch.incomingDir}</code> appear here as soon as they arrive.
            </p>
          </div>
        ) : (
          <>
            {rows.length > 0 && (
              <TransferTable
                rows={rows}
                now={now}
                resetKey={`${search}\u0000${show}\u0000${order}`}
                active={active}
                focusId={lastOpened}
                onOpen={open}
                onOriginal={showOriginal}
              />
            )}
            {rows.length === 0 && (
              <p className="muted pad" data-testid="no-match">
                {search.trim() !== ""
                  ? `No records match “${search.trim()}”${show === "all" ? "" : ` in “${SHOW_LABELS[show]}”`}.`
                  : `No records in “${SHOW_LABELS[show]}”.`}
              </p>
            )}
            {rows.length > 0 && rows.length < total && (
              <p className="list-foot muted">
                Showing {formatCount(rows.length)} of {plural(total, "record", "records")}.
              </p>
            )}
          </>
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
