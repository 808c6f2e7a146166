//! What is worked out once the whole extract has been read: references resolved (agents, LinkSet
//! entries, medication links), NOPAT propagated, medication courses, allergies, degraded entries and
//! the counts of the `parse` contract.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::attachment::{absent_attachment_id, InlineAttachment};
use crate::ebxml::EbXml;
use crate::message::EhrExtract;
use crate::model::{
    AbsentAttachment, Code, Coding, CodingSite, Quantity, RecordType, StatementKind, SupplyKind, Value,
    EGTON, READ_V2,
};
use crate::timestamp::Timestamp;

/// Points at one `ehrSupply*` element: the statement and the index in its supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupplyRef {
    pub statement: usize,
    pub supply: usize,
}

/// Acute (repeat count 0) or repeat (any other count, or none given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CourseKind {
    Acute,
    Repeat,
}

/// Where a course stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CourseStatus {
    /// Authorisation `ACTIVE` and not discontinued.
    Active,
    /// Authorisation `COMPLETE`.
    Completed,
    /// Discontinued (`ehrSupplyDiscontinue`).
    Stopped,
    /// No status given.
    Unknown,
}

/// A discontinuation of a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discontinuation {
    pub supply: SupplyRef,
    /// `availabilityTime`: the stop date.
    pub date: Option<Timestamp>,
    /// The discontinue `code` (reason), verbatim.
    pub reason: Option<Coding>,
    /// Supply annotations (free-text reason).
    pub notes: Vec<String>,
}

/// A medication course: one authorisation with its issues and discontinuation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicationCourse {
    pub authorise: SupplyRef,
    pub id: Option<String>,
    pub kind: CourseKind,
    /// `repeatNumber` read as a number.
    pub repeats_authorised: Option<u32>,
    pub status: CourseStatus,
    /// Authorisation start (`effectiveTime/low` or `center`), else its availability time.
    pub start: Option<Timestamp>,
    /// Authorisation expiry (`effectiveTime/high`).
    pub expiry: Option<Timestamp>,
    pub quantity: Option<Quantity>,
    /// The drug coding, verbatim.
    pub drug: Option<Coding>,
    /// The dm+d / SNOMED code: the main code if SNOMED, else a SNOMED translation.
    pub drug_snomed: Option<String>,
    /// The drug's name as the clinician saw it.
    pub drug_term: Option<String>,
    pub dosage: Option<String>,
    /// The authorisation's `code` (NHS prescription, another organisation...).
    pub prescription_type: Option<Coding>,
    /// Issues (`ehrSupplyPrescribe` with `inFulfillmentOf` this authorisation), in document order.
    pub issues: Vec<SupplyRef>,
    pub issue_count: usize,
    /// The latest issue's `availabilityTime`.
    pub last_issue: Option<Timestamp>,
    pub discontinuation: Option<Discontinuation>,
    /// `predecessor`: the previous authorisation of the same course.
    pub predecessor: Option<String>,
    pub nopat: bool,
}

/// What kind of allergy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllergyKind {
    /// Read v2 `14L..00` wrapper.
    Drug,
    /// Read v2 `SN53.00` wrapper.
    NonDrug,
    /// Looks like an allergy but is not in the wrapper: for review.
    Possible,
}

/// An allergy: wrapper CompoundStatement + its ObservationStatement (or a possible allergy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allergy {
    pub kind: AllergyKind,
    /// The wrapper CompoundStatement (for a possible allergy, the observation itself).
    pub statement: usize,
    /// The ObservationStatement holding the allergy.
    pub observation: usize,
    /// The observation's code (e.g. "Allergy to penicillin").
    pub code: Option<Coding>,
    /// The allergen: the coded value when present (the drug), else the observation code.
    pub allergen: Option<Coding>,
    /// The allergen's term: value display name, else the code's original text or display name.
    pub allergen_term: Option<String>,
    /// Reaction text, when an annotation names one.
    pub reaction: Option<String>,
    /// All annotation text of the observation.
    pub notes: Vec<String>,
    pub onset: Option<Timestamp>,
    /// A transfer-degraded code (or no SNOMED at all) in the wrapper or observation.
    pub degraded: bool,
    pub nopat: bool,
}

