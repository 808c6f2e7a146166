//! Synthetic GP2GP messages: realistic, deterministic and unmistakably fake patient records that
//! the [`gp2gp`](../gp2gp/index.html) reader reads back exactly. For tests, benchmarks, demos and
//! the inbox's sample data. No IO: bytes and plans out.
//!
//! # Overview
//!
//! - [`RecordPlan::generate`] decides, from a [`Seed`], a [`Size`], a supplier [`Style`] and an
//!   [`Interaction`], everything a record will contain: the [`Patient`] and the [`Registration`]
//!   the gaining practice holds, the practices, the agent directory, and compositions over the
//!   years with observations, problems (LinkSets) and their linked entries, pathology reports,
//!   allergies, medication courses (authorisations, issues, re-authorisations, discontinuations),
//!   documents, recalls, referrals, transfer-degraded entries and NOPAT entries.
//! - [`RecordPlan::expected`] says what the reader must count in it ([`Expected`], the 14 counts of
//!   `gp2gp::Counts`).
//! - [`write_extract`] writes a plan as an `RCMR_IN030000UK06`/`UK07` document in the plan's style
//!   (EMIS Web, SystmOne, Vision: id forms, code systems, quirks such as the EMIS byte order mark).
//! - A [`Container`] packages it: bare XML, ebXML + `multipart/related` MIME with the documents as
//!   small real files ([`files`]: PDF, PNG, TIFF, RTF, text) and `AbsentAttachment` placeholders,
//!   or the messaging adaptor's JSON. With a [`Split`], documents travel as a large message: the
//!   core names a COPC fragment index by `mid:`, which names its fragments ([`large_message`]).
//! - [`generate`] makes one record's files from a [`Spec`] ([`GeneratedFile`]: name, bytes, expected
//!   counts and the inbox [`Outcome`]); [`records`] is an iterator over many records, made one at a
//!   time, so a run of 10,000 records holds only one in memory. A [`Scenario`] names a situation the
//!   inbox must handle (degraded drug allergy, many repeats, returning patient, wrong patient, large
//!   message with a missing fragment, placeholders from this or an earlier transfer, duplicate
//!   extract, NOPAT entries, huge record, garbled file).
//! - [`Vocabulary`] is the generator's own small vocabulary; every clinical code is made up and
//!   marked as such ([`vocab::synthetic_sctid`]).
//!
//! Everything is a pure function of the seed: the same seed gives the same bytes on every machine
//! ([`Rng`] is SplitMix64, written here).
//!
//! # What makes it unmistakably synthetic
//!
//! NHS numbers come from the `999` test range (with a valid modulus-11 check digit); patients'
//! family names end in `-SYNTHETIC`; practices are `SYN` + three digits, named "... Synthetic Test
//! Surgery (not a real practice)"; postcodes are in `ZZ99`; SNOMED-style ids start `999`; Read-style
//! codes start `Y`.
//!
//! # Glossary
//!
//! - *plan*: what a record will contain, before it is written ([`RecordPlan`]).
//! - *entry*: one top-level statement of a composition ([`Entry`]); the unit of [`Size`].
//! - *style*: the supplier whose habits the message copies (ids, code systems, quirks; format §18).
//! - *expected*: the counts the reader must report for a generated message ([`Expected`]).
//! - *outcome*: where the inbox pipeline must file the message ([`Outcome`]).
//! - *degraded*: an entry sent with a "Transfer-degraded ..." code and its original term.
//! - *placeholder*: an `AbsentAttachment<id>.txt` document link in place of a file.
//! - *NOPAT*: a confidentiality code hiding an entry from the patient (UK07 only).
//! - *large message*: a core whose attachments follow as COPC messages; a *fragment index* lists
//!   one attachment's *fragments*, each a slice of its base64 text.
//! - *losing / gaining practice*: the practice sending the record ([`RecordPlan::sender`]) / the
//!   practice receiving it ([`RecordPlan::receiver`]).

mod container;
pub mod files;
mod hl7;
mod large;
mod patient;
mod plan;
mod rng;
mod time;
pub mod vocab;

