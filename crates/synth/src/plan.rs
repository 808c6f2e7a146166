//! What a record will contain, decided from a seed, a size and a supplier style before a byte is
//! written; and what the reader must count in it ([`Expected`]).

use crate::patient::{Agent, Patient, Practice, Registration};
use crate::rng::{Rng, Seed};
use crate::time::{Date, DateTime};
use crate::vocab::{AllergyClass, Concept, ConceptList, Measurement, Vocabulary};

/// The clinical system whose habits the message copies (format §18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// EMIS Web: upper-case GUIDs, Read v2 with SNOMED translations, EMIS drug codes, separate
    /// issue and discontinuation statements, `center nullFlavor="NI"`.
    Emis,
    /// TPP SystmOne: long decimal ids, CTV3 with SNOMED translations, 8-digit drug codes.
    SystmOne,
    /// Vision 3: lower-case GUIDs, Read-style codes in the Vision scheme.
    Vision,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Emis, Style::SystmOne, Style::Vision];

    pub fn software(self) -> &'static str {
        match self {
            Style::Emis => "EMIS Web",
            Style::SystmOne => "SystmOne",
            Style::Vision => "Vision 3",
        }
    }
}

/// The HL7 interaction of the core message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interaction {
    /// `RCMR_IN030000UK06`: no confidentiality codes.
    Uk06,
    /// `RCMR_IN030000UK07`: allows NOPAT on compositions and statements.
    Uk07,
}

impl Interaction {
    pub fn name(self) -> &'static str {
        match self {
            Interaction::Uk06 => "RCMR_IN030000UK06",
            Interaction::Uk07 => "RCMR_IN030000UK07",
        }
    }
}

/// How big a record to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Clinical entries (observations, problems, allergies, authorisations, issues, documents...):
    /// the plan stops adding consultations once it has at least this many.
    pub entries: usize,
}

/// What to put in a record beyond its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Percent of clinical entries sent transfer-degraded.
    pub degraded_percent: u64,
    /// Percent of compositions and entries marked NOPAT (UK07 only).
    pub nopat_percent: u64,
    /// Percent of documents sent as AbsentAttachment placeholders.
    pub absent_percent: u64,
    /// Make the first allergy a drug allergy sent transfer-degraded (the gaining practice must
    /// review it before prescribing).
    pub degraded_drug_allergy: bool,
    /// Weight prescribing towards repeat courses (many to re-authorise).
    pub many_repeats: bool,
    /// Documents made whatever the size (real files, not placeholders).
    pub documents_at_least: usize,
    /// Absent documents (placeholders) made whatever the size.
    pub placeholders_at_least: usize,
    /// Who created the placeholders of absent documents: this transfer, or an earlier one.
    pub placeholders: PlaceholderOrigin,
    /// Side multiplier of scanned images (PNG, TIFF): 1 gives a few KB, 40 about 5 MB a scan.
    pub image_scale: u32,
    /// The day the record is sent (days since 1970-01-01); by default a day in 2026 chosen by the
    /// seed. Training sets it near the real date so the 8-day window looks as it would live.
    pub sent_on: Option<Date>,
}

/// Which transfer created a record's `AbsentAttachment` placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceholderOrigin {
    /// The sending practice, for this transfer.
    ThisTransfer,
    /// An earlier transfer from a third practice; the placeholder travels on as a document.
    EarlierTransfer,
    /// An earlier transfer from the gaining practice itself (the patient is returning: A-B-A).
    Returning,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            degraded_percent: 4,
            nopat_percent: 3,
            absent_percent: 20,
            degraded_drug_allergy: false,
            many_repeats: false,
            documents_at_least: 0,
            placeholders_at_least: 0,
            placeholders: PlaceholderOrigin::ThisTransfer,
            image_scale: 1,
            sent_on: None,
        }
    }
}

/// Ids of the message and its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageIds {
    pub conversation: String,
    /// The ebXML MessageId.
    pub message: String,
    /// The HL7 wrapper id.
    pub hl7: String,
    pub extract: String,
    pub request: String,
    pub folder: String,
    /// The extract's limitation specification id.
    pub limitation: String,
}

