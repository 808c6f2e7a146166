//! Writes a [`RecordPlan`] as an HL7 `RCMR_IN030000UK06`/`UK07` document in the plan's supplier
//! style. One pass over the plan into one buffer; nothing else is held.

use std::fmt::Write as _;

use crate::plan::{CompositionPlan, DrugRef, Entry, EntryKind, Measured, Prescription, RecordPlan, Style};
use crate::vocab::{AllergyClass, Concept};

pub(crate) const SNOMED: &str = "2.16.840.1.113883.2.1.3.2.4.15";
pub(crate) const READ_V2: &str = "2.16.840.1.113883.2.1.6.2";
pub(crate) const CTV3: &str = "2.16.840.1.113883.2.1.3.2.4.14";
pub(crate) const VISION_READ: &str = "2.16.840.1.113883.2.1.6.10";
pub(crate) const EGTON: &str = "2.16.840.1.113883.2.1.6.3";
pub(crate) const EMIS_DRUG: &str = "2.16.840.1.113883.2.1.6.9";
pub(crate) const MULTILEX: &str = "2.16.840.1.113883.2.1.6.4";
const ACT_CODE: &str = "2.16.840.1.113883.4.642.3.47";
const INTERPRETATION: &str = "2.16.840.1.113883.2.1.6.5";
const ASID_ROOT: &str = "1.2.826.0.1285.0.2.0.107";
const ODS_ROOT: &str = "1.2.826.0.1285.0.1.10";

/// A coded value as written: main code, translations and original text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cd {
    pub code: String,
    pub system: &'static str,
    pub display: String,
    pub original_text: Option<String>,
    pub translations: Vec<(String, &'static str, String)>,
    /// `qualifier/name` (code, display).
    pub qualifier: Option<(&'static str, &'static str)>,
}

impl Cd {
    fn new(code: impl Into<String>, system: &'static str, display: impl Into<String>) -> Cd {
        Cd {
            code: code.into(),
            system,
            display: display.into(),
            ..Cd::default()
        }
    }

    fn with_translation(
        mut self,
        code: impl Into<String>,
        system: &'static str,
        display: impl Into<String>,
    ) -> Cd {
        self.translations.push((code.into(), system, display.into()));
        self
    }

    fn with_original(mut self, text: impl Into<String>) -> Cd {
        self.original_text = Some(text.into());
        self
    }
}

/// The clinical coding of a vocabulary concept in a style.
pub(crate) fn concept_cd(style: Style, c: Concept) -> Cd {
    let term = c.term;
    match style {
        Style::Emis => Cd::new(c.read_v2(), READ_V2, term).with_translation(c.snomed(), SNOMED, term),
        Style::SystmOne => Cd::new(c.ctv3(), CTV3, term).with_translation(c.snomed(), SNOMED, term),
        Style::Vision => Cd::new(c.read_v2(), VISION_READ, term).with_translation(c.snomed(), SNOMED, term),
    }
}

/// The drug coding in a style; a degraded drug is the transfer-degraded medication concept with
/// the local name as original text (EMIS: Read `9bJ0.00` with the SNOMED concept as translation).
pub(crate) fn drug_cd(style: Style, d: DrugRef) -> Cd {
    match (style, d) {
        (Style::Emis, DrugRef::Coded(c)) => {
            Cd::new(c.emis_drug(), EMIS_DRUG, c.term).with_translation(c.snomed(), SNOMED, c.term)
        }
        (Style::SystmOne, DrugRef::Coded(c)) => {
            Cd::new(c.multilex(), MULTILEX, c.term).with_translation(c.snomed(), SNOMED, c.term)
        }
        (Style::Vision, DrugRef::Coded(c)) => Cd::new(c.snomed(), SNOMED, c.term),
        (Style::Emis, DrugRef::Degraded(t)) => {
            Cd::new("9bJ0.00", READ_V2, "Transfer-degraded medication entry")
                .with_translation("196421000000109", SNOMED, "Transfer-degraded medication entry")
                .with_original(t)
        }
        (_, DrugRef::Degraded(t)) => {
            Cd::new("196421000000109", SNOMED, "Transfer-degraded medication entry").with_original(t)
        }
    }
}

