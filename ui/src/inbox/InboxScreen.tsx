import { useMemo, useState } from "react";
import type { InboxSnapshot } from "../bindings/InboxSnapshot";
import type { MessageKind } from "../bindings/MessageKind";
import type { TransferRow } from "../bindings/TransferRow";
import { formatInstant, formatNhsNumber, formatPartialDate } from "../format";

const KIND_LABEL: Record<MessageKind, string> = {
  extract: "Patient record",
  request: "Record request",
  acknowledgement: "Acknowledgement",
  commonContent: "Large-message part",
};

function matches(t: TransferRow, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s/g, "");
  if (q === "") return true;
  return [t.nhsNumber, t.sendingOds, t.fileName, t.extractId, t.interaction].some((v) =>
    v?.toLowerCase().replace(/\s/g, "").includes(q),
  );
}

export function InboxScreen({ snapshot }: { snapshot: InboxSnapshot }) {
  const [query, setQuery] = useState("");
  const rows = useMemo(
    () => snapshot.transfers.filter((t) => matches(t, query)),
    [snapshot.transfers, query],
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
              {snapshot.transfers.length} {snapshot.transfers.length === 1 ? "message" : "messages"} ·
              watching <code>{watch.incomingDir}</code>
            </p>
          </div>
          <label className="search">
            <span className="visually-hidden">Search</span>
            <input
              type="search"
              placeholder="Search NHS number, practice, file…"
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
                  <th scope="col">NHS number</th>
                  <th scope="col">Message</th>
                  <th scope="col">Sending practice</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Received</th>
                  <th scope="col">File</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <TransferRowView key={t.id} t={t} />
                ))}
              </tbody>
            </table>
            {rows.length === 0 && <p className="muted pad">No messages match “{query}”.</p>}
          </div>
        )}
      </section>

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

function TransferRowView({ t }: { t: TransferRow }) {
  return (
    <tr data-nhs-number={t.nhsNumber ?? ""} className="transfer-row">
      <td className="nowrap">
        {t.nhsNumber ? (
          <span className="nhs-number">{formatNhsNumber(t.nhsNumber)}</span>
        ) : (
          <span className="muted">Not given</span>
        )}
        {!t.nhsNumberValid && (
          <span className="tag tag-warn" title="The NHS number is missing or fails its check digit">
            Check NHS number
          </span>
        )}
      </td>
      <td>
        {KIND_LABEL[t.kind]}
        {t.sample && <span className="tag tag-sample">Sample</span>}
        <div className="sub">{t.interaction}</div>
      </td>
      <td>{t.sendingOds ?? <span className="muted">Not given</span>}</td>
      <td className="nowrap">{t.sentAt ? formatPartialDate(t.sentAt) : <span className="muted">—</span>}</td>
      <td className="nowrap">{formatInstant(t.receivedAt)}</td>
      <td className="file">{t.fileName}</td>
    </tr>
  );
}