/// A whole record, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPlan {
    pub seed: Seed,
    pub options: Options,
    pub style: Style,
    pub interaction: Interaction,
    pub patient: Patient,
    pub registration: Registration,
    /// The losing practice (sender of the extract).
    pub sender: Practice,
    /// The gaining practice (the inbox's).
    pub receiver: Practice,
    pub ids: MessageIds,
    pub created: DateTime,
    /// The start of the record (registration at the losing practice or birth).
    pub start: Date,
    pub agents: Vec<Agent>,
    pub compositions: Vec<CompositionPlan>,
}

/// What kind of event a composition records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompositionKind {
    Surgery,
    Telephone,
    HomeVisit,
    /// Data entered outside a consultation (letters, results, allergies).
    NonConsultation,
    /// Prescribing outside a consultation (authorisations, issues, discontinuations).
    Medication,
}

impl CompositionKind {
    /// SNOMED code and display name of the composition type (structural codes from format §7),
    /// and the name the clinician saw (EMIS writes it as `originalText`).
    pub fn code(self) -> (&'static str, &'static str, &'static str) {
        match self {
            CompositionKind::Surgery => ("25671000000102", "Surgery Consultation Note", "GP Surgery"),
            CompositionKind::Telephone => ("25671000000102", "Surgery Consultation Note", "Telephone call"),
            CompositionKind::HomeVisit => ("24631000000103", "Residential Home Visit Note", "Home visit"),
            CompositionKind::NonConsultation => {
                ("196401000000100", "Non-consultation data", "Administration")
            }
            CompositionKind::Medication => (
                "196391000000103",
                "Non-consultation medication data",
                "Medication Course Commence",
            ),
        }
    }
}

/// One ehrComposition.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositionPlan {
    pub id: String,
    pub kind: CompositionKind,
    pub time: DateTime,
    /// Index into [`RecordPlan::agents`].
    pub author: usize,
    pub nopat: bool,
    pub entries: Vec<Entry>,
}

/// One top-level statement of a composition.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub nopat: bool,
    pub kind: EntryKind,
}

/// A value with its unit and normal range.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub value: String,
    pub unit: &'static str,
    pub low: String,
    pub high: String,
    /// `HI`, `LO` or none.
    pub flag: Option<&'static str>,
}

impl Measured {
    fn draw(rng: &mut Rng, m: &Measurement) -> Measured {
        let x = m.min + (m.max - m.min) * (rng.below(10_001) as f64 / 10_000.0);
        let f = |v: f64| format!("{v:.*}", usize::from(m.decimals));
        let flag = if x > m.high {
            Some("HI")
        } else if x < m.low {
            Some("LO")
        } else {
            None
        };
        Measured {
            value: f(x),
            unit: m.unit,
            low: f(m.low),
            high: f(m.high),
            flag,
        }
    }
}

/// The drug of a medication statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrugRef {
    /// An item of [`Vocabulary::drugs`].
    Coded(Concept),
    /// A local item the sender could not code: sent as a transfer-degraded medication entry with
    /// this original term.
    Degraded(&'static str),
}

impl DrugRef {
    pub fn term(self) -> &'static str {
        match self {
            DrugRef::Coded(c) => c.term,
            DrugRef::Degraded(t) => t,
        }
    }
}