/// Problem status from the LinkSet code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemStatus {
    Active,
    Inactive,
    Unspecified,
}

/// One entry a problem links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedEntry {
    pub id: String,
    /// The statement, if the id resolves.
    pub statement: Option<usize>,
}

/// A LinkSet problem, references resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub statement: usize,
    pub id: Option<String>,
    pub status: ProblemStatus,
    /// `qualifier/name` display name (e.g. "Significant").
    pub significance: Option<String>,
    /// The named statement (`conditionNamed`).
    pub named: Option<usize>,
    pub named_id: Option<String>,
    /// The problem's coding: the named statement's code.
    pub code: Option<Coding>,
    pub term: Option<String>,
    pub onset: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub linked: Vec<LinkedEntry>,
    pub nopat: bool,
}

/// The transfer-degraded concepts (format §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DegradeKind {
    RecordEntry,
    Medication,
    Referral,
    Request,
    Plan,
    DrugAllergy,
    NonDrugAllergy,
}

impl DegradeKind {
    pub fn code(self) -> &'static str {
        match self {
            DegradeKind::RecordEntry => "record_entry",
            DegradeKind::Medication => "medication",
            DegradeKind::Referral => "referral",
            DegradeKind::Request => "request",
            DegradeKind::Plan => "plan",
            DegradeKind::DrugAllergy => "drug_allergy",
            DegradeKind::NonDrugAllergy => "non_drug_allergy",
        }
    }
}

/// A statement carrying a transfer-degraded code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Degrade {
    pub statement: usize,
    pub kind: DegradeKind,
    /// Which coding of the statement was degraded.
    pub site: CodingSite,
    /// The degraded code found (main code or translation).
    pub degraded_code: String,
    /// What the sender meant: `originalText`, else a non-degrade display name.
    pub original_term: Option<String>,
}

/// A coded statement without any SNOMED coding (and not degraded): needs recoding too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnSnomed {
    pub statement: usize,
    pub site: CodingSite,
    pub term: Option<String>,
}

/// The counts of the `parse` contract (issue 3), for the EhrExtract of a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// `ehrComposition` elements.
    pub compositions: usize,
    /// `ehrSupplyAuthorise` elements.
    pub medication_courses: usize,
    /// Authorisations whose `repeatNumber/@value` is 0.
    pub acute_courses: usize,
    /// The other authorisations.
    pub repeat_courses: usize,
    /// `ehrSupplyPrescribe` elements.
    pub issues: usize,
    /// `ehrSupplyDiscontinue` elements.
    pub discontinuations: usize,
    /// `drug_allergies + non_drug_allergies`.
    pub allergies: usize,
    /// Read v2 `14L..00` wrappers holding exactly one ObservationStatement.
    pub drug_allergies: usize,
    /// Read v2 `SN53.00` wrappers holding exactly one ObservationStatement.
    pub non_drug_allergies: usize,
    /// `LinkSet` elements.
    pub problems: usize,
    /// Statements whose own code, value or drug code (or a translation) is transfer-degraded.
    pub degraded: usize,
    /// `referredToExternalDocument` elements.
    pub documents: usize,
    /// Documents whose link contains `AbsentAttachment`.
    pub absent_attachments: usize,
    /// `confidentialityCode` elements with code `NOPAT`.
    pub nopat: usize,
}

