//! The generator's own small vocabulary: drugs, problems, allergens, observations, pathology tests
//! and documents, written for this crate. Nothing here is copied from a terminology release.
//!
//! Every clinical code is made up and marked as such: SNOMED-style ids are built by
//! [`synthetic_sctid`] (item identifier starting `999`, a real-looking namespace, partition and a
//! valid Verhoeff check digit, so they pass a format check but name nothing real); Read-style codes
//! start with `Y` and supplier drug codes with `SYN` / `99`. The only real codes the generator writes
//! are the structural ones the format needs (allergy wrappers `14L..00`/`SN53.00`, the
//! transfer-degraded concepts, problem status, composition and document types, code-system OIDs).

/// The item-identifier prefix of every SNOMED-style id this crate makes up.
pub const SYNTHETIC_ITEM_PREFIX: &str = "999";

/// A made-up SNOMED CT identifier: `999<item>` + namespace + partition + Verhoeff check digit.
/// `drug` ids use the dm+d namespace shape (`1000001`), others the UK clinical one (`1000000`).
pub fn synthetic_sctid(item: u32, drug: bool) -> String {
    let namespace = if drug { "1000001" } else { "1000000" };
    let body = format!("{SYNTHETIC_ITEM_PREFIX}{item:05}{namespace}10");
    let check = verhoeff_check(&body);
    format!("{body}{check}")
}

/// The Verhoeff check digit of a string of decimal digits.
pub fn verhoeff_check(digits: &str) -> u8 {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];
    let mut c = 0u8;
    for (i, b) in digits.bytes().rev().filter(u8::is_ascii_digit).enumerate() {
        c = D[c as usize][P[(i + 1) % 8][(b - b'0') as usize] as usize];
    }
    INV[c as usize]
}

/// A made-up Read-style code for item `n`: `Y` + three base-36 characters + `.`, plus the two-digit
/// term code for Read v2 (`Y00A.00`), without it for CTV3 (`Y00A.`).
pub fn synthetic_read(n: u32, term_code: bool) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let d = |k: u32| DIGITS[(k % 36) as usize] as char;
    let base = format!("Y{}{}{}.", d(n / 1296), d(n / 36), d(n));
    if term_code {
        format!("{base}00")
    } else {
        base
    }
}

/// A drug the generator prescribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drug {
    pub name: &'static str,
    /// Unit words of the quantity ("tablet", "ml", "gram").
    pub unit: &'static str,
    /// Usual quantity per issue.
    pub pack: u32,
    pub dosage: &'static str,
    /// Usually a repeat (long-term) rather than an acute course.
    pub long_term: bool,
}

/// A problem (condition) that can head a LinkSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub term: &'static str,
    /// Observations that belong with it (names in [`Vocabulary::observations`]).
    pub monitor: &'static [&'static str],
}

/// Drug allergy or non-drug allergy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllergyClass {
    Drug,
    NonDrug,
}

/// An allergen with the allergy's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allergen {
    pub class: AllergyClass,
    /// The allergy as coded ("Allergy to penicillin").
    pub term: &'static str,
    /// The substance ("Penicillin").
    pub substance: &'static str,
    pub reactions: &'static [&'static str],
}

/// An observation with a numeric value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub term: &'static str,
    /// UCUM-style unit written on the value.
    pub unit: &'static str,
    /// Normal range.
    pub low: f64,
    pub high: f64,
    /// Range of plausible values.
    pub min: f64,
    pub max: f64,
    pub decimals: u8,
}

/// A kind of document or letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentKind {
    pub title: &'static str,
    /// File extension and MIME type of the attachment.
    pub extension: &'static str,
    pub media_type: &'static str,
}

/// The whole vocabulary. [`Vocabulary::standard`] is the one the generator uses.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    pub drugs: &'static [Drug],
    pub conditions: &'static [Condition],
    pub allergens: &'static [Allergen],
    pub observations: &'static [Measurement],
    /// Pathology tests (a report holds several).
    pub tests: &'static [Measurement],
    pub findings: &'static [&'static str],
    pub documents: &'static [DocumentKind],
    /// Original terms of entries the sender could not code (record entries).
    pub degraded_entries: &'static [&'static str],
    /// Local mixtures and specials (degraded medication).
    pub degraded_drugs: &'static [&'static str],
    /// Free-text allergies (degraded drug / non-drug allergies).
    pub degraded_drug_allergies: &'static [&'static str],
    pub degraded_non_drug_allergies: &'static [&'static str],
    pub discontinuation_reasons: &'static [&'static str],
    pub consultation_notes: &'static [&'static str],
}