/// The medication content shared by a course's statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Prescription {
    pub drug: DrugRef,
    pub unit: &'static str,
    pub quantity: u32,
    pub dosage: &'static str,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryKind {
    /// A coded observation, with a value or not; `degraded` is the original term of an entry sent
    /// as a transfer-degraded record entry.
    Observation {
        concept: Concept,
        value: Option<Measured>,
        degraded: Option<&'static str>,
    },
    /// Free text.
    Narrative { text: String },
    /// A LinkSet problem naming an observation (`named`, an entry id) and linking others.
    Problem {
        named: String,
        linked: Vec<String>,
        active: bool,
        significant: bool,
        onset: Date,
    },
    /// An allergy wrapper (`14L..00` / `SN53.00`) with its one observation.
    Allergy {
        observation_id: String,
        class: AllergyClass,
        allergen: Concept,
        reaction: &'static str,
        degraded: Option<&'static str>,
    },
    /// A pathology report: CLUSTER > specimen > test results.
    Report {
        specimen_id: String,
        lab_number: String,
        results: Vec<(String, Concept, Measured)>,
    },
    /// A recall (PlanStatement); degraded: original term of a transfer-degraded plan.
    Plan {
        concept: Concept,
        due: Date,
        degraded: Option<&'static str>,
    },
    /// A referral (RequestStatement); degraded: original term of a transfer-degraded referral.
    Referral {
        concept: Concept,
        urgent: bool,
        degraded: Option<&'static str>,
    },
    /// A course authorisation (`ehrSupplyAuthorise`); `repeats` 0 = acute.
    Authorise {
        supply_id: String,
        prescription: Prescription,
        repeats: u32,
        active: bool,
        start: Date,
        expiry: Date,
        /// The previous authorisation of the same course (re-authorisation).
        predecessor: Option<String>,
    },
    /// An issue (`ehrSupplyPrescribe`) of the authorisation `authorise`.
    Issue {
        supply_id: String,
        authorise: String,
        prescription: Prescription,
        date: Date,
    },
    /// A discontinuation (`ehrSupplyDiscontinue`) of the authorisation `authorise`.
    Discontinue {
        supply_id: String,
        authorise: String,
        prescription: Prescription,
        reason: &'static str,
    },
    /// A document: NarrativeStatement + ExternalDocument; `absent` when sent as a placeholder.
    Document {
        document_id: String,
        kind: usize,
        file_name: String,
        absent: bool,
        /// For an absent document: `<ODS>:<conversation id>` of the transfer that made the
        /// placeholder.
        placeholder_by: Option<String>,
    },
}

/// The counts the reader must report for a generated message: the 14 counts of `gp2gp::Counts`,
/// in the same order and with the same meaning (see that type).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Expected {
    pub compositions: usize,
    pub medication_courses: usize,
    pub acute_courses: usize,
    pub repeat_courses: usize,
    pub issues: usize,
    pub discontinuations: usize,
    pub allergies: usize,
    pub drug_allergies: usize,
    pub non_drug_allergies: usize,
    pub problems: usize,
    pub degraded: usize,
    pub documents: usize,
    pub absent_attachments: usize,
    pub nopat: usize,
}

impl Expected {
    /// `(key, value)` pairs in the order of `gp2gp::Counts::fields`.
    pub fn fields(&self) -> [(&'static str, usize); 14] {
        [
            ("compositions", self.compositions),
            ("medication_courses", self.medication_courses),
            ("acute_courses", self.acute_courses),
            ("repeat_courses", self.repeat_courses),
            ("issues", self.issues),
            ("discontinuations", self.discontinuations),
            ("allergies", self.allergies),
            ("drug_allergies", self.drug_allergies),
            ("non_drug_allergies", self.non_drug_allergies),
            ("problems", self.problems),
            ("degraded", self.degraded),
            ("documents", self.documents),
            ("absent_attachments", self.absent_attachments),
            ("nopat", self.nopat),
        ]
    }
}

impl RecordPlan {
    /// Number of entries (top-level statements) in the plan.
    pub fn entry_count(&self) -> usize {
        self.compositions.iter().map(|c| c.entries.len()).sum()
    }