impl Counts {
    /// `(key, value)` pairs in the order of the contract.
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

/// Classifies one code as transfer-degraded.
pub fn degrade_kind(code: &Code) -> Option<DegradeKind> {
    let c = code.code.as_deref()?.trim();
    Some(match c {
        "196411000000103" => DegradeKind::RecordEntry,
        "196421000000109" => DegradeKind::Medication,
        "196431000000106" => DegradeKind::Referral,
        "196441000000102" => DegradeKind::Request,
        "196451000000104" | "294781000000113" => DegradeKind::Plan,
        "196461000000101" => DegradeKind::DrugAllergy,
        "196471000000108" => DegradeKind::NonDrugAllergy,
        _ if c.starts_with("9bJ") => {
            let name = code.display_name.as_deref().unwrap_or("").to_ascii_lowercase();
            if name.contains("non-drug allergy") || name.contains("non drug allergy") {
                DegradeKind::NonDrugAllergy
            } else if name.contains("drug allergy") {
                DegradeKind::DrugAllergy
            } else if name.contains("medication") || c.starts_with("9bJ0") {
                DegradeKind::Medication
            } else if name.contains("referral") {
                DegradeKind::Referral
            } else if name.contains("plan") {
                DegradeKind::Plan
            } else if name.contains("request") {
                DegradeKind::Request
            } else {
                DegradeKind::RecordEntry
            }
        }
        _ => return None,
    })
}

/// The first degraded code of a coding, with its kind. A seven-concept SNOMED code wins over a
/// Read `9bJ..` code (it names the kind precisely).
pub fn coding_degrade(coding: &Coding) -> Option<(DegradeKind, &Code)> {
    let mut read = None;
    for c in coding.codes() {
        if let Some(k) = degrade_kind(c) {
            if c.code.as_deref().is_some_and(|c| c.trim().starts_with("9bJ")) {
                read.get_or_insert((k, c));
            } else {
                return Some((k, c));
            }
        }
    }
    read
}

fn key(id: &str) -> String {
    key_ref(id).into_owned()
}

/// [`key`] without allocating when the id is already trimmed upper case (as GUIDs usually are).
fn key_ref(id: &str) -> Cow<'_, str> {
    let t = id.trim();
    if t.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(t.to_ascii_uppercase())
    } else {
        Cow::Borrowed(t)
    }
}

