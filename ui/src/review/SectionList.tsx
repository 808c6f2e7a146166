import type { ReactNode, RefObject } from "react";
import type { AllergyItem } from "../bindings/AllergyItem";
import type { AttachmentItem } from "../bindings/AttachmentItem";
import type { DegradedItem } from "../bindings/DegradedItem";
import type { MarkState } from "../bindings/MarkState";
import type { MedicationItem } from "../bindings/MedicationItem";
import type { Permissions } from "../bindings/Permissions";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { Section } from "../bindings/Section";
import type { SectionPage } from "../bindings/SectionPage";
import type { SectionProgress } from "../bindings/SectionProgress";
import { formatBytes, formatInstant, formatPartialDate } from "../format";
import { ProgressBar } from "./Summary";
import { codeSystemName, plural, recodable, SECTION_LABEL } from "./text";

/** What a row's buttons do; the screen makes the calls. */
export interface ItemActions {
  mark(section: Section, keys: string[], state: MarkState | null, note: string | null): void;
  flag(section: Section, item: ReviewItem): void;
  reauthorise(item: ReviewItem, on: boolean): void;
  recode(section: Section, item: ReviewItem): void;
  withdrawRecode(section: Section, item: ReviewItem): void;
  open(item: ReviewItem): void;
}

const EMPTY: Record<Section, string> = {
  medications: "No medications in this record.",
  allergies: "No allergies or adverse reactions in this record.",
  degraded: "No degraded codes: every code survived the transfer.",
  attachments: "No documents in this record.",
};