    /// What the reader must count, by its rules: every medication statement carries its drug, so a
    /// degraded drug counts once per statement; one `confidentialityCode` per NOPAT composition or
    /// entry; an allergy is its wrapper, degraded when its observation is.
    pub fn expected(&self) -> Expected {
        let mut e = Expected {
            compositions: self.compositions.len(),
            ..Expected::default()
        };
        for c in &self.compositions {
            e.nopat += usize::from(c.nopat);
            for entry in &c.entries {
                e.nopat += usize::from(entry.nopat);
                let degraded = match &entry.kind {
                    EntryKind::Observation { degraded, .. }
                    | EntryKind::Plan { degraded, .. }
                    | EntryKind::Referral { degraded, .. } => degraded.is_some(),
                    EntryKind::Narrative { .. } | EntryKind::Report { .. } => false,
                    EntryKind::Problem { .. } => {
                        e.problems += 1;
                        false
                    }
                    EntryKind::Allergy { class, degraded, .. } => {
                        e.allergies += 1;
                        match class {
                            AllergyClass::Drug => e.drug_allergies += 1,
                            AllergyClass::NonDrug => e.non_drug_allergies += 1,
                        }
                        degraded.is_some()
                    }
                    EntryKind::Authorise {
                        prescription,
                        repeats,
                        ..
                    } => {
                        e.medication_courses += 1;
                        if *repeats == 0 {
                            e.acute_courses += 1;
                        } else {
                            e.repeat_courses += 1;
                        }
                        matches!(prescription.drug, DrugRef::Degraded(_))
                    }
                    EntryKind::Issue { prescription, .. } => {
                        e.issues += 1;
                        matches!(prescription.drug, DrugRef::Degraded(_))
                    }
                    EntryKind::Discontinue { prescription, .. } => {
                        e.discontinuations += 1;
                        matches!(prescription.drug, DrugRef::Degraded(_))
                    }
                    EntryKind::Document { absent, .. } => {
                        e.documents += 1;
                        e.absent_attachments += usize::from(*absent);
                        false
                    }
                };
                e.degraded += usize::from(degraded);
            }
        }
        e
    }

    /// Plans a record: `seed` decides everything, `size` how much, `style` whose habits.
    pub fn generate(
        seed: Seed,
        size: Size,
        style: Style,
        interaction: Interaction,
        options: Options,
    ) -> RecordPlan {
        Planner::new(seed, style, interaction, options).plan(size, None)
    }

    /// Like [`RecordPlan::generate`], for a patient already known (an earlier record of the same
    /// person): the record spans that patient's life, not a drawn one's.
    pub fn generate_for(
        seed: Seed,
        size: Size,
        style: Style,
        interaction: Interaction,
        options: Options,
        patient: &Patient,
    ) -> RecordPlan {
        Planner::new(seed, style, interaction, options).plan(size, Some(patient))
    }
}

/// A dated event that becomes one composition.
struct Event {
    time: DateTime,
    kind: CompositionKind,
    author: usize,
    entries: Vec<Entry>,
}

struct Planner {
    rng: Rng,
    seed: Seed,
    style: Style,
    interaction: Interaction,
    options: Options,
    vocab: Vocabulary,
    serial: u64,
    agents: usize,
    /// `<ODS>:<conversation>` written in this record's placeholders.
    placeholder_by: String,
}

impl Planner {
    fn new(seed: Seed, style: Style, interaction: Interaction, options: Options) -> Planner {
        Planner {
            rng: Rng::new(seed),
            seed,
            style,
            interaction,
            options,
            vocab: Vocabulary::standard(),
            serial: 0,
            agents: 1,
            placeholder_by: String::new(),
        }
    }

    /// An id in the style's form: EMIS upper-case GUIDs, TPP long decimals, Vision lower-case GUIDs.
    fn id(&mut self) -> String {
        match self.style {
            Style::Emis => self.rng.guid(),
            Style::Vision => self.rng.guid().to_ascii_lowercase(),
            Style::SystmOne => {
                self.serial += 1;
                format!("{}{:07}", 39_455_938 + (self.seed.0 % 1000), self.serial)
            }
        }
    }

    fn nopat(&mut self) -> bool {
        self.interaction == Interaction::Uk07 && self.rng.percent(self.options.nopat_percent)
    }

    fn degrade(&mut self) -> bool {
        self.rng.percent(self.options.degraded_percent)
    }

    fn entry(&mut self, kind: EntryKind) -> Entry {
        Entry {
            id: self.id(),
            nopat: self.nopat(),
            kind,
        }
    }

    fn time_on(&mut self, date: Date) -> DateTime {
        date.at(self.rng.range(8 * 3600, 18 * 3600) as i64)
    }