/// `haystack.to_ascii_lowercase().contains(needle)` for a lower-case ASCII `needle`, without
/// allocating.
fn contains_ci(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn is_nopat(code: Option<&Code>) -> bool {
    code.and_then(|c| c.code.as_deref()).map(str::trim) == Some("NOPAT")
}

fn allergy_wrapper(coding: Option<&Coding>) -> Option<AllergyKind> {
    let c = &coding?.main;
    if c.is(READ_V2, "14L..00") {
        Some(AllergyKind::Drug)
    } else if c.is(READ_V2, "SN53.00") {
        Some(AllergyKind::NonDrug)
    } else {
        None
    }
}

fn looks_like_allergy(coding: &Coding) -> bool {
    coding.codes().any(|c| {
        let code = c.code.as_deref().unwrap_or("").trim();
        let name = c.display_name.as_deref().unwrap_or("");
        code.starts_with("14L")
            || code.starts_with("SN53")
            || code.starts_with("ALLERGY-")
            || contains_ci(name, "allerg")
            || contains_ci(name, "adverse reaction")
    }) || coding
        .original_text
        .as_deref()
        .is_some_and(|t| contains_ci(t, "allerg"))
}

/// Works everything out. `attachments` and `manifest` are the message's (for placeholders and
/// skeleton links).
pub(crate) fn analyse(x: &mut EhrExtract, ebxml: Option<&EbXml>, attachments: &[InlineAttachment]) -> Counts {
    let mut counts = Counts {
        compositions: x.compositions.len(),
        ..Counts::default()
    };

    // Agents.
    let agents: HashMap<String, usize> = x
        .agents
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.id.as_deref().map(|id| (key(id), i)))
        .collect();
    let resolve = |p: &mut crate::model::Participation| {
        p.agent = p
            .agent_id
            .as_deref()
            .and_then(|id| agents.get(&*key_ref(id)).copied());
    };
    for c in &mut x.compositions {
        if let Some(a) = c.author.as_mut() {
            resolve(a);
        }
        c.participants.iter_mut().for_each(resolve);
    }

    // Own NOPAT codes, then propagation (parents come before children in the arena). One pass over
    // the statements: participants resolved, own NOPAT counted, NOPAT inherited.
    counts.nopat = x
        .compositions
        .iter()
        .filter(|c| is_nopat(c.confidentiality.as_ref()))
        .count()
        + x.documents
            .iter()
            .filter(|d| is_nopat(d.confidentiality.as_ref()))
            .count();
    for i in 0..x.statements.len() {
        let inherited = x.statements[i]
            .parent
            .is_some_and(|p| x.statements.get(p).is_some_and(|p| p.nopat))
            || x.statements[i]
                .composition
                .is_some_and(|c| x.compositions.get(c).is_some_and(|c| c.nopat));
        let s = &mut x.statements[i];
        s.participants.iter_mut().for_each(resolve);
        counts.nopat += usize::from(is_nopat(s.confidentiality.as_ref()));
        s.nopat |= inherited;
    }

    // Documents.
    let skeleton_ids: Vec<String> = ebxml
        .map(|e| {
            e.manifest
                .iter()
                .filter(|r| r.skeleton)
                .filter_map(|r| r.document_id().map(key))
                .collect()
        })
        .unwrap_or_default();
    let placeholders: Vec<(Option<String>, crate::attachment::Placeholder)> = attachments
        .iter()
        .filter_map(|a| {
            let bytes = a.decode().ok()?;
            if bytes.len() > 64 * 1024 {
                return None;
            }
            let text = String::from_utf8_lossy(&bytes);
            crate::attachment::parse_placeholder(&text)
                .map(|p| (a.filename().or_else(|| a.description.clone()), p))
        })
        .collect();
    let sending_ods = x.sending_ods.clone();
    for d in &mut x.documents {
        let s = x.statements.get(d.statement);
        d.nopat |= s.is_some_and(|s| s.nopat);
        d.title = s
            .and_then(|s| s.text.as_deref())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or_else(|| d.code.as_ref().and_then(|c| c.term()).map(str::to_owned));
        if let Some(link) = d.link.as_deref() {
            if let Some((file_name, document_id)) = absent_attachment_id(link) {
                counts.absent_attachments += 1;
                let placeholder = placeholders
                    .iter()
                    .find(|(name, _)| {
                        name.as_deref().is_some_and(|n| n.contains(&file_name))
                            || document_id
                                .as_deref()
                                .is_some_and(|id| name.as_deref().is_some_and(|n| n.contains(id)))
                    })
                    .map(|(_, p)| p.clone());
                let created_by_ods = placeholder
                    .as_ref()
                    .and_then(|p| p.ods.clone())
                    .or_else(|| sending_ods.clone());
                d.absent = Some(AbsentAttachment {
                    file_name,
                    document_id,
                    created_by_ods,
                    placeholder,
                });
            }
            let l = link.trim();
            if let Some(cid) = crate::ebxml::strip_prefix_ci(l, "cid:") {
                let cid = key(cid);
                let is_edi = d
                    .code
                    .as_ref()
                    .is_some_and(|c| c.codes().any(|c| c.code.as_deref() == Some("24891000000101")));
                d.skeleton = skeleton_ids.contains(&cid) || (skeleton_ids.is_empty() && is_edi);
            }
        }
    }
    counts.documents = x.documents.len();

    // Composition record types.
    let mut flags = vec![(false, false); x.compositions.len()];
    for s in &x.statements {
        if let Some(f) = s.composition.and_then(|c| flags.get_mut(c)) {
            f.0 |= matches!(s.kind, StatementKind::EhrEmpty | StatementKind::Registration);
            f.1 |= s
                .documents
                .iter()
                .any(|&d| x.documents.get(d).is_some_and(|d| d.skeleton));
        }
    }
    for (ci, c) in x.compositions.iter_mut().enumerate() {
        let snomed = c
            .code
            .as_ref()
            .and_then(|c| c.snomed())
            .and_then(|c| c.code.as_deref())
            .map(str::trim);
        c.record_type = match snomed {
            Some("196401000000100") => RecordType::NonConsultation,
            Some("196391000000103") => RecordType::NonConsultationMedication,
            _ => RecordType::Consultation,
        };
        let (suppressed, skeleton) = flags.get(ci).copied().unwrap_or_default();
        if skeleton {
            c.record_type = RecordType::Skeleton;
        } else if suppressed {
            c.record_type = RecordType::Suppressed;
        }
    }

    analyse_medication(x, &mut counts);
    analyse_allergies(x, &mut counts);
    analyse_problems(x, &mut counts);
    analyse_degrades(x, &mut counts);
    counts
}