pub use container::{
    attachments, envelope, envelope_with, inline_references, json, json_with, mime, mime_with, Attachment,
    Container, Reference,
};
pub use hl7::{absent_name, write_extract};
pub use large::{copc_payload, large_message, Split};
pub use patient::{
    is_valid_nhs_number, nhs_check_digit, test_nhs_number, Address, Agent, Patient, Practice, Registration,
    Sex,
};
pub use plan::{
    CompositionKind, CompositionPlan, DrugRef, Entry, EntryKind, Expected, Interaction, Measured, MessageIds,
    Options, PlaceholderOrigin, Prescription, RecordPlan, Size, Style,
};
pub use rng::{Rng, Seed};
pub use time::{Date, DateTime};
pub use vocab::Vocabulary;

/// Where the inbox pipeline must file a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Read and stored as (part of) a record.
    Stored,
    /// A core whose large-message parts have not all arrived.
    AwaitingAttachments,
    /// The same bytes or the same extract again.
    Duplicate,
    /// Not readable: moved to quarantine with a reason.
    Quarantined,
}

/// One file of a generated record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// A file name for it (unique within a run).
    pub name: String,
    pub bytes: Vec<u8>,
    /// What the reader must count, for a file holding an EhrExtract.
    pub expected: Option<Expected>,
    /// Where the inbox files it when the record's files arrive in the order given (a large
    /// message's core awaits its attachments; its COPC parts are stored with it).
    pub outcome: Outcome,
}

/// What to generate for each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub size: Size,
    /// A fixed style, or `None` to take each record's style from its seed.
    pub style: Option<Style>,
    /// A fixed interaction, or `None` to take it from the seed.
    pub interaction: Option<Interaction>,
    pub container: Container,
    pub options: Options,
    /// Send real documents as a large message (fragment indexes and fragments).
    pub split: Option<Split>,
    /// A named situation the inbox must handle; adjusts the rest of the spec ([`Scenario::spec`]).
    pub scenario: Scenario,
}

/// Named situations the inbox must handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// A record as the spec says, nothing special.
    Ordinary,
    /// A drug allergy sent transfer-degraded: prescribing must wait for review.
    DegradedDrugAllergy,
    /// Many repeat courses (with re-authorisations) for the practice to re-authorise.
    ManyRepeats,
    /// The patient returns to the practice that once sent the record away (A-B-A): placeholders in
    /// the record were created by the gaining practice's own earlier transfer.
    ReturningPatient,
    /// The registration the practice holds is another person: NHS number and name differ.
    WrongPatient,
    /// Documents sent as a large message: core, fragment indexes, fragments.
    LargeMessage,
    /// A large message with one fragment never sent: the core stays awaiting attachments.
    MissingFragment,
    /// Placeholders created by this transfer (the sending practice) for documents it could not send.
    PlaceholdersThisTransfer,
    /// Placeholders created by an earlier transfer from a third practice, passed on as documents.
    PlaceholdersEarlierTransfer,
    /// The same extract arrives twice.
    DuplicateExtract,
    /// A UK07 record with many NOPAT compositions and entries.
    NopatEntries,
    /// 20,000 entries; in the MIME or JSON container about 100 MB with its documents.
    HugeRecord,
    /// A file damaged in transit that must end in quarantine.
    Garbled,
}

impl Scenario {
    pub const ALL: [Scenario; 13] = [
        Scenario::Ordinary,
        Scenario::DegradedDrugAllergy,
        Scenario::ManyRepeats,
        Scenario::ReturningPatient,
        Scenario::WrongPatient,
        Scenario::LargeMessage,
        Scenario::MissingFragment,
        Scenario::PlaceholdersThisTransfer,
        Scenario::PlaceholdersEarlierTransfer,
        Scenario::DuplicateExtract,
        Scenario::NopatEntries,
        Scenario::HugeRecord,
        Scenario::Garbled,
    ];