    fn plan(mut self, size: Size, known: Option<&Patient>) -> RecordPlan {
        // Drawn either way, so that the rest of the record is the same whatever `sent_on` says.
        let drawn = Date::from_ymd(2026, 1, 5).add_days(self.rng.below(300) as i64);
        let today = self.options.sent_on.unwrap_or(drawn);
        let created = self.time_on(today);
        let drawn_patient = Patient::generate(&mut self.rng, today);
        let patient = known.cloned().unwrap_or(drawn_patient);
        let sender = Practice::generate(&mut self.rng);
        let mut receiver = Practice::generate(&mut self.rng);
        if receiver.ods == sender.ods {
            receiver.ods = format!("SYN{}", if sender.ods == "SYN999" { "998" } else { "999" });
        }
        let registration = patient.registration(&receiver, today.add_days(-(self.rng.range(1, 20) as i64)));
        // The record spans from birth or a registration some years back, to the transfer.
        let years = self.rng.range(2, 30) as i64;
        let start = std::cmp::max(patient.birth_date, today.add_days(-years * 365));
        let ids = MessageIds {
            conversation: self.rng.guid(),
            message: self.rng.guid(),
            hl7: self.rng.guid(),
            extract: self.rng.guid(),
            request: self.rng.guid(),
            folder: self.rng.guid(),
            limitation: self.rng.guid(),
        };
        self.placeholder_by = match self.options.placeholders {
            PlaceholderOrigin::ThisTransfer => format!("{}:{}", sender.ods, ids.conversation),
            PlaceholderOrigin::EarlierTransfer => {
                let earlier = Practice::generate(&mut self.rng);
                format!("{}:{}", earlier.ods, self.rng.guid())
            }
            PlaceholderOrigin::Returning => format!("{}:{}", receiver.ods, self.rng.guid()),
        };
        let agent_count = 2 + self.rng.index(4);
        self.agents = agent_count;
        let agents: Vec<Agent> = (0..agent_count)
            .map(|_| {
                let id = self.rng.guid();
                Agent::generate(&mut self.rng, id)
            })
            .collect();

        let span = (today.0 - start.0 - 1).max(1) as u64;
        let mut events: Vec<Event> = Vec::new();
        let mut entries = 0usize;
        let vocab = self.vocab;
        // Conditions, each with its problem and monitoring, scaled with the size.
        let mut conditions: Vec<usize> = (0..vocab.conditions.len()).collect();
        let n_conditions = (1 + size.entries / 60).min(conditions.len());
        for i in 0..n_conditions {
            let j = i + self.rng.index(conditions.len() - i);
            conditions.swap(i, j);
        }
        conditions.truncate(n_conditions);
        let mut problems: Vec<(usize, usize)> = Vec::new(); // (event, entry) of each LinkSet
        let mut problem_of_condition: Vec<usize> = Vec::new();
        for &ci in &conditions {
            let date = start.add_days(self.rng.below(span) as i64);
            let concept = Concept::new(ConceptList::Condition, ci, vocab.conditions[ci].term);
            let named = self.entry(EntryKind::Observation {
                concept,
                value: None,
                degraded: None,
            });
            let active = self.rng.percent(75);
            let significant = self.rng.percent(50);
            let problem = self.entry(EntryKind::Problem {
                named: named.id.clone(),
                linked: Vec::new(),
                active,
                significant,
                onset: date,
            });
            let ev = self.event(date, CompositionKind::Surgery, vec![named, problem]);
            problem_of_condition.push(problems.len());
            problems.push((events.len(), 1));
            events.push(ev);
            entries += 2;
        }
        // Allergies: a few per record.
        let mut n_allergies = self.rng.below(2 + (size.entries / 200).min(6) as u64) as usize;
        if self.options.degraded_drug_allergy {
            n_allergies = n_allergies.max(1);
        }
        for i in 0..n_allergies {
            let date = start.add_days(self.rng.below(span) as i64);
            // The first two are one of each class, so a record with two allergies shows both.
            let class = match i {
                0 => Some(AllergyClass::Drug),
                1 => Some(AllergyClass::NonDrug),
                _ => None,
            };
            let candidates: Vec<usize> = (0..vocab.allergens.len())
                .filter(|&k| class.is_none_or(|c| vocab.allergens[k].class == c))
                .collect();
            let ai = self.rng.pick(&candidates);
            let a = vocab.allergens[ai];
            let forced = i == 0 && self.options.degraded_drug_allergy;
            let degraded = (forced || self.degrade()).then(|| match a.class {
                AllergyClass::Drug => self.rng.pick(vocab.degraded_drug_allergies),
                AllergyClass::NonDrug => self.rng.pick(vocab.degraded_non_drug_allergies),
            });
            let observation_id = self.id();
            let reaction = self.rng.pick(a.reactions);
            let e = self.entry(EntryKind::Allergy {
                observation_id,
                class: a.class,
                allergen: Concept::new(ConceptList::Allergen, ai, a.term),
                reaction,
                degraded,
            });
            let ev = self.event(date, CompositionKind::NonConsultation, vec![e]);
            events.push(ev);
            entries += 1;
        }
        for _ in 0..self.options.documents_at_least {
            let date = start.add_days(self.rng.below(span) as i64);
            entries += self.document(date, &mut events, Some(false));
        }
        for _ in 0..self.options.placeholders_at_least {
            let date = start.add_days(self.rng.below(span) as i64);
            entries += self.document(date, &mut events, Some(true));
        }
        // Consultations and everything else until the size is reached.
        while entries < size.entries {
            let date = start.add_days(self.rng.below(span) as i64);
            let mut roll = self.rng.below(100);
            if self.options.many_repeats && (15..60).contains(&roll) {
                // Mostly repeat prescribing: most consultations and acute courses become repeats.
                roll = 60;
            }
            let added = if roll < 45 {
                self.consultation(date, &conditions, &problems, &problem_of_condition, &mut events)
            } else if roll < 60 {
                self.course(date, today, &mut events, false)
            } else if roll < 70 {
                self.course(date, today, &mut events, true)
            } else if roll < 80 {
                self.report(date, &mut events)
            } else if roll < 90 {
                self.document(date, &mut events, None)
            } else {
                self.plan_or_referral(date, &mut events)
            };
            entries += added;
        }
        // Link monitoring observations to their problems (filled in by `consultation`).
        events.sort_by_key(|e| e.time);
        let compositions = events
            .into_iter()
            .map(|ev| {
                let id = self.id();
                CompositionPlan {
                    id,
                    kind: ev.kind,
                    time: ev.time,
                    author: ev.author,
                    nopat: self.nopat(),
                    entries: ev.entries,
                }
            })
            .collect();
        RecordPlan {
            seed: self.seed,
            options: self.options,
            style: self.style,
            interaction: self.interaction,
            patient,
            registration,
            sender,
            receiver,
            ids,
            created,
            start,
            agents,
            compositions,
        }
    }