fn analyse_medication(x: &mut EhrExtract, counts: &mut Counts) {
    let mut courses: Vec<MedicationCourse> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    // The course of each medication statement's first authorisation (courses are made in document
    // order, so that is the first course made while reading the statement).
    let mut first_course: HashMap<usize, usize> = HashMap::new();
    for (si, s) in x.statements.iter().enumerate() {
        let Some(m) = s.medication.as_deref() else {
            continue;
        };
        for (pi, sup) in m.supplies.iter().enumerate() {
            match sup.kind {
                SupplyKind::Authorise => {
                    first_course.entry(si).or_insert(courses.len());
                    counts.medication_courses += 1;
                    let repeats = sup
                        .repeat_number
                        .as_deref()
                        .and_then(|r| r.trim().parse::<u32>().ok());
                    let kind = if repeats == Some(0) {
                        CourseKind::Acute
                    } else {
                        CourseKind::Repeat
                    };
                    match kind {
                        CourseKind::Acute => counts.acute_courses += 1,
                        CourseKind::Repeat => counts.repeat_courses += 1,
                    }
                    let status = match sup.status.as_deref().map(str::trim) {
                        Some("ACTIVE") => CourseStatus::Active,
                        Some("COMPLETE") => CourseStatus::Completed,
                        _ => CourseStatus::Unknown,
                    };
                    let drug = m.drug.clone();
                    if let Some(id) = sup.id.as_deref() {
                        by_id.entry(key(id)).or_insert(courses.len());
                    }
                    courses.push(MedicationCourse {
                        authorise: SupplyRef {
                            statement: si,
                            supply: pi,
                        },
                        id: sup.id.clone(),
                        kind,
                        repeats_authorised: repeats,
                        status,
                        start: sup
                            .effective_time
                            .as_ref()
                            .and_then(|e| e.start().cloned())
                            .filter(Timestamp::is_readable)
                            .or_else(|| sup.availability_time.clone()),
                        expiry: sup.effective_time.as_ref().and_then(|e| e.high.clone()),
                        quantity: sup.quantity.clone(),
                        drug_snomed: drug
                            .as_ref()
                            .and_then(|d| d.snomed())
                            .and_then(|c| c.code.clone()),
                        drug_term: drug.as_ref().and_then(|d| d.term()).map(str::to_owned),
                        drug,
                        dosage: m.dosage.clone(),
                        prescription_type: sup.code.clone(),
                        issues: Vec::new(),
                        issue_count: 0,
                        last_issue: None,
                        discontinuation: None,
                        predecessor: sup.predecessor.clone(),
                        nopat: s.nopat,
                    });
                }
                SupplyKind::Prescribe => counts.issues += 1,
                SupplyKind::Discontinue => counts.discontinuations += 1,
                SupplyKind::Dispense => {}
            }
        }
    }
    // Issues and discontinuations, linked by id (forward references are normal).
    for (si, s) in x.statements.iter().enumerate() {
        let Some(m) = s.medication.as_deref() else {
            continue;
        };
        // Same-statement authorise, for supplies without a link.
        let local = first_course.get(&si).copied();
        for (pi, sup) in m.supplies.iter().enumerate() {
            if !matches!(sup.kind, SupplyKind::Prescribe | SupplyKind::Discontinue) {
                continue;
            }
            let target = sup
                .refers_to
                .as_deref()
                .and_then(|id| by_id.get(&*key_ref(id)).copied())
                .or(local);
            let Some(ci) = target else { continue };
            let Some(course) = courses.get_mut(ci) else {
                continue;
            };
            let r = SupplyRef {
                statement: si,
                supply: pi,
            };
            if sup.kind == SupplyKind::Prescribe {
                course.issues.push(r);
                course.issue_count += 1;
                if let Some(t) = sup.availability_time.as_ref() {
                    if course.last_issue.as_ref().is_none_or(|l| t > l) {
                        course.last_issue = Some(t.clone());
                    }
                }
                if course.drug.is_none() && m.drug.is_some() {
                    course.drug = m.drug.clone();
                    course.drug_snomed = m
                        .drug
                        .as_ref()
                        .and_then(|d| d.snomed())
                        .and_then(|c| c.code.clone());
                    course.drug_term = m.drug.as_ref().and_then(|d| d.term()).map(str::to_owned);
                }
            } else if course.discontinuation.is_none() {
                course.discontinuation = Some(Discontinuation {
                    supply: r,
                    date: sup.availability_time.clone(),
                    reason: sup.code.clone(),
                    notes: sup.annotations.clone(),
                });
                course.status = CourseStatus::Stopped;
            }
        }
    }
    x.courses = courses;
}