    /// The scenario's name on the command line (`degraded-drug-allergy`).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Ordinary => "ordinary",
            Scenario::DegradedDrugAllergy => "degraded-drug-allergy",
            Scenario::ManyRepeats => "many-repeats",
            Scenario::ReturningPatient => "returning-patient",
            Scenario::WrongPatient => "wrong-patient",
            Scenario::LargeMessage => "large-message",
            Scenario::MissingFragment => "missing-fragment",
            Scenario::PlaceholdersThisTransfer => "placeholders-this-transfer",
            Scenario::PlaceholdersEarlierTransfer => "placeholders-earlier-transfer",
            Scenario::DuplicateExtract => "duplicate-extract",
            Scenario::NopatEntries => "nopat-entries",
            Scenario::HugeRecord => "huge-record",
            Scenario::Garbled => "garbled-file",
        }
    }

    /// The scenario named `name` (as [`Scenario::name`] writes it).
    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// What a trainer shows with it, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Scenario::Ordinary => "An ordinary record with a few years of consultations, medication and allergies.",
            Scenario::DegradedDrugAllergy => "A drug allergy sent transfer-degraded, so prescribing must wait until it is reviewed.",
            Scenario::ManyRepeats => "Many repeat medications, every active one to be re-authorised.",
            Scenario::ReturningPatient => "A patient returning to this practice (A-B-A): the placeholders were made by this practice's own earlier transfer.",
            Scenario::WrongPatient => "The record is not for the patient the practice registered: name and NHS number differ.",
            Scenario::LargeMessage => "Documents sent as a large message, in fragments that are put back together.",
            Scenario::MissingFragment => "A large message with one fragment never sent: the record waits for its attachments.",
            Scenario::PlaceholdersThisTransfer => "Documents the sending practice could not include, replaced by placeholders.",
            Scenario::PlaceholdersEarlierTransfer => "Placeholders passed on from an earlier transfer at a third practice.",
            Scenario::DuplicateExtract => "The same record arrives twice and is filed once.",
            Scenario::NopatEntries => "Entries marked not to be shown to the patient (NOPAT).",
            Scenario::HugeRecord => "A 20,000-entry record of about 100 MB with its documents.",
            Scenario::Garbled => "A file damaged in transit, which ends in quarantine with the reason.",
        }
    }

    /// `base` adjusted for this scenario.
    pub fn spec(self, base: Spec) -> Spec {
        let mut s = base;
        s.scenario = self;
        let o = &mut s.options;
        match self {
            Scenario::Ordinary | Scenario::WrongPatient | Scenario::DuplicateExtract | Scenario::Garbled => {}
            Scenario::DegradedDrugAllergy => o.degraded_drug_allergy = true,
            Scenario::ManyRepeats => o.many_repeats = true,
            Scenario::ReturningPatient => {
                o.placeholders = PlaceholderOrigin::Returning;
                o.placeholders_at_least = o.placeholders_at_least.max(1);
                // The placeholder files say who made them; a bare document cannot carry them.
                if s.container == Container::BareXml {
                    s.container = Container::EbXmlMime;
                }
            }
            Scenario::LargeMessage | Scenario::MissingFragment => {
                o.documents_at_least = o.documents_at_least.max(2);
                if s.container == Container::BareXml {
                    s.container = Container::EbXmlMime;
                }
                s.split = Some(Split {
                    drop_fragment: (self == Scenario::MissingFragment).then_some(1),
                    ..s.split.unwrap_or_default()
                });
            }
            Scenario::PlaceholdersThisTransfer | Scenario::PlaceholdersEarlierTransfer => {
                o.placeholders = if self == Scenario::PlaceholdersThisTransfer {
                    PlaceholderOrigin::ThisTransfer
                } else {
                    PlaceholderOrigin::EarlierTransfer
                };
                o.absent_percent = 100;
                o.placeholders_at_least = o.placeholders_at_least.max(2);
                if s.container == Container::BareXml {
                    s.container = Container::EbXmlMime;
                }
            }
            Scenario::NopatEntries => {
                s.interaction = Some(Interaction::Uk07);
                o.nopat_percent = o.nopat_percent.max(20);
            }
            Scenario::HugeRecord => {
                // About 100 MB in the MIME or JSON container (documents as larger scans).
                s.size.entries = s.size.entries.max(20_000);
                o.image_scale = o.image_scale.max(10);
            }
        }
        s
    }
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            size: Size { entries: 60 },
            style: None,
            interaction: None,
            container: Container::BareXml,
            options: Options::default(),
            split: None,
            scenario: Scenario::Ordinary,
        }
    }
}

/// A generated record: its plan (with patient and registration) and its files.
#[derive(Debug, Clone)]
pub struct GeneratedRecord {
    pub plan: RecordPlan,
    pub files: Vec<GeneratedFile>,
}