function Badge({ tone, children, title }: { tone: string; children: ReactNode; title?: string }) {
  return (
    <span className={`rv-badge rv-badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const Nopat = () => (
  <Badge tone="neutral" title="Not visible to the patient online (NOPAT)">
    NOPAT
  </Badge>
);

const date = (d: string | null) => (d ? formatPartialDate(d) : null);

function MedicationBody({ m, reauthorised }: { m: MedicationItem; reauthorised: boolean }) {
  const stopped = m.status === "stopped" || m.discontinued !== null;
  return (
    <>
      <div className="rv-item-title">
        <span className="rv-title">{m.drug}</span>
        <Badge tone="plain">{m.kind === "repeat" ? "Repeat" : m.kind === "acute" ? "Acute" : m.kind}</Badge>
        {m.current ? (
          <Badge tone="current">Current</Badge>
        ) : m.status === "deactivated" ? (
          <Badge tone="warn" title="Integration stopped this repeat until a prescriber re-authorises it">
            Stopped at integration
          </Badge>
        ) : (
          <Badge tone="neutral">{stopped ? "Past · stopped" : "Past"}</Badge>
        )}
        {m.needsReauthorisation &&
          (reauthorised ? (
            <Badge tone="done">Re-authorised</Badge>
          ) : (
            <Badge tone="warn" title="Integration stops this repeat until a prescriber re-authorises it">
              Needs re-authorisation
            </Badge>
          ))}
        {m.degraded && (
          <Badge tone="warn" title="The drug's code did not survive the transfer">
            Degraded
          </Badge>
        )}
        {m.nopat && <Nopat />}
      </div>
      <dl className="rv-kv">
        {m.dosage && <Fact label="Dosage">{m.dosage}</Fact>}
        {m.quantity && <Fact label="Quantity">{m.quantity}</Fact>}
        <Fact label="Last issued">{date(m.lastIssue) ?? "Never issued"}</Fact>
        <Fact label="Issues">{m.issueCount}</Fact>
        {m.repeatsAuthorised !== null && <Fact label="Repeats authorised">{m.repeatsAuthorised}</Fact>}
        {m.start && <Fact label="Started">{date(m.start)}</Fact>}
        {m.expiry && <Fact label="Review by">{date(m.expiry)}</Fact>}
        {m.discontinued && (
          <Fact label="Stopped">
            {date(m.discontinued)}
            {m.discontinuationReason && ` — ${m.discontinuationReason}`}
          </Fact>
        )}
        {m.code && (
          <Fact label="Code">
            {m.code}
            {m.codeSystem && <span className="sub"> {codeSystemName(m.codeSystem)}</span>}
          </Fact>
        )}
      </dl>
      {m.issues.length > 0 && (
        <details className="rv-issues">
          <summary>Show {plural(m.issues.length, "issue", "issues")}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Issued</th>
                <th scope="col">Quantity</th>
              </tr>
            </thead>
            <tbody>
              {m.issues.map((i, n) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: issues have no id; the list never reorders
                <tr key={n}>
                  <td>{date(i.issued) ?? "Date not given"}</td>
                  <td>{i.quantity ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

const ALLERGY_KIND: Record<string, string> = {
  drug: "Drug allergy",
  nonDrug: "Non-drug allergy",
  possible: "Possible allergy",
};

function AllergyBody({ a }: { a: AllergyItem }) {
  return (
    <>
      <div className="rv-item-title">
        <span className="rv-title">{a.degraded && a.originalTerm ? a.originalTerm : a.term}</span>
        {a.blocksPrescribing && (
          <Badge tone="danger" title="A degraded drug allergy: prescribing is blocked until it is recoded">
            Blocks prescribing
          </Badge>
        )}
        <Badge tone={a.kind === "possible" ? "warn" : "plain"}>{ALLERGY_KIND[a.kind] ?? a.kind}</Badge>
        {a.degraded && <Badge tone={a.blocksPrescribing ? "danger-soft" : "warn"}>Degraded</Badge>}
        {a.nopat && <Nopat />}
      </div>
      <dl className="rv-kv">
        {a.allergen && <Fact label="Allergen">{a.allergen}</Fact>}
        {a.reaction && <Fact label="Reaction">{a.reaction}</Fact>}
        <Fact label="Onset">{date(a.onset) ?? "Not recorded"}</Fact>
        {a.degraded && <Fact label="Original term">{a.originalTerm ?? "Not given"}</Fact>}
        {a.degraded ? (
          <Fact label="Received as">
            {a.term}
            {a.code && <span className="sub"> {a.code}</span>}
          </Fact>
        ) : (
          a.code && (
            <Fact label="Code">
              {a.code}
              {a.codeSystem && <span className="sub"> {codeSystemName(a.codeSystem)}</span>}
            </Fact>
          )
        )}
        {a.notes && <Fact label="Notes">{a.notes}</Fact>}
      </dl>
    </>
  );
}

function DegradedBody({ d }: { d: DegradedItem }) {
  return (
    <>
      <div className="rv-item-title">
        <span className="rv-title">{d.originalTerm ?? d.entryTerm ?? d.kindLabel}</span>
        <Badge tone={d.kind === "drug_allergy" ? "danger" : "warn"}>{d.kindLabel}</Badge>
        {d.nopat && <Nopat />}
      </div>
      <dl className="rv-kv">
        <Fact label="Original term">{d.originalTerm ?? "Not given"}</Fact>
        <Fact label="Original code">
          {d.originalCode ?? "Not given"}
          {d.originalCodeSystem && <span className="sub"> {codeSystemName(d.originalCodeSystem)}</span>}
        </Fact>
        <Fact label="Received in its place">
          {d.receivedCode ?? "No code"}
          {d.entryTerm && <span className="sub"> {d.entryTerm}</span>}
        </Fact>
        <Fact label="Entry date">{date(d.effective) ?? "Not recorded"}</Fact>
      </dl>
    </>
  );
}

function AttachmentBody({ a }: { a: AttachmentItem }) {
  return (
    <>
      <div className="rv-item-title">
        <span className="rv-title">{a.title}</span>
        {a.missing ? (
          a.fromThisTransfer ? (
            <Badge tone="warn" title="The sending practice made this placeholder: ask them for the file">
              Chase: created by this transfer
            </Badge>
          ) : (
            <Badge tone="neutral" title="The file was already missing when the previous practice received it">
              From an earlier transfer
            </Badge>
          )
        ) : null}
        {a.missing && <Badge tone="danger-soft">Missing</Badge>}
        {a.nopat && <Nopat />}
      </div>
      <dl className="rv-kv">
        {(a.fileName ?? a.placeholderOriginalName) && (
          <Fact label="File">
            <span className="rv-break">{a.fileName ?? a.placeholderOriginalName}</span>
          </Fact>
        )}
        {a.mediaType && <Fact label="Type">{a.mediaType}</Fact>}
        {a.sizeBytes !== null && <Fact label="Size">{formatBytes(a.sizeBytes)}</Fact>}
        {a.effective && <Fact label="Date">{date(a.effective)}</Fact>}
        {a.missing && (
          <Fact label="Why missing">
            {a.placeholderReason ?? "No reason given"}
            {a.placeholderReasonCode && <span className="sub"> (code {a.placeholderReasonCode})</span>}
          </Fact>
        )}
        {a.missing && <Fact label="Placeholder by">{a.placeholderOds ?? "Practice not named"}</Fact>}
      </dl>
    </>
  );
}

function Body({ item }: { item: ReviewItem }) {
  const b = item.body;
  switch (b.type) {
    case "medication":
      return <MedicationBody m={b} reauthorised={item.intentions.some((i) => i.kind === "reauthorise")} />;
    case "allergy":
      return <AllergyBody a={b} />;
    case "degraded":
      return <DegradedBody d={b} />;
    case "attachment":
      return <AttachmentBody a={b} />;
  }
}

function MarkView({ item }: { item: ReviewItem }) {
  const m = item.mark;
  if (!m) return <div className="rv-mark rv-mark-none">Not reviewed yet</div>;
  if (m.state === "reviewed") {
    return (
      <div className="rv-mark rv-mark-reviewed" data-testid="item-mark">
        <strong>Reviewed ✓</strong> <span className="rv-mark-by">by {m.by}</span>
        <span className="rv-mark-at">{formatInstant(m.at)}</span>
      </div>
    );
  }
  return (
    <div className="rv-mark rv-mark-flagged" data-testid="item-mark">
      <strong>Flagged</strong> <span className="rv-mark-by">by {m.by}</span>
      <span className="rv-mark-at">{formatInstant(m.at)}</span>
      {m.note && <span className="rv-mark-note">“{m.note}”</span>}
    </div>
  );
}

function Intentions({ item }: { item: ReviewItem }) {
  if (item.intentions.length === 0) return null;
  return (
    <ul className="rv-intentions" data-testid="item-intentions">
      {item.intentions.map((i) => (
        <li key={i.kind}>
          {i.kind === "reauthorise" ? (
            <>Re-authorise (by {i.by})</>
          ) : (
            <>
              Recode → {i.code} {i.term} (by {i.by})
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function Actions({
  section,
  item,
  permissions,
  actions,
}: {
  section: Section;
  item: ReviewItem;
  permissions: Permissions;
  actions: ItemActions;
}) {
  const b = item.body;
  const activeRepeat = b.type === "medication" && b.needsReauthorisation;
  const reauthorised = item.intentions.some((i) => i.kind === "reauthorise");
  const recode = item.intentions.find((i) => i.kind === "recode");
  return (
    <div className="rv-actions">
      {b.type === "attachment" && !b.missing && b.attachmentId !== null && (
        <button type="button" className="rv-btn rv-btn-primary" onClick={() => actions.open(item)}>
          Open
        </button>
      )}
      {item.mark?.state !== "reviewed" && (
        <button
          type="button"
          className="rv-btn"
          onClick={() => actions.mark(section, [item.key], "reviewed", null)}
        >
          Mark reviewed
        </button>
      )}
      <button type="button" className="rv-btn" onClick={() => actions.flag(section, item)}>
        Flag…
      </button>
      {item.mark && (
        <button
          type="button"
          className="rv-btn rv-btn-quiet"
          onClick={() => actions.mark(section, [item.key], null, null)}
        >
          Clear
        </button>
      )}
      {activeRepeat &&
        (permissions.reauthorise ? (
          <button
            type="button"
            className={reauthorised ? "rv-btn rv-btn-on" : "rv-btn"}
            aria-pressed={reauthorised}
            aria-label="Re-authorise"
            onClick={() => actions.reauthorise(item, !reauthorised)}
          >
            {reauthorised ? "✓ Re-authorise" : "Re-authorise"}
          </button>
        ) : (
          <span className="rv-why">Only a prescriber can re-authorise</span>
        ))}
      {recodable(item) &&
        (permissions.recode ? (
          <>
            <button type="button" className="rv-btn" onClick={() => actions.recode(section, item)}>
              {recode ? "Change recode…" : "Propose recode…"}
            </button>
            {recode && (
              <button
                type="button"
                className="rv-btn rv-btn-quiet"
                onClick={() => actions.withdrawRecode(section, item)}
              >
                Withdraw recode
              </button>
            )}
          </>
        ) : (
          <span className="rv-why">Only a clinician can propose a recode</span>
        ))}
    </div>
  );
}

export function SectionList({
  section,
  page,
  error,
  progress,
  cursor,
  onCursor,
  permissions,
  readOnly,
  actions,
  listRef,
}: {
  section: Section;
  page: SectionPage | undefined;
  error: string | null;
  progress: SectionProgress | undefined;
  cursor: number;
  onCursor: (i: number) => void;
  permissions: Permissions;
  /** The record is decided: its review can no longer change. */
  readOnly: boolean;
  actions: ItemActions;
  listRef: RefObject<HTMLTableElement | null>;
}) {
  const items = page?.items ?? [];
  const unmarked = items.filter((i) => i.mark === null).map((i) => i.key);
  return (
    <div className="rv-section" data-section={section}>
      <div className="rv-section-head">
        <div className="rv-section-title">
          <h2>{SECTION_LABEL[section]}</h2>
          {progress && (
            <div className="rv-section-progress">
              <ProgressBar seen={progress.seen} total={progress.total} />
              <span className={progress.complete ? "rv-done" : undefined}>
                {progress.seen} of {progress.total} seen{progress.complete ? " ✓" : ""}
                {progress.flagged > 0 && ` · ${progress.flagged} flagged`}
              </span>
            </div>
          )}
        </div>
        {!readOnly && page && (
          <button
            type="button"
            className="rv-btn rv-btn-primary"
            disabled={unmarked.length === 0}
            onClick={() => actions.mark(section, unmarked, "reviewed", null)}
          >
            Mark all reviewed
          </button>
        )}
      </div>
      {readOnly && (
        <p className="rv-readonly">This record has been decided; its review can no longer change.</p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p className="muted rv-pad">Loading {SECTION_LABEL[section].toLowerCase()}…</p>}
      {page && items.length === 0 && <p className="muted rv-pad">{EMPTY[section]}</p>}
      {items.length > 0 && (
        <table className="rv-items" aria-label={SECTION_LABEL[section]} ref={listRef}>
          <tbody>
            {items.map((item, i) => {
              const mark = item.mark?.state ?? "";
              const danger =
                (item.body.type === "allergy" && item.body.blocksPrescribing) ||
                (item.body.type === "degraded" && item.body.kind === "drug_allergy");
              return (
                <tr
                  key={item.key}
                  tabIndex={-1}
                  aria-selected={i === cursor}
                  data-testid="review-item"
                  data-key={item.key}
                  data-mark={mark}
                  className={`rv-item rv-item-${mark || "none"}${i === cursor ? " rv-cursor" : ""}${danger ? " rv-item-danger" : ""}`}
                  onFocus={() => onCursor(i)}
                >
                  <td className="rv-item-main">
                    <Body item={item} />
                  </td>
                  <td className="rv-item-side">
                    <MarkView item={item} />
                    <Intentions item={item} />
                    {!readOnly && (
                      <Actions section={section} item={item} permissions={permissions} actions={actions} />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