    fn event(&mut self, date: Date, kind: CompositionKind, entries: Vec<Entry>) -> Event {
        Event {
            time: self.time_on(date),
            kind,
            author: 0,
            entries,
        }
        .with_author(&mut self.rng, self.agents)
    }

    fn measurement(&mut self, list: ConceptList, index: usize, m: &Measurement) -> EntryKind {
        EntryKind::Observation {
            concept: Concept::new(list, index, m.term),
            value: Some(Measured::draw(&mut self.rng, m)),
            degraded: None,
        }
    }

    fn consultation(
        &mut self,
        date: Date,
        conditions: &[usize],
        problems: &[(usize, usize)],
        problem_of_condition: &[usize],
        events: &mut Vec<Event>,
    ) -> usize {
        let vocab = self.vocab;
        let kind = self.rng.pick(&[
            CompositionKind::Surgery,
            CompositionKind::Surgery,
            CompositionKind::Telephone,
            CompositionKind::HomeVisit,
        ]);
        let mut list = Vec::new();
        let fi = self.rng.index(vocab.findings.len());
        let degraded = self.degrade().then(|| self.rng.pick(vocab.degraded_entries));
        let finding = self.entry(EntryKind::Observation {
            concept: Concept::new(ConceptList::Finding, fi, vocab.findings[fi]),
            value: None,
            degraded,
        });
        list.push(finding);
        // Monitoring of a condition, linked to its problem.
        let mut links = Vec::new();
        if !conditions.is_empty() && self.rng.percent(50) {
            let k = self.rng.index(conditions.len());
            let c = vocab.conditions[conditions[k]];
            for term in c.monitor {
                let found = vocab
                    .observations
                    .iter()
                    .position(|m| m.term == *term)
                    .map(|i| (ConceptList::Observation, i, vocab.observations[i]))
                    .or_else(|| {
                        vocab
                            .tests
                            .iter()
                            .position(|m| m.term == *term)
                            .map(|i| (ConceptList::Test, i, vocab.tests[i]))
                    });
                if let Some((l, i, m)) = found {
                    let kind = self.measurement(l, i, &m);
                    let e = self.entry(kind);
                    links.push((problem_of_condition[k], e.id.clone()));
                    list.push(e);
                }
            }
        } else if self.rng.percent(40) {
            let i = self.rng.index(vocab.observations.len());
            let m = vocab.observations[i];
            let kind = self.measurement(ConceptList::Observation, i, &m);
            let e = self.entry(kind);
            list.push(e);
        }
        let text = self.rng.pick(vocab.consultation_notes).to_owned();
        let narrative = self.entry(EntryKind::Narrative { text });
        list.push(narrative);
        let n = list.len();
        for (p, id) in links {
            let (ev, en) = problems[p];
            if let EntryKind::Problem { linked, .. } = &mut events[ev].entries[en].kind {
                linked.push(id);
            }
        }
        let ev = self.event(date, kind, list);
        events.push(ev);
        n
    }