/// Generates one record from `seed`. The spec's scenario is applied first ([`Scenario::spec`]).
pub fn generate(seed: Seed, spec: &Spec) -> GeneratedRecord {
    let spec = spec.scenario.spec(*spec);
    let mut rng = Rng::new(seed.derive(0));
    let style = spec.style.unwrap_or_else(|| rng.pick(&Style::ALL));
    let interaction = spec.interaction.unwrap_or(if rng.percent(50) {
        Interaction::Uk06
    } else {
        Interaction::Uk07
    });
    let mut plan = RecordPlan::generate(seed, spec.size, style, interaction, spec.options);
    if spec.scenario == Scenario::WrongPatient {
        // The practice registered someone else: another synthetic person entirely.
        let other = Patient::generate(&mut rng, plan.registration.registered);
        plan.registration = other.registration(&plan.receiver, plan.registration.registered);
    }
    let expected = plan.expected();
    let hl7 = write_extract(&plan);
    let ext = spec.container.extension();
    let name = format!("{}_{}.{ext}", plan.patient.nhs_number, plan.ids.extract);
    let mut files = if let Some(split) = spec.split {
        large_message(&plan, &hl7, attachments(&plan), spec.container, split, expected)
    } else {
        let bytes = match spec.container {
            Container::BareXml => hl7.into_bytes(),
            Container::EbXmlMime => mime(&plan, &hl7, &attachments(&plan)),
            Container::MhsJson => json(&plan, &hl7, &attachments(&plan)),
        };
        vec![GeneratedFile {
            name,
            bytes,
            expected: Some(expected),
            outcome: Outcome::Stored,
        }]
    };
    match spec.scenario {
        Scenario::DuplicateExtract => {
            let mut again = files[0].clone();
            again.name = format!("again_{}", again.name);
            again.outcome = Outcome::Duplicate;
            files.push(again);
        }
        Scenario::ReturningPatient => {
            // The patient was registered here before: the record this practice received then
            // (from a third practice, about four years earlier) is already in the store.
            let mut options = spec.options;
            options.placeholders = PlaceholderOrigin::ThisTransfer;
            options.sent_on = Some(plan.created.date().add_days(-4 * 365));
            let mut earlier = RecordPlan::generate_for(
                seed.derive(9),
                spec.size,
                style,
                interaction,
                options,
                &plan.patient,
            );
            earlier.registration = plan.registration.clone();
            earlier.receiver = plan.receiver.clone();
            let expected = earlier.expected();
            let hl7 = write_extract(&earlier);
            let bytes = match spec.container {
                Container::BareXml => hl7.into_bytes(),
                Container::EbXmlMime => mime(&earlier, &hl7, &attachments(&earlier)),
                Container::MhsJson => json(&earlier, &hl7, &attachments(&earlier)),
            };
            files.insert(
                0,
                GeneratedFile {
                    name: format!(
                        "earlier_{}_{}.{ext}",
                        earlier.patient.nhs_number, earlier.ids.extract
                    ),
                    bytes,
                    expected: Some(expected),
                    outcome: Outcome::Stored,
                },
            );
        }
        Scenario::Garbled => {
            // Queue framing junk where the message should start, then only the second half of it.
            let f = &mut files[0];
            let half = f.bytes.len() / 2;
            let mut bytes = b"\x00\x53\x00\x75\xef\xbf\xbd\xef\xbf\xbdGARBLED IN TRANSIT ".to_vec();
            bytes.extend_from_slice(&f.bytes[half..]);
            f.name = format!("garbled_{}", f.name);
            f.bytes = bytes;
            f.expected = None;
            f.outcome = Outcome::Quarantined;
        }
        _ => {}
    }
    GeneratedRecord { plan, files }
}

/// `count` records from one run seed, made one at a time.
pub fn records(seed: Seed, count: usize, spec: Spec) -> Records {
    Records {
        seed,
        next: 0,
        count,
        spec,
    }
}

/// The iterator of [`records`].
#[derive(Debug, Clone)]
pub struct Records {
    seed: Seed,
    next: usize,
    count: usize,
    spec: Spec,
}

impl Iterator for Records {
    type Item = GeneratedRecord;

    fn next(&mut self) -> Option<GeneratedRecord> {
        if self.next >= self.count {
            return None;
        }
        let r = generate(self.seed.derive(self.next as u64 + 1), &self.spec);
        self.next += 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.count - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Records {}