const DRUGS: &[Drug] = &[
    Drug {
        name: "Amlodipine 5mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet once daily",
        long_term: true,
    },
    Drug {
        name: "Amlodipine 10mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet once daily",
        long_term: true,
    },
    Drug {
        name: "Ramipril 2.5mg capsules",
        unit: "capsule",
        pack: 28,
        dosage: "One capsule once daily",
        long_term: true,
    },
    Drug {
        name: "Ramipril 5mg capsules",
        unit: "capsule",
        pack: 28,
        dosage: "One capsule once daily",
        long_term: true,
    },
    Drug {
        name: "Atorvastatin 20mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet at night",
        long_term: true,
    },
    Drug {
        name: "Simvastatin 40mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet at night",
        long_term: true,
    },
    Drug {
        name: "Metformin 500mg tablets",
        unit: "tablet",
        pack: 56,
        dosage: "One tablet twice daily with meals",
        long_term: true,
    },
    Drug {
        name: "Gliclazide 80mg tablets",
        unit: "tablet",
        pack: 56,
        dosage: "One tablet twice daily",
        long_term: true,
    },
    Drug {
        name: "Levothyroxine 50microgram tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet each morning",
        long_term: true,
    },
    Drug {
        name: "Levothyroxine 100microgram tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet each morning",
        long_term: true,
    },
    Drug {
        name: "Omeprazole 20mg gastro-resistant capsules",
        unit: "capsule",
        pack: 28,
        dosage: "One capsule daily before breakfast",
        long_term: true,
    },
    Drug {
        name: "Lansoprazole 30mg gastro-resistant capsules",
        unit: "capsule",
        pack: 28,
        dosage: "One capsule daily",
        long_term: true,
    },
    Drug {
        name: "Salbutamol 100micrograms/dose inhaler",
        unit: "dose",
        pack: 200,
        dosage: "Two puffs when required",
        long_term: true,
    },
    Drug {
        name: "Beclometasone 100micrograms/dose inhaler",
        unit: "dose",
        pack: 200,
        dosage: "Two puffs twice daily",
        long_term: true,
    },
    Drug {
        name: "Sertraline 50mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet once daily",
        long_term: true,
    },
    Drug {
        name: "Citalopram 20mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet once daily",
        long_term: true,
    },
    Drug {
        name: "Bendroflumethiazide 2.5mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet each morning",
        long_term: true,
    },
    Drug {
        name: "Bisoprolol 2.5mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet once daily",
        long_term: true,
    },
    Drug {
        name: "Warfarin 1mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "As directed by the anticoagulation clinic",
        long_term: true,
    },
    Drug {
        name: "Colecalciferol 800unit capsules",
        unit: "capsule",
        pack: 30,
        dosage: "One capsule daily",
        long_term: true,
    },
    Drug {
        name: "Amoxicillin 500mg capsules",
        unit: "capsule",
        pack: 21,
        dosage: "One capsule three times a day for 7 days",
        long_term: false,
    },
    Drug {
        name: "Phenoxymethylpenicillin 250mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "Two tablets four times a day for 7 days",
        long_term: false,
    },
    Drug {
        name: "Clarithromycin 500mg tablets",
        unit: "tablet",
        pack: 14,
        dosage: "One tablet twice daily for 7 days",
        long_term: false,
    },
    Drug {
        name: "Doxycycline 100mg capsules",
        unit: "capsule",
        pack: 8,
        dosage: "Two on the first day then one daily",
        long_term: false,
    },
    Drug {
        name: "Nitrofurantoin 50mg capsules",
        unit: "capsule",
        pack: 12,
        dosage: "One capsule four times a day for 3 days",
        long_term: false,
    },
    Drug {
        name: "Trimethoprim 200mg tablets",
        unit: "tablet",
        pack: 6,
        dosage: "One tablet twice daily for 3 days",
        long_term: false,
    },
    Drug {
        name: "Prednisolone 5mg tablets",
        unit: "tablet",
        pack: 30,
        dosage: "Six tablets each morning for 5 days",
        long_term: false,
    },
    Drug {
        name: "Paracetamol 500mg tablets",
        unit: "tablet",
        pack: 32,
        dosage: "Two tablets up to four times a day",
        long_term: false,
    },
    Drug {
        name: "Ibuprofen 400mg tablets",
        unit: "tablet",
        pack: 24,
        dosage: "One tablet three times a day with food",
        long_term: false,
    },
    Drug {
        name: "Naproxen 250mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet twice daily with food",
        long_term: false,
    },
    Drug {
        name: "Codeine 30mg tablets",
        unit: "tablet",
        pack: 28,
        dosage: "One tablet up to four times a day",
        long_term: false,
    },
    Drug {
        name: "Emollient cream",
        unit: "gram",
        pack: 500,
        dosage: "Apply to dry skin as often as required",
        long_term: true,
    },
    Drug {
        name: "Hydrocortisone 1% cream",
        unit: "gram",
        pack: 30,
        dosage: "Apply thinly twice daily",
        long_term: false,
    },
    Drug {
        name: "Chloramphenicol 0.5% eye drops",
        unit: "ml",
        pack: 10,
        dosage: "One drop every two hours",
        long_term: false,
    },
    Drug {
        name: "Cetirizine 10mg tablets",
        unit: "tablet",
        pack: 30,
        dosage: "One tablet once daily",
        long_term: false,
    },
    Drug {
        name: "Lactulose oral solution",
        unit: "ml",
        pack: 300,
        dosage: "15ml twice daily",
        long_term: false,
    },
];