fn degraded_cd(code: &'static str, display: &'static str, original: &str) -> Cd {
    Cd::new(code, SNOMED, display).with_original(original)
}

/// Escapes text and attribute values.
pub(crate) fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// A tiny XML writer over a `String`.
pub(crate) struct Xml {
    pub out: String,
}

impl Xml {
    pub(crate) fn new(capacity: usize) -> Xml {
        Xml {
            out: String::with_capacity(capacity),
        }
    }

    fn attrs(&mut self, attrs: &[(&str, &str)]) {
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", esc(v));
        }
    }

    pub(crate) fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        self.out.push('>');
    }

    pub(crate) fn close(&mut self, tag: &str) {
        let _ = writeln!(self.out, "</{tag}>");
    }

    pub(crate) fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        self.out.push_str("/>\n");
    }

    pub(crate) fn text(&mut self, tag: &str, text: &str) {
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", esc(text));
    }

    fn id(&mut self, root: &str) {
        self.empty("id", &[("root", root)]);
    }

    fn id_ext(&mut self, root: &str, ext: &str) {
        self.empty("id", &[("root", root), ("extension", ext)]);
    }

    fn value_attr(&mut self, tag: &str, value: &str) {
        self.empty(tag, &[("value", value)]);
    }

    fn cd(&mut self, tag: &str, cd: &Cd) {
        self.cd_typed(tag, cd, None);
    }

    fn cd_typed(&mut self, tag: &str, cd: &Cd, xsi_type: Option<&str>) {
        let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(4);
        if let Some(t) = xsi_type {
            attrs.push(("xsi:type", t));
        }
        attrs.extend([
            ("code", cd.code.as_str()),
            ("codeSystem", cd.system),
            ("displayName", cd.display.as_str()),
        ]);
        if cd.original_text.is_none() && cd.translations.is_empty() && cd.qualifier.is_none() {
            self.empty(tag, &attrs);
            return;
        }
        self.open(tag, &attrs);
        if let Some(t) = &cd.original_text {
            self.text("originalText", t);
        }
        if let Some((code, display)) = cd.qualifier {
            self.open("qualifier", &[("inverted", "false")]);
            self.empty(
                "name",
                &[("code", code), ("codeSystem", SNOMED), ("displayName", display)],
            );
            self.close("qualifier");
        }
        for (code, system, display) in &cd.translations {
            self.empty(
                "translation",
                &[("code", code), ("codeSystem", system), ("displayName", display)],
            );
        }
        self.close(tag);
    }

    fn status(&mut self, code: &str) {
        self.empty("statusCode", &[("code", code)]);
    }

    fn center(&mut self, style: Style, value: &str) {
        self.open("effectiveTime", &[]);
        if style == Style::Emis && value.is_empty() {
            self.empty("center", &[("nullFlavor", "NI")]);
        } else {
            self.value_attr("center", value);
        }
        self.close("effectiveTime");
    }

    fn nopat(&mut self, on: bool) {
        if on {
            self.empty(
                "confidentialityCode",
                &[
                    ("code", "NOPAT"),
                    ("codeSystem", ACT_CODE),
                    (
                        "displayName",
                        "no disclosure to patient, family or caregivers without attending provider's authorization",
                    ),
                ],
            );
        }
    }

    fn agent_ref(&mut self, tag: &str, type_code: &str, id: &str) {
        self.open(tag, &[("typeCode", type_code), ("contextControlCode", "OP")]);
        self.open("agentRef", &[("classCode", "AGNT")]);
        self.id(id);
        self.close("agentRef");
        self.close(tag);
    }

    fn org(&mut self, tag: &str, type_code: &str, time: Option<&str>, ods: &str) {
        self.open(tag, &[("typeCode", type_code)]);
        if let Some(t) = time {
            self.value_attr("time", t);
        }
        self.open("AgentOrgSDS", &[("classCode", "AGNT")]);
        self.open(
            "agentOrganizationSDS",
            &[("classCode", "ORG"), ("determinerCode", "INSTANCE")],
        );
        self.id_ext(ODS_ROOT, ods);
        self.close("agentOrganizationSDS");
        self.close("AgentOrgSDS");
        self.close(tag);
    }

    fn device(&mut self, tag: &str, type_code: &str, asid: &str) {
        self.open(tag, &[("typeCode", type_code)]);
        self.open("device", &[("classCode", "DEV"), ("determinerCode", "INSTANCE")]);
        self.id_ext(ASID_ROOT, asid);
        self.close("device");
        self.close(tag);
    }
}