    fn prescription(&mut self, long_term: bool) -> Prescription {
        let vocab = self.vocab;
        if self.degrade() {
            return Prescription {
                drug: DrugRef::Degraded(self.rng.pick(vocab.degraded_drugs)),
                unit: "pack",
                quantity: 1,
                dosage: "As directed",
            };
        }
        let candidates: Vec<usize> = (0..vocab.drugs.len())
            .filter(|&i| vocab.drugs[i].long_term == long_term)
            .collect();
        let i = self.rng.pick(&candidates);
        let d = vocab.drugs[i];
        Prescription {
            drug: DrugRef::Coded(Concept::new(ConceptList::Drug, i, d.name)),
            unit: d.unit,
            quantity: d.pack,
            dosage: d.dosage,
        }
    }

    /// An acute course (one issue) or a repeat course with its issues, re-authorisations and
    /// perhaps a discontinuation.
    fn course(&mut self, date: Date, today: Date, events: &mut Vec<Event>, repeat: bool) -> usize {
        let vocab = self.vocab;
        let prescription = self.prescription(repeat);
        let mut added = 0;
        let mut start = date;
        let mut predecessor: Option<String> = None;
        let authorisations = if repeat { 1 + self.rng.below(3) } else { 1 };
        // Long-term medicines are still being taken when the record moves: their last
        // authorisation runs past the day of the transfer (an active repeat to re-authorise, S82).
        let current = repeat && self.rng.percent(if self.options.many_repeats { 70 } else { 35 });
        for round in 0..authorisations {
            let repeats = if repeat { self.rng.range(2, 12) as u32 } else { 0 };
            let interval = if repeat { 28 } else { 7 };
            let issues = if repeat {
                self.rng.range(1, u64::from(repeats))
            } else {
                1
            };
            let mut expiry = start.add_days(interval * i64::from(repeats.max(1)));
            let last_round = round + 1 == authorisations;
            let stopped = last_round && self.rng.percent(if repeat { 30 } else { 5 });
            if current && last_round && !stopped && start < today && expiry <= today {
                expiry = today.add_days(28 * (1 + self.rng.below(6) as i64));
            }
            let supply_id = self.id();
            let auth = self.entry(EntryKind::Authorise {
                supply_id: supply_id.clone(),
                prescription: prescription.clone(),
                repeats,
                active: last_round && !stopped && expiry > today,
                start,
                expiry,
                predecessor: predecessor.clone(),
            });
            let ev = self.event(start, CompositionKind::Medication, vec![auth]);
            events.push(ev);
            added += 1;
            let mut day = start;
            for _ in 0..issues {
                if day >= today {
                    break;
                }
                let issue_id = self.id();
                let e = self.entry(EntryKind::Issue {
                    supply_id: issue_id,
                    authorise: supply_id.clone(),
                    prescription: prescription.clone(),
                    date: day,
                });
                let ev = self.event(day, CompositionKind::Medication, vec![e]);
                events.push(ev);
                added += 1;
                day = day.add_days(interval + self.rng.below(5) as i64);
            }
            if stopped && day < today {
                let discontinue_id = self.id();
                let reason = self.rng.pick(vocab.discontinuation_reasons);
                let e = self.entry(EntryKind::Discontinue {
                    supply_id: discontinue_id,
                    authorise: supply_id.clone(),
                    prescription: prescription.clone(),
                    reason,
                });
                let ev = self.event(day, CompositionKind::Medication, vec![e]);
                events.push(ev);
                added += 1;
            }
            predecessor = Some(supply_id);
            start = day;
            if start >= today {
                break;
            }
        }
        added
    }