const CONDITIONS: &[Condition] = &[
    Condition {
        term: "Essential hypertension",
        monitor: &["Systolic blood pressure", "Diastolic blood pressure"],
    },
    Condition {
        term: "Type 2 diabetes mellitus",
        monitor: &["HbA1c level", "Body weight"],
    },
    Condition {
        term: "Asthma",
        monitor: &["Peak expiratory flow rate"],
    },
    Condition {
        term: "Hypothyroidism",
        monitor: &["Serum TSH level"],
    },
    Condition {
        term: "Depressive episode",
        monitor: &[],
    },
    Condition {
        term: "Osteoarthritis of knee",
        monitor: &["Body weight"],
    },
    Condition {
        term: "Gastro-oesophageal reflux disease",
        monitor: &[],
    },
    Condition {
        term: "Hypercholesterolaemia",
        monitor: &["Serum cholesterol level"],
    },
    Condition {
        term: "Atrial fibrillation",
        monitor: &["Pulse rate"],
    },
    Condition {
        term: "Chronic kidney disease stage 3",
        monitor: &["Estimated GFR", "Serum creatinine level"],
    },
    Condition {
        term: "Eczema",
        monitor: &[],
    },
    Condition {
        term: "Migraine",
        monitor: &[],
    },
    Condition {
        term: "Low back pain",
        monitor: &[],
    },
    Condition {
        term: "Iron deficiency anaemia",
        monitor: &["Haemoglobin concentration"],
    },
    Condition {
        term: "Chronic obstructive pulmonary disease",
        monitor: &["Peak expiratory flow rate"],
    },
    Condition {
        term: "Anxiety state",
        monitor: &[],
    },
    Condition {
        term: "Gout",
        monitor: &["Serum urate level"],
    },
    Condition {
        term: "Fracture of wrist",
        monitor: &[],
    },
    Condition {
        term: "Appendicectomy",
        monitor: &[],
    },
    Condition {
        term: "Obesity",
        monitor: &["Body weight", "Body mass index"],
    },
];