/// Writes the whole HL7 document for `plan`.
pub fn write_extract(plan: &RecordPlan) -> String {
    let mut x = Xml::new(4096 + plan.entry_count() * 1200);
    let style = plan.style;
    let root = plan.interaction.name();
    let created = plan.created.hl7();
    if style == Style::Emis {
        // EMIS files start with a UTF-8 byte order mark (format §3).
        x.out.push('\u{feff}');
    }
    x.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.open(
        root,
        &[
            ("xmlns", "urn:hl7-org:v3"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ],
    );
    x.out.push('\n');
    x.id(&plan.ids.hl7);
    x.value_attr("creationTime", &created);
    x.empty("versionCode", &[("code", "V3NPfIT3.1.10")]);
    x.empty(
        "interactionId",
        &[("root", "2.16.840.1.113883.2.1.3.2.4.12"), ("extension", root)],
    );
    x.empty("processingCode", &[("code", "P")]);
    x.empty("processingModeCode", &[("code", "T")]);
    x.empty("acceptAckCode", &[("code", "NE")]);
    x.device("communicationFunctionRcv", "RCV", &plan.receiver.asid);
    x.device("communicationFunctionSnd", "SND", &plan.sender.asid);
    x.open("ControlActEvent", &[("classCode", "CACT"), ("moodCode", "EVN")]);
    x.open("author1", &[("typeCode", "AUT")]);
    x.open("AgentSystemSDS", &[("classCode", "AGNT")]);
    x.open(
        "agentSystemSDS",
        &[("classCode", "DEV"), ("determinerCode", "INSTANCE")],
    );
    x.id_ext(ASID_ROOT, &plan.sender.asid);
    x.close("agentSystemSDS");
    x.close("AgentSystemSDS");
    x.close("author1");
    x.open(
        "subject",
        &[("typeCode", "SUBJ"), ("contextConductionInd", "false")],
    );
    x.open("EhrExtract", &[("classCode", "EXTRACT"), ("moodCode", "EVN")]);
    x.id(&plan.ids.extract);
    x.status("COMPLETE");
    x.value_attr("availabilityTime", &created);
    x.open("recordTarget", &[("typeCode", "RCT")]);
    x.open("patient", &[("classCode", "PAT")]);
    x.id_ext("2.16.840.1.113883.2.1.4.1", &plan.patient.nhs_number);
    x.close("patient");
    x.close("recordTarget");
    x.org("author", "AUT", Some(&created), &plan.sender.ods);
    x.org("destination", "DST", None, &plan.receiver.ods);
    x.open("component", &[("typeCode", "COMP")]);
    x.open("ehrFolder", &[("classCode", "FOLDER"), ("moodCode", "EVN")]);
    x.id(&plan.ids.folder);
    x.status("COMPLETE");
    x.open("effectiveTime", &[]);
    x.value_attr("low", &plan.start.hl7());
    x.value_attr("high", &created);
    x.close("effectiveTime");
    x.value_attr("availabilityTime", &created);
    x.org("author", "AUT", Some(&created), &plan.sender.ods);
    write_agents(&mut x, plan);
    for c in &plan.compositions {
        write_composition(&mut x, plan, c);
    }
    x.close("ehrFolder");
    x.close("component");
    x.open("inFulfillmentOf", &[("typeCode", "FLFS")]);
    x.open(
        "priorEhrRequest",
        &[("classCode", "EXTRACT"), ("moodCode", "RQO")],
    );
    x.id(&plan.ids.request);
    x.close("priorEhrRequest");
    x.close("inFulfillmentOf");
    x.open("limitation", &[("typeCode", "LIMIT"), ("inversionInd", "true")]);
    x.open(
        "limitingEhrExtractSpecification",
        &[("classCode", "OBS"), ("moodCode", "DEF")],
    );
    x.id(&plan.ids.limitation);
    x.empty(
        "code",
        &[
            ("code", "37241000000102"),
            ("codeSystem", SNOMED),
            ("displayName", "Entire record available to originator"),
        ],
    );
    x.close("limitingEhrExtractSpecification");
    x.close("limitation");
    x.close("EhrExtract");
    x.close("subject");
    x.close("ControlActEvent");
    x.close(root);
    x.out
}

fn write_agents(x: &mut Xml, plan: &RecordPlan) {
    x.open("responsibleParty", &[("typeCode", "RESP")]);
    x.open("agentDirectory", &[("classCode", "AGNT")]);
    for a in &plan.agents {
        x.open("part", &[("typeCode", "PART")]);
        x.open("Agent", &[("classCode", "AGNT")]);
        x.id(&a.id);
        x.open("code", &[("nullFlavor", "UNK")]);
        x.text("originalText", a.role);
        x.close("code");
        x.open(
            "agentPerson",
            &[("classCode", "PSN"), ("determinerCode", "INSTANCE")],
        );
        x.open("name", &[]);
        x.text("prefix", a.prefix);
        x.text("given", a.given);
        x.text("family", a.family);
        x.close("name");
        x.close("agentPerson");
        x.open(
            "representedOrganization",
            &[("classCode", "ORG"), ("determinerCode", "INSTANCE")],
        );
        x.id_ext("2.16.840.1.113883.2.1.4.3", &plan.sender.ods);
        x.text("name", &plan.sender.name);
        x.close("representedOrganization");
        x.close("Agent");
        x.close("part");
    }
    x.close("agentDirectory");
    x.close("responsibleParty");
}

fn write_composition(x: &mut Xml, plan: &RecordPlan, c: &CompositionPlan) {
    let style = plan.style;
    let (code, display, seen) = c.kind.code();
    let author = plan.agents.get(c.author).map_or("", |a| a.id.as_str());
    let day = c.time.date().hl7();
    let time = c.time.hl7();
    x.open("component", &[("typeCode", "COMP")]);
    x.open(
        "ehrComposition",
        &[("classCode", "COMPOSITION"), ("moodCode", "EVN")],
    );
    x.id(&c.id);
    let cd = match style {
        Style::Emis => Cd::new(code, SNOMED, display).with_original(seen),
        _ => Cd::new(code, SNOMED, display),
    };
    x.cd("code", &cd);
    x.status("COMPLETE");
    x.center(style, &day);
    x.value_attr("availabilityTime", &day);
    x.nopat(c.nopat);
    x.open("author", &[("typeCode", "AUT"), ("contextControlCode", "OP")]);
    x.value_attr("time", &time);
    x.open("agentRef", &[("classCode", "AGNT")]);
    x.id(author);
    x.close("agentRef");
    x.close("author");
    x.agent_ref("Participant2", "RESP", author);
    for e in &c.entries {
        x.open("component", &[("typeCode", "COMP")]);
        write_entry(x, plan, c, e);
        x.close("component");
    }
    x.close("ehrComposition");
    x.close("component");
}

/// The common head of a statement: id, code, status, effective and availability times, NOPAT.
fn head(x: &mut Xml, style: Style, id: &str, code: Option<&Cd>, status: &str, day: &str, nopat: bool) {
    x.id(id);
    if let Some(cd) = code {
        x.cd("code", cd);
    }
    x.status(status);
    x.center(style, if style == Style::Emis { "" } else { day });
    x.value_attr("availabilityTime", day);
    x.nopat(nopat);
}

fn write_measured(x: &mut Xml, m: &Measured) {
    x.empty(
        "value",
        &[("xsi:type", "PQ"), ("value", &m.value), ("unit", m.unit)],
    );
    if let Some(flag) = m.flag {
        let display = if flag == "HI" {
            "Above high reference limit"
        } else {
            "Below low reference limit"
        };
        x.empty(
            "interpretationCode",
            &[
                ("code", flag),
                ("codeSystem", INTERPRETATION),
                ("displayName", display),
            ],
        );
    }
    x.open("referenceRange", &[("typeCode", "REFV")]);
    x.open(
        "referenceInterpretationRange",
        &[("classCode", "OBS"), ("moodCode", "EVN.CRT")],
    );
    x.open("value", &[]);
    x.empty("low", &[("value", &m.low), ("unit", m.unit)]);
    x.empty("high", &[("value", &m.high), ("unit", m.unit)]);
    x.close("value");
    x.close("referenceInterpretationRange");
    x.close("referenceRange");
}

fn annotation(x: &mut Xml, text: &str) {
    x.open("pertinentInformation", &[("typeCode", "PERT")]);
    x.value_attr("sequenceNumber", "+1");
    x.open(
        "pertinentAnnotation",
        &[("classCode", "OBS"), ("moodCode", "EVN")],
    );
    x.text("text", text);
    x.close("pertinentAnnotation");
    x.close("pertinentInformation");
}

fn observation(
    x: &mut Xml,
    style: Style,
    id: &str,
    code: &Cd,
    value: Option<&Measured>,
    day: &str,
    nopat: bool,
) {
    x.open(
        "ObservationStatement",
        &[("classCode", "OBS"), ("moodCode", "EVN")],
    );
    head(x, style, id, Some(code), "COMPLETE", day, nopat);
    if let Some(m) = value {
        write_measured(x, m);
    }
    x.close("ObservationStatement");
}

fn write_entry(x: &mut Xml, plan: &RecordPlan, c: &CompositionPlan, e: &Entry) {
    let style = plan.style;
    let day = c.time.date().hl7();
    match &e.kind {
        EntryKind::Observation {
            concept,
            value,
            degraded,
        } => {
            let cd = match degraded {
                Some(t) => degraded_cd("196411000000103", "Transfer-degraded record entry", t),
                None => concept_cd(style, *concept),
            };
            observation(x, style, &e.id, &cd, value.as_ref(), &day, e.nopat);
        }
        EntryKind::Narrative { text } => {
            x.open("NarrativeStatement", &[("classCode", "OBS"), ("moodCode", "EVN")]);
            x.id(&e.id);
            x.text("text", text);
            x.status("COMPLETE");
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            x.close("NarrativeStatement");
        }
        EntryKind::Problem {
            named,
            linked,
            active,
            significant,
            onset,
        } => {
            let (code, display) = if *active {
                ("394774009", "Active problem")
            } else {
                ("394775005", "Inactive problem")
            };
            let (q, qd) = if *significant {
                ("386134007", "Significant")
            } else {
                ("394847000", "Unspecified significance")
            };
            let mut cd = Cd::new(code, SNOMED, display).with_original(format!(
                "{} Problem, {}",
                if *active { "Active" } else { "Past" },
                if *significant { "Significant" } else { "Minor" }
            ));
            cd.qualifier = Some((q, qd));
            x.open("LinkSet", &[("classCode", "OBS"), ("moodCode", "EVN")]);
            x.id(&e.id);
            x.cd("code", &cd);
            x.status("COMPLETE");
            x.open("effectiveTime", &[]);
            x.value_attr("low", &onset.hl7());
            x.close("effectiveTime");
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            for l in linked {
                x.open("component", &[("typeCode", "COMP")]);
                x.open("statementRef", &[("classCode", "OBS"), ("moodCode", "EVN")]);
                x.id(l);
                x.close("statementRef");
                x.close("component");
            }
            x.open(
                "conditionNamed",
                &[("typeCode", "NAME"), ("inversionInd", "true")],
            );
            x.open("namedStatementRef", &[("classCode", "OBS"), ("moodCode", "EVN")]);
            x.id(named);
            x.close("namedStatementRef");
            x.close("conditionNamed");
            x.close("LinkSet");
        }
        EntryKind::Allergy {
            observation_id,
            class,
            allergen,
            reaction,
            degraded,
        } => {
            let wrapper = match class {
                AllergyClass::Drug => Cd::new("14L..00", READ_V2, "H/O: drug allergy"),
                AllergyClass::NonDrug => Cd::new("SN53.00", READ_V2, "Allergy, unspecified"),
            };
            let code = match (degraded, class) {
                (Some(t), AllergyClass::Drug) => {
                    degraded_cd("196461000000101", "Transfer-degraded drug allergy", t)
                }
                (Some(t), AllergyClass::NonDrug) => {
                    degraded_cd("196471000000108", "Transfer-degraded non-drug allergy", t)
                }
                (None, _) => concept_cd(style, *allergen),
            };
            x.open(
                "CompoundStatement",
                &[("classCode", "CATEGORY"), ("moodCode", "EVN")],
            );
            head(x, style, &e.id, Some(&wrapper), "COMPLETE", &day, e.nopat);
            x.open(
                "component",
                &[("typeCode", "COMP"), ("contextConductionInd", "true")],
            );
            x.open(
                "ObservationStatement",
                &[("classCode", "OBS"), ("moodCode", "EVN")],
            );
            head(x, style, observation_id, Some(&code), "COMPLETE", &day, false);
            if style == Style::Emis && degraded.is_none() {
                // EMIS names the allergy again in an EGTON local value code.
                let v = Cd::new(format!("ALLERGY-SYN-{}", allergen.index), EGTON, allergen.term);
                x.cd_typed("value", &v, Some("CD"));
            }
            annotation(x, &format!("Reaction: {reaction}"));
            x.close("ObservationStatement");
            x.close("component");
            x.close("CompoundStatement");
        }
        EntryKind::Report {
            specimen_id,
            lab_number,
            results,
        } => {
            x.open(
                "CompoundStatement",
                &[("classCode", "CLUSTER"), ("moodCode", "EVN")],
            );
            x.id(&e.id);
            x.id_ext("2.16.840.1.113883.2.1.4.5.5", lab_number);
            x.empty(
                "code",
                &[
                    ("code", "16488004"),
                    ("codeSystem", SNOMED),
                    ("displayName", "Laboratory test finding"),
                ],
            );
            x.status("COMPLETE");
            x.center(style, &day);
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            x.open("component", &[("typeCode", "COMP")]);
            x.open(
                "CompoundStatement",
                &[("classCode", "CLUSTER"), ("moodCode", "EVN")],
            );
            x.id(specimen_id);
            x.empty(
                "code",
                &[
                    ("code", "123038009"),
                    ("codeSystem", SNOMED),
                    ("displayName", "Specimen"),
                ],
            );
            x.status("COMPLETE");
            x.center(style, &day);
            x.value_attr("availabilityTime", &day);
            for (id, concept, m) in results {
                x.open("component", &[("typeCode", "COMP")]);
                observation(x, style, id, &concept_cd(style, *concept), Some(m), &day, false);
                x.close("component");
            }
            x.close("CompoundStatement");
            x.close("component");
            x.close("CompoundStatement");
        }
        EntryKind::Plan {
            concept,
            due,
            degraded,
        } => {
            let cd = match degraded {
                Some(t) => degraded_cd("196451000000104", "Transfer-degraded plan", t),
                None => concept_cd(style, *concept),
            };
            x.open("PlanStatement", &[("classCode", "OBS"), ("moodCode", "INT")]);
            x.id(&e.id);
            x.cd("code", &cd);
            x.text("text", concept.term);
            x.status("ACTIVE");
            x.open("effectiveTime", &[]);
            x.value_attr("center", &due.hl7());
            x.close("effectiveTime");
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            x.close("PlanStatement");
        }
        EntryKind::Referral {
            concept,
            urgent,
            degraded,
        } => {
            let cd = match degraded {
                Some(t) => degraded_cd("196431000000106", "Transfer-degraded referral", t),
                None => concept_cd(style, *concept),
            };
            x.open("RequestStatement", &[("classCode", "OBS"), ("moodCode", "RQO")]);
            x.id(&e.id);
            x.cd("code", &cd);
            x.text("text", concept.term);
            x.status("COMPLETE");
            x.center(style, &day);
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            let (p, pd) = if *urgent {
                ("394849002", "High priority")
            } else {
                ("394848005", "Normal priority")
            };
            x.empty(
                "priorityCode",
                &[("code", p), ("codeSystem", SNOMED), ("displayName", pd)],
            );
            x.close("RequestStatement");
        }
        EntryKind::Authorise {
            supply_id,
            prescription,
            repeats,
            active,
            start,
            expiry,
            predecessor,
        } => {
            let status = if *active { "ACTIVE" } else { "COMPLETE" };
            medication_head(x, plan, &e.id, "INT", status, &day, e.nopat, prescription);
            x.open("component", &[("typeCode", "COMP")]);
            x.open(
                "ehrSupplyAuthorise",
                &[("classCode", "SPLY"), ("moodCode", "INT")],
            );
            x.id(supply_id);
            prescription_type(x, style);
            x.status(status);
            x.open("effectiveTime", &[]);
            x.value_attr("low", &start.hl7());
            x.value_attr("high", &expiry.hl7());
            x.close("effectiveTime");
            x.value_attr("availabilityTime", &start.hl7());
            x.value_attr("repeatNumber", &repeats.to_string());
            quantity(x, prescription);
            if let Some(p) = predecessor {
                x.open("predecessor", &[("typeCode", "SUCC")]);
                x.open(
                    "priorMedicationRef",
                    &[("classCode", "SBADM"), ("moodCode", "INT")],
                );
                x.id(p);
                x.close("priorMedicationRef");
                x.close("predecessor");
            }
            x.close("ehrSupplyAuthorise");
            x.close("component");
            dosage(x, prescription);
            x.close("MedicationStatement");
        }
        EntryKind::Issue {
            supply_id,
            authorise,
            prescription,
            date,
        } => {
            medication_head(x, plan, &e.id, "ORD", "COMPLETE", &day, e.nopat, prescription);
            x.open("component", &[("typeCode", "COMP")]);
            let mood = if style == Style::Emis { "ORD" } else { "RQO" };
            x.open("ehrSupplyPrescribe", &[("classCode", "SPLY"), ("moodCode", mood)]);
            x.id(supply_id);
            prescription_type(x, style);
            x.status("COMPLETE");
            x.value_attr("availabilityTime", &date.hl7());
            quantity(x, prescription);
            x.open("inFulfillmentOf", &[("typeCode", "FLFS")]);
            x.open(
                "priorMedicationRef",
                &[("classCode", "SBADM"), ("moodCode", "INT")],
            );
            x.id(authorise);
            x.close("priorMedicationRef");
            x.close("inFulfillmentOf");
            x.close("ehrSupplyPrescribe");
            x.close("component");
            dosage(x, prescription);
            x.close("MedicationStatement");
        }
        EntryKind::Discontinue {
            supply_id,
            authorise,
            prescription,
            reason,
        } => {
            medication_head(x, plan, &e.id, "RMD", "COMPLETE", &day, e.nopat, prescription);
            x.open("component", &[("typeCode", "COMP")]);
            x.open(
                "ehrSupplyDiscontinue",
                &[("classCode", "SPLY"), ("moodCode", "RQO")],
            );
            x.id(supply_id);
            match style {
                Style::Emis => x.cd(
                    "code",
                    &Cd::new("EMISDRUG_DISCONTINUATION", EGTON, "Medication Course Ended")
                        .with_original(*reason),
                ),
                _ => {
                    x.open("code", &[("nullFlavor", "UNK")]);
                    x.text("originalText", reason);
                    x.close("code");
                }
            }
            x.status("COMPLETE");
            x.value_attr("availabilityTime", &day);
            x.open("reversalOf", &[("typeCode", "REV")]);
            x.open(
                "priorMedicationRef",
                &[("classCode", "SBADM"), ("moodCode", "INT")],
            );
            x.id(authorise);
            x.close("priorMedicationRef");
            x.close("reversalOf");
            x.open("pertinentInformation", &[("typeCode", "PERT")]);
            x.open(
                "pertinentSupplyAnnotation",
                &[("classCode", "OBS"), ("moodCode", "EVN")],
            );
            x.text("text", reason);
            x.close("pertinentSupplyAnnotation");
            x.close("pertinentInformation");
            x.close("ehrSupplyDiscontinue");
            x.close("component");
            x.close("MedicationStatement");
        }
        EntryKind::Document {
            document_id,
            kind,
            file_name,
            absent,
            ..
        } => {
            let vocab = crate::vocab::Vocabulary::standard();
            let d = vocab.documents.get(*kind).copied().unwrap_or(vocab.documents[0]);
            x.open("NarrativeStatement", &[("classCode", "OBS"), ("moodCode", "EVN")]);
            x.id(&e.id);
            x.text(
                "text",
                &format!(
                    "Type: {} Custodian Org: {} Description: {}",
                    d.title, plan.sender.ods, d.title
                ),
            );
            x.status("COMPLETE");
            x.value_attr("availabilityTime", &day);
            x.nopat(e.nopat);
            x.open("reference", &[("typeCode", "REFR")]);
            x.open(
                "referredToExternalDocument",
                &[("classCode", "DOC"), ("moodCode", "EVN")],
            );
            x.id(document_id);
            if *absent {
                x.cd(
                    "code",
                    &Cd::new("25821000000100", SNOMED, "Absent Attachment")
                        .with_original("Absent Attachment"),
                );
                x.open("text", &[("mediaType", "text/plain")]);
                x.empty(
                    "reference",
                    &[("value", &format!("file://localhost/{}", absent_name(document_id)))],
                );
            } else {
                x.empty(
                    "code",
                    &[
                        ("code", "37251000000104"),
                        ("codeSystem", SNOMED),
                        ("displayName", "Other digital signal"),
                    ],
                );
                x.open("text", &[("mediaType", d.media_type)]);
                x.empty(
                    "reference",
                    &[("value", &format!("file://localhost/{file_name}"))],
                );
            }
            x.close("text");
            x.close("referredToExternalDocument");
            x.close("reference");
            x.close("NarrativeStatement");
        }
    }
}

/// The file name of a document's placeholder: `AbsentAttachment<id>.txt`.
pub fn absent_name(document_id: &str) -> String {
    format!("AbsentAttachment{document_id}.txt")
}

#[allow(clippy::too_many_arguments)]
fn medication_head(
    x: &mut Xml,
    plan: &RecordPlan,
    id: &str,
    mood: &str,
    status: &str,
    day: &str,
    nopat: bool,
    p: &Prescription,
) {
    let style = plan.style;
    x.open(
        "MedicationStatement",
        &[("classCode", "SBADM"), ("moodCode", mood)],
    );
    x.id(id);
    x.status(status);
    x.center(style, if style == Style::Emis { "" } else { day });
    x.value_attr("availabilityTime", day);
    x.nopat(nopat);
    x.open("consumable", &[("typeCode", "CSM")]);
    x.open("manufacturedProduct", &[("classCode", "MANU")]);
    x.open(
        "manufacturedMaterial",
        &[("classCode", "MMAT"), ("determinerCode", "KIND")],
    );
    x.cd("code", &drug_cd(style, p.drug));
    x.close("manufacturedMaterial");
    x.close("manufacturedProduct");
    x.close("consumable");
}

fn prescription_type(x: &mut Xml, style: Style) {
    match style {
        Style::Emis => x.empty(
            "code",
            &[
                ("code", "9bG0.00"),
                ("codeSystem", READ_V2),
                ("displayName", "NHS prescription"),
            ],
        ),
        _ => x.empty(
            "code",
            &[
                ("code", "394823007"),
                ("codeSystem", SNOMED),
                ("displayName", "NHS prescription"),
            ],
        ),
    }
}

fn quantity(x: &mut Xml, p: &Prescription) {
    let q = p.quantity.to_string();
    x.open("quantity", &[("value", &q), ("unit", "1")]);
    x.open("translation", &[("value", &q)]);
    x.text("originalText", p.unit);
    x.close("translation");
    x.close("quantity");
}

fn dosage(x: &mut Xml, p: &Prescription) {
    x.open("pertinentInformation", &[("typeCode", "PERT")]);
    x.open(
        "pertinentMedicationDosage",
        &[("classCode", "SBADM"), ("moodCode", "RMD")],
    );
    x.text("text", p.dosage);
    x.close("pertinentMedicationDosage");
    x.close("pertinentInformation");
}