    fn report(&mut self, date: Date, events: &mut Vec<Event>) -> usize {
        let vocab = self.vocab;
        let n = 2 + self.rng.index(4);
        let first = self.rng.index(vocab.tests.len());
        let mut results = Vec::new();
        for k in 0..n {
            let i = (first + k) % vocab.tests.len();
            let m = vocab.tests[i];
            let id = self.id();
            results.push((
                id,
                Concept::new(ConceptList::Test, i, m.term),
                Measured::draw(&mut self.rng, &m),
            ));
        }
        let specimen_id = self.id();
        let lab_number = format!("SYNLAB{:08}", self.rng.below(100_000_000));
        let e = self.entry(EntryKind::Report {
            specimen_id,
            lab_number,
            results,
        });
        let ev = self.event(date, CompositionKind::NonConsultation, vec![e]);
        events.push(ev);
        1
    }

    /// A document; `absent` forces a placeholder (`Some(true)`) or a real file (`Some(false)`).
    fn document(&mut self, date: Date, events: &mut Vec<Event>, absent: Option<bool>) -> usize {
        let vocab = self.vocab;
        let kind = self.rng.index(vocab.documents.len());
        let d = vocab.documents[kind];
        let document_id = self.rng.guid();
        let absent = absent.unwrap_or_else(|| self.rng.percent(self.options.absent_percent));
        let placeholder_by = absent.then(|| self.placeholder_by.clone());
        let stem = d.title.to_ascii_lowercase().replace(' ', "-");
        let file_name = format!("{document_id}_{stem}.{}", d.extension);
        let e = self.entry(EntryKind::Document {
            document_id,
            kind,
            file_name,
            absent,
            placeholder_by,
        });
        let ev = self.event(date, CompositionKind::NonConsultation, vec![e]);
        events.push(ev);
        1
    }

    fn plan_or_referral(&mut self, date: Date, events: &mut Vec<Event>) -> usize {
        let degraded = self.degrade();
        const PLANS: &[&str] = &[
            "Blood pressure review due",
            "Annual asthma review",
            "Repeat bloods in 3 months",
            "Medication review due",
        ];
        const REFERRALS: &[&str] = &[
            "Referral to physiotherapy",
            "Referral to dermatology",
            "Referral to cardiology",
            "Referral to memory clinic",
        ];
        let kind = if self.rng.percent(50) {
            let k = self.rng.index(PLANS.len());
            EntryKind::Plan {
                concept: Concept::new(ConceptList::Procedure, k, PLANS[k]),
                due: date.add_days(self.rng.range(30, 365) as i64),
                degraded: degraded.then_some("Local recall: chronic disease clinic (practice code)"),
            }
        } else {
            let k = self.rng.index(REFERRALS.len());
            EntryKind::Referral {
                concept: Concept::new(ConceptList::Procedure, 10 + k, REFERRALS[k]),
                urgent: self.rng.percent(20),
                degraded: degraded.then_some("Referred to local community service (no national code)"),
            }
        };
        let e = self.entry(kind);
        let ev = self.event(date, CompositionKind::Surgery, vec![e]);
        events.push(ev);
        1
    }
}

impl Event {
    fn with_author(mut self, rng: &mut Rng, agents: usize) -> Event {
        self.author = rng.index(agents);
        self
    }
}