const ALLERGENS: &[Allergen] = &[
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to penicillin",
        substance: "Penicillin",
        reactions: &["Rash", "Urticaria", "Facial swelling"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to amoxicillin",
        substance: "Amoxicillin",
        reactions: &["Rash", "Itching"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to aspirin",
        substance: "Aspirin",
        reactions: &["Wheeze", "Urticaria"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to codeine",
        substance: "Codeine",
        reactions: &["Vomiting", "Dizziness"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to trimethoprim",
        substance: "Trimethoprim",
        reactions: &["Rash"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to ibuprofen",
        substance: "Ibuprofen",
        reactions: &["Wheeze", "Swollen lips"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to clarithromycin",
        substance: "Clarithromycin",
        reactions: &["Diarrhoea", "Rash"],
    },
    Allergen {
        class: AllergyClass::Drug,
        term: "Allergy to sulfonamide",
        substance: "Sulfonamide",
        reactions: &["Rash", "Fever"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to peanuts",
        substance: "Peanut",
        reactions: &["Anaphylaxis", "Swollen lips"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to house dust mite",
        substance: "House dust mite",
        reactions: &["Rhinitis", "Wheeze"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to cat dander",
        substance: "Cat dander",
        reactions: &["Sneezing", "Itchy eyes"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to latex",
        substance: "Latex",
        reactions: &["Contact dermatitis"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to wasp venom",
        substance: "Wasp venom",
        reactions: &["Local swelling", "Anaphylaxis"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to grass pollen",
        substance: "Grass pollen",
        reactions: &["Hay fever"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to egg",
        substance: "Egg",
        reactions: &["Urticaria"],
    },
    Allergen {
        class: AllergyClass::NonDrug,
        term: "Allergy to sticking plaster",
        substance: "Adhesive plaster",
        reactions: &["Blistering"],
    },
];

const OBSERVATIONS: &[Measurement] = &[
    Measurement {
        term: "Systolic blood pressure",
        unit: "mm[Hg]",
        low: 90.0,
        high: 140.0,
        min: 95.0,
        max: 185.0,
        decimals: 0,
    },
    Measurement {
        term: "Diastolic blood pressure",
        unit: "mm[Hg]",
        low: 60.0,
        high: 90.0,
        min: 55.0,
        max: 110.0,
        decimals: 0,
    },
    Measurement {
        term: "Body weight",
        unit: "kg",
        low: 50.0,
        high: 90.0,
        min: 45.0,
        max: 130.0,
        decimals: 1,
    },
    Measurement {
        term: "Body height",
        unit: "m",
        low: 1.5,
        high: 1.9,
        min: 1.45,
        max: 1.98,
        decimals: 2,
    },
    Measurement {
        term: "Body mass index",
        unit: "kg/m2",
        low: 18.5,
        high: 25.0,
        min: 17.0,
        max: 42.0,
        decimals: 1,
    },
    Measurement {
        term: "Pulse rate",
        unit: "/min",
        low: 60.0,
        high: 100.0,
        min: 48.0,
        max: 120.0,
        decimals: 0,
    },
    Measurement {
        term: "Peak expiratory flow rate",
        unit: "L/min",
        low: 350.0,
        high: 650.0,
        min: 180.0,
        max: 680.0,
        decimals: 0,
    },
    Measurement {
        term: "Body temperature",
        unit: "Cel",
        low: 36.1,
        high: 37.5,
        min: 35.8,
        max: 39.4,
        decimals: 1,
    },
    Measurement {
        term: "Oxygen saturation",
        unit: "%",
        low: 95.0,
        high: 100.0,
        min: 90.0,
        max: 100.0,
        decimals: 0,
    },
    Measurement {
        term: "Waist circumference",
        unit: "cm",
        low: 70.0,
        high: 94.0,
        min: 62.0,
        max: 130.0,
        decimals: 0,
    },
    Measurement {
        term: "Alcohol units per week",
        unit: "/wk",
        low: 0.0,
        high: 14.0,
        min: 0.0,
        max: 40.0,
        decimals: 0,
    },
];

const TESTS: &[Measurement] = &[
    Measurement {
        term: "Haemoglobin concentration",
        unit: "g/L",
        low: 120.0,
        high: 160.0,
        min: 95.0,
        max: 175.0,
        decimals: 0,
    },
    Measurement {
        term: "White blood cell count",
        unit: "10*9/L",
        low: 4.0,
        high: 11.0,
        min: 2.5,
        max: 16.0,
        decimals: 1,
    },
    Measurement {
        term: "Platelet count",
        unit: "10*9/L",
        low: 150.0,
        high: 400.0,
        min: 110.0,
        max: 520.0,
        decimals: 0,
    },
    Measurement {
        term: "Serum sodium level",
        unit: "mmol/L",
        low: 133.0,
        high: 146.0,
        min: 128.0,
        max: 149.0,
        decimals: 0,
    },
    Measurement {
        term: "Serum potassium level",
        unit: "mmol/L",
        low: 3.5,
        high: 5.3,
        min: 3.1,
        max: 5.9,
        decimals: 1,
    },
    Measurement {
        term: "Serum creatinine level",
        unit: "umol/L",
        low: 59.0,
        high: 104.0,
        min: 45.0,
        max: 180.0,
        decimals: 0,
    },
    Measurement {
        term: "Estimated GFR",
        unit: "mL/min/{1.73_m2}",
        low: 60.0,
        high: 120.0,
        min: 28.0,
        max: 110.0,
        decimals: 0,
    },
    Measurement {
        term: "HbA1c level",
        unit: "mmol/mol",
        low: 20.0,
        high: 42.0,
        min: 32.0,
        max: 95.0,
        decimals: 0,
    },
    Measurement {
        term: "Serum TSH level",
        unit: "mU/L",
        low: 0.3,
        high: 4.2,
        min: 0.1,
        max: 9.5,
        decimals: 2,
    },
    Measurement {
        term: "Serum cholesterol level",
        unit: "mmol/L",
        low: 2.5,
        high: 5.0,
        min: 3.0,
        max: 8.1,
        decimals: 1,
    },
    Measurement {
        term: "Serum urate level",
        unit: "umol/L",
        low: 200.0,
        high: 430.0,
        min: 180.0,
        max: 560.0,
        decimals: 0,
    },
    Measurement {
        term: "Serum ferritin level",
        unit: "ug/L",
        low: 30.0,
        high: 400.0,
        min: 6.0,
        max: 450.0,
        decimals: 0,
    },
];

const FINDINGS: &[&str] = &[
    "Sore throat symptom",
    "Cough",
    "Headache",
    "Low back pain symptom",
    "Tiredness symptom",
    "Medication review done",
    "Smoking cessation advice given",
    "Never smoked tobacco",
    "Ex-smoker",
    "Influenza vaccination given",
    "Seen in surgery",
    "Telephone consultation",
    "Chest clear on auscultation",
    "Ear wax",
    "Insect bite",
];

const DOCUMENTS: &[DocumentKind] = &[
    DocumentKind {
        title: "Discharge summary",
        extension: "pdf",
        media_type: "application/pdf",
    },
    DocumentKind {
        title: "Letter from specialist",
        extension: "pdf",
        media_type: "application/pdf",
    },
    DocumentKind {
        title: "Outpatient clinic letter",
        extension: "rtf",
        media_type: "application/rtf",
    },
    DocumentKind {
        title: "Scanned referral letter",
        extension: "tif",
        media_type: "image/tiff",
    },
    DocumentKind {
        title: "Photograph of skin lesion",
        extension: "png",
        media_type: "image/png",
    },
    DocumentKind {
        title: "Radiology report",
        extension: "txt",
        media_type: "text/plain",
    },
];

const DEGRADED_ENTRIES: &[&str] = &[
    "Seen by practice nurse re dressing (local code)",
    "Carer's allowance form completed",
    "Practice local: frailty screen, mild",
    "DNA x2 diabetic review",
    "Social prescribing link worker contact",
    "Local template: foot check - pulses present",
    "Old Read code: O/E - swelling of ankle (legacy)",
];

const DEGRADED_DRUGS: &[&str] = &[
    "Menthol 1% in aqueous cream (special order)",
    "Magnesium glycerophosphate 4mmol chewable tablets (unlicensed)",
    "Sodium chloride 0.9% nebuliser liquid - local formulary",
    "Codeine linctus sugar free 15mg/5ml (historic)",
    "Hospital-only: methotrexate 2.5mg weekly (shared care)",
];

const DEGRADED_DRUG_ALLERGIES: &[&str] = &[
    "Reaction to co-amoxiclav as a child - mother unsure",
    "Allergic to 'mycin' antibiotics per patient",
    "Adverse reaction to tramadol - hallucinations",
    "Sensitivity to iodine contrast (hospital letter)",
];

const DEGRADED_NON_DRUG_ALLERGIES: &[&str] = &[
    "Reacts to hair dye (PPD) - blistering scalp",
    "Allergic to kiwi fruit - tingling mouth",
    "Nickel sensitivity - watch straps",
];

const DISCONTINUATION_REASONS: &[&str] = &[
    "Course completed",
    "Side effects - ankle swelling",
    "Changed to alternative",
    "No longer required",
    "Patient request",
];

const CONSULTATION_NOTES: &[&str] = &[
    "Feeling much better since last visit.",
    "Reviewed results with patient; plan discussed.",
    "Advised rest, fluids and paracetamol. Return if worse.",
    "Safety-netting advice given.",
    "Patient well, no new concerns.",
    "Discussed diet and exercise.",
];

impl Vocabulary {
    /// The vocabulary the generator uses.
    pub fn standard() -> Vocabulary {
        Vocabulary {
            drugs: DRUGS,
            conditions: CONDITIONS,
            allergens: ALLERGENS,
            observations: OBSERVATIONS,
            tests: TESTS,
            findings: FINDINGS,
            documents: DOCUMENTS,
            degraded_entries: DEGRADED_ENTRIES,
            degraded_drugs: DEGRADED_DRUGS,
            degraded_drug_allergies: DEGRADED_DRUG_ALLERGIES,
            degraded_non_drug_allergies: DEGRADED_NON_DRUG_ALLERGIES,
            discontinuation_reasons: DISCONTINUATION_REASONS,
            consultation_notes: CONSULTATION_NOTES,
        }
    }
}

/// Which list a concept comes from; keeps the made-up codes of different lists apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConceptList {
    Drug,
    Condition,
    Allergen,
    Observation,
    Test,
    Finding,
    /// Recalls and referrals.
    Procedure,
}

/// A concept of the vocabulary: which list, which item, and its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Concept {
    pub list: ConceptList,
    pub index: u16,
    pub term: &'static str,
}

impl Concept {
    pub fn new(list: ConceptList, index: usize, term: &'static str) -> Concept {
        Concept {
            list,
            index: index as u16,
            term,
        }
    }

    fn item(self) -> u32 {
        let base = match self.list {
            ConceptList::Drug => 1000,
            ConceptList::Condition => 2000,
            ConceptList::Allergen => 3000,
            ConceptList::Observation => 4000,
            ConceptList::Test => 5000,
            ConceptList::Finding => 6000,
            ConceptList::Procedure => 7000,
        };
        base + u32::from(self.index)
    }

    /// The made-up SNOMED-style id (dm+d shaped for drugs).
    pub fn snomed(self) -> String {
        synthetic_sctid(self.item(), self.list == ConceptList::Drug)
    }

    /// The made-up Read v2 code (`Y...00`).
    pub fn read_v2(self) -> String {
        synthetic_read(self.item() - 1000, true)
    }

    /// The made-up CTV3 code (`Y....`).
    pub fn ctv3(self) -> String {
        synthetic_read(self.item() - 1000, false)
    }

    /// A made-up EMIS drug code (`SYN<n>EMIS`).
    pub fn emis_drug(self) -> String {
        format!("SYN{:04}NEMIS", self.index)
    }

    /// A made-up 8-digit (Multilex-style) drug code, `99` + six digits.
    pub fn multilex(self) -> String {
        format!("99{:06}", u32::from(self.index) * 17 + 1001)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verhoeff_known_values() {
        // Classic examples: 236 -> 3, 12345 -> 1.
        assert_eq!(verhoeff_check("236"), 3);
        assert_eq!(verhoeff_check("12345"), 1);
    }

    #[test]
    fn synthetic_ids_are_well_formed_and_distinct() {
        let v = Vocabulary::standard();
        let mut seen = std::collections::HashSet::new();
        for (i, d) in v.drugs.iter().enumerate() {
            let id = Concept::new(ConceptList::Drug, i, d.name).snomed();
            assert!(id.starts_with(SYNTHETIC_ITEM_PREFIX));
            assert_eq!(
                &id[id.len() - 3..id.len() - 1],
                "10",
                "partition: concept in an extension"
            );
            let (body, check) = id.split_at(id.len() - 1);
            assert_eq!(check, verhoeff_check(body).to_string());
            assert!(seen.insert(id));
        }
        let r = Concept::new(ConceptList::Finding, 3, "x").read_v2();
        assert_eq!(r.len(), 7);
        assert!(r.starts_with('Y') && r.ends_with("00"));
        assert!(seen.insert(Concept::new(ConceptList::Condition, 0, "x").snomed()));
    }
}