fn analyse_allergies(x: &mut EhrExtract, counts: &mut Counts) {
    let mut allergies = Vec::new();
    let mut in_wrapper = vec![false; x.statements.len()];
    for (si, s) in x.statements.iter().enumerate() {
        if s.kind != StatementKind::Compound {
            continue;
        }
        let Some(kind) = allergy_wrapper(s.code.as_ref()) else {
            continue;
        };
        let [only] = s.children.as_slice() else { continue };
        let Some(obs) = x.statements.get(*only) else {
            continue;
        };
        if obs.kind != StatementKind::Observation {
            continue;
        }
        match kind {
            AllergyKind::Drug => counts.drug_allergies += 1,
            _ => counts.non_drug_allergies += 1,
        }
        if let Some(w) = in_wrapper.get_mut(*only) {
            *w = true;
        }
        allergies.push(make_allergy(kind, si, *only, x));
    }
    counts.allergies = counts.drug_allergies + counts.non_drug_allergies;
    for (si, s) in x.statements.iter().enumerate() {
        if s.kind != StatementKind::Observation || in_wrapper.get(si).copied().unwrap_or(false) {
            continue;
        }
        // Inside an allergy-coded wrapper that failed the rule, or coded like an allergy.
        let parent_wrapper = s.parent.and_then(|p| x.statements.get(p)).is_some_and(|p| {
            allergy_wrapper(p.code.as_ref()).is_some() || p.code.as_ref().is_some_and(looks_like_allergy)
        });
        if parent_wrapper || s.code.as_ref().is_some_and(looks_like_allergy) {
            allergies.push(make_allergy(AllergyKind::Possible, si, si, x));
        }
    }
    x.allergies = allergies;
}

fn make_allergy(kind: AllergyKind, statement: usize, observation: usize, x: &EhrExtract) -> Allergy {
    let obs = &x.statements[observation];
    // The value names the drug unless it is only an EGTON local code.
    let value = obs.coded_value().filter(|v| !v.is_uncoded());
    let value_useful = value.filter(|v| {
        v.codes()
            .any(|c| c.code_system.as_deref().map(str::trim) != Some(EGTON))
            || v.has_snomed()
    });
    // PSS: the non-EGTON value if present, else the observation code (an EGTON value last).
    let allergen = value_useful.or(obs.code.as_ref()).or(value).cloned();
    let allergen_term = value
        .and_then(|v| {
            v.main
                .display_name
                .clone()
                .or_else(|| v.term().map(str::to_owned))
        })
        .or_else(|| obs.code.as_ref().and_then(|c| c.term()).map(str::to_owned));
    let reaction = obs
        .annotations
        .iter()
        .find(|a| contains_ci(a, "reaction"))
        .map(|a| a.trim().to_owned());
    let wrapper = &x.statements[statement];
    let degraded = wrapper
        .own_codings()
        .chain(obs.own_codings())
        .any(|(_, c)| coding_degrade(c).is_some())
        || (kind != AllergyKind::Possible && !obs.own_codings().any(|(_, c)| c.has_snomed()));
    Allergy {
        kind,
        statement,
        observation,
        code: obs.code.clone(),
        allergen,
        allergen_term,
        reaction,
        notes: obs.annotations.clone(),
        onset: obs
            .effective_time
            .as_ref()
            .and_then(|e| e.start().cloned())
            .filter(Timestamp::is_readable),
        degraded,
        nopat: obs.nopat || wrapper.nopat,
    }
}

fn analyse_problems(x: &mut EhrExtract, counts: &mut Counts) {
    let mut problems = Vec::new();
    // Statement ids (first wins), only when there is a LinkSet to resolve.
    let mut ids: HashMap<Cow<'_, str>, usize> = HashMap::new();
    if x.statements.iter().any(|s| s.kind == StatementKind::LinkSet) {
        ids.reserve(x.statements.len());
        for (i, s) in x.statements.iter().enumerate() {
            if let Some(id) = s.id.as_deref() {
                ids.entry(key_ref(id)).or_insert(i);
            }
        }
    }
    for (si, s) in x.statements.iter().enumerate() {
        if s.kind != StatementKind::LinkSet {
            continue;
        }
        counts.problems += 1;
        let links = s.links.as_deref();
        let named_id = links.and_then(|l| l.named.clone());
        let named = named_id.as_deref().and_then(|id| ids.get(&*key_ref(id)).copied());
        let code = named
            .and_then(|n| x.statements.get(n))
            .and_then(|n| n.code.clone());
        let status_code = s
            .code
            .as_ref()
            .and_then(|c| c.snomed())
            .and_then(|c| c.code.as_deref())
            .map(str::trim);
        let status = match status_code {
            Some("394774009") => ProblemStatus::Active,
            Some("394775005") => ProblemStatus::Inactive,
            _ => ProblemStatus::Unspecified,
        };
        let significance = s
            .code
            .as_ref()
            .and_then(|c| c.qualifiers.iter().find_map(|q| q.name.as_ref()))
            .and_then(|n| n.display_name.clone().or_else(|| n.code.clone()));
        let linked = links
            .map(|l| {
                l.components
                    .iter()
                    .map(|id| LinkedEntry {
                        id: id.clone(),
                        statement: ids.get(&*key_ref(id)).copied(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        problems.push(Problem {
            statement: si,
            id: s.id.clone(),
            status,
            significance,
            named,
            named_id,
            term: code.as_ref().and_then(|c| c.term()).map(str::to_owned),
            code,
            onset: s
                .effective_time
                .as_ref()
                .and_then(|e| e.low.clone())
                .filter(Timestamp::is_readable),
            end: s
                .effective_time
                .as_ref()
                .and_then(|e| e.high.clone())
                .filter(Timestamp::is_readable),
            linked,
            nopat: s.nopat,
        });
    }
    drop(ids);
    x.problems = problems;
}

fn analyse_degrades(x: &mut EhrExtract, counts: &mut Counts) {
    let mut degrades = Vec::new();
    let mut no_snomed = Vec::new();
    for (si, s) in x.statements.iter().enumerate() {
        if s.kind == StatementKind::EhrEmpty {
            continue;
        }
        let found = s
            .own_codings()
            .find_map(|(site, c)| coding_degrade(c).map(|(k, code)| (site, c, k, code)));
        if let Some((site, coding, kind, code)) = found {
            let original_term = coding
                .original_text
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    coding
                        .codes()
                        .filter(|c| degrade_kind(c).is_none())
                        .find_map(|c| c.display_name.clone())
                })
                .or_else(|| s.text.clone());
            degrades.push(Degrade {
                statement: si,
                kind,
                site,
                degraded_code: code.code.clone().unwrap_or_default(),
                original_term,
            });
            continue;
        }
        // Coded but no SNOMED anywhere: headings and problem headers are not clinical codes.
        if matches!(
            s.kind,
            StatementKind::Compound | StatementKind::LinkSet | StatementKind::Narrative
        ) {
            continue;
        }
        let mut coded = s.own_codings().filter(|(_, c)| !c.is_uncoded());
        let first_coded = coded.next();
        if let Some((site, c)) =
            first_coded.filter(|(_, c)| !c.has_snomed() && !coded.any(|(_, c)| c.has_snomed()))
        {
            no_snomed.push(UnSnomed {
                statement: si,
                site,
                term: c.term().map(str::to_owned),
            });
        }
    }
    counts.degraded = degrades.len();
    x.degrades = degrades;
    x.no_snomed = no_snomed;
}

/// The value of a statement as display text (quantity with unit, range, text or coded term).
pub fn value_text(v: &Value) -> String {
    let q = |q: &Quantity| {
        let unit = q
            .unit_text
            .as_deref()
            .or(q.unit.as_deref())
            .filter(|u| *u != "1")
            .unwrap_or("");
        format!("{} {}", q.value.as_deref().unwrap_or(""), unit)
            .trim()
            .to_owned()
    };
    match v {
        Value::Quantity(x) => q(x),
        Value::Range { low, high } => {
            format!(
                "{} - {}",
                low.as_ref().map(q).unwrap_or_default(),
                high.as_ref().map(q).unwrap_or_default()
            )
        }
        Value::Text(t) => t.trim().to_owned(),
        Value::Coded(c) => c.term().unwrap_or("").to_owned(),
    }
}
