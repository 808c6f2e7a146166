//! Synthetic people and practices: patients with NHS numbers from the 999 test range, the
//! registration the gaining practice would hold, practices with ODS codes that say they are fake,
//! and the clinicians of the agent directory.

use crate::rng::Rng;
use crate::time::Date;

/// The NHS number check digit (modulus 11 over the first nine digits), or `None` when the nine
/// digits have no valid number (remainder 10).
pub fn nhs_check_digit(nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = nine
        .iter()
        .zip((2..=10u32).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// Whether `s` is a valid NHS number (ten digits, right check digit).
pub fn is_valid_nhs_number(s: &str) -> bool {
    let d: Vec<u8> = s.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if d.len() != 10 || d.iter().any(|x| *x > 9) {
        return false;
    }
    let mut nine = [0u8; 9];
    nine.copy_from_slice(&d[..9]);
    nhs_check_digit(&nine) == Some(d[9])
}

/// A valid NHS number in the `999` test range (never issued to a real person).
pub fn test_nhs_number(rng: &mut Rng) -> String {
    loop {
        let mut nine = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
        for d in nine.iter_mut().skip(3) {
            *d = rng.below(10) as u8;
        }
        if let Some(c) = nhs_check_digit(&nine) {
            return nine
                .iter()
                .chain([c].iter())
                .map(|d| char::from(b'0' + d))
                .collect();
        }
    }
}

/// Administrative sex as a practice records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
}

/// A postal address (always in the `ZZ99` pseudo-postcode area).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub lines: Vec<String>,
    pub postcode: String,
}

/// A synthetic patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub nhs_number: String,
    pub given: String,
    /// Always ends in `-SYNTHETIC`, so no screen can mistake the record for a real person's.
    pub family: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: Address,
}

/// What the practice's registration would hold for the patient: the demographics the inbox matches
/// the record against (an EhrExtract carries only the NHS number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub nhs_number: String,
    pub given: String,
    pub family: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: Address,
    /// ODS code of the practice holding the registration (the gaining practice).
    pub practice_ods: String,
    pub registered: Date,
}

/// A practice: ODS code (`SYN` + three digits, not a real code) and a name that says it is a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practice {
    pub ods: String,
    pub name: String,
    /// The practice's system ASID (12 digits, `9999` prefix).
    pub asid: String,
}

/// A clinician in the agent directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub prefix: &'static str,
    pub given: &'static str,
    pub family: &'static str,
    pub role: &'static str,
}

const GIVEN_F: &[&str] = &[
    "Ada", "Beatrice", "Clara", "Dorothy", "Eleanor", "Florence", "Grace", "Harriet", "Isla", "Jasmine",
    "Keira", "Lucy", "Maya", "Nora", "Olivia", "Priya", "Ruby", "Sofia", "Tara", "Zara",
];
const GIVEN_M: &[&str] = &[
    "Aaron", "Bilal", "Callum", "Daniel", "Ewan", "Finley", "George", "Harvey", "Idris", "Jacob", "Kai",
    "Leo", "Mohammed", "Noah", "Oscar", "Patrick", "Reuben", "Samuel", "Theo", "William",
];
/// Family names that sound like test data on purpose.
const FAMILY: &[&str] = &[
    "Testington",
    "Mockridge",
    "Fakenham",
    "Dummett",
    "Sampleton",
    "Placeholt",
    "Specimen",
    "Examplar",
    "Trialby",
    "Proofwell",
    "Drybrook",
    "Stubbings",
    "Fixturely",
    "Seedwell",
];
const STREETS: &[&str] = &[
    "Test Street",
    "Sample Road",
    "Example Lane",
    "Synthetic Avenue",
    "Fixture Close",
    "Mock Crescent",
];
const TOWNS: &[&str] = &["Testville", "Sampleford", "Nowhere-on-Sea", "Examplebury"];
const ROLES: &[&str] = &[
    "General Practitioner",
    "Practice Nurse",
    "Salaried GP",
    "GP Registrar",
];
const CLINICIAN_GIVEN: &[&str] = &[
    "Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Jamie", "Riley",
];

impl Patient {
    pub fn generate(rng: &mut Rng, today: Date) -> Patient {
        let sex = if rng.percent(50) { Sex::Female } else { Sex::Male };
        let given = match sex {
            Sex::Female => rng.pick(GIVEN_F),
            Sex::Male => rng.pick(GIVEN_M),
        };
        let age_days = rng.range(365, 95 * 365) as i64;
        Patient {
            nhs_number: test_nhs_number(rng),
            given: given.to_owned(),
            family: format!("{}-SYNTHETIC", rng.pick(FAMILY).to_ascii_uppercase()),
            birth_date: today.add_days(-age_days),
            sex,
            address: Address {
                lines: vec![
                    format!("{} {}", rng.range(1, 199), rng.pick(STREETS)),
                    rng.pick(TOWNS).to_owned(),
                ],
                postcode: format!("ZZ99 {}{}{}", rng.range(1, 9), letter(rng), letter(rng)),
            },
        }
    }

    /// The registration the gaining practice holds for this patient.
    pub fn registration(&self, practice: &Practice, registered: Date) -> Registration {
        Registration {
            nhs_number: self.nhs_number.clone(),
            given: self.given.clone(),
            family: self.family.clone(),
            birth_date: self.birth_date,
            sex: self.sex,
            address: self.address.clone(),
            practice_ods: practice.ods.clone(),
            registered,
        }
    }
}

fn letter(rng: &mut Rng) -> char {
    char::from(b'A' + rng.below(26) as u8)
}

impl Practice {
    pub fn generate(rng: &mut Rng) -> Practice {
        let n = rng.range(1, 999);
        Practice {
            ods: format!("SYN{n:03}"),
            name: format!("{} Synthetic Test Surgery (not a real practice)", rng.pick(TOWNS)),
            asid: format!("9999{:08}", rng.below(100_000_000)),
        }
    }
}

impl Agent {
    pub fn generate(rng: &mut Rng, id: String) -> Agent {
        let role = rng.pick(ROLES);
        Agent {
            id,
            prefix: if role == "Practice Nurse" { "Nurse" } else { "Dr" },
            given: rng.pick(CLINICIAN_GIVEN),
            family: rng.pick(FAMILY),
            role,
        }
    }
}

impl Registration {
    /// The registration as the practice's import file holds it (one JSON object of
    /// `registrations.json`): `nhsNumber`, `givenName`, `familyName`, `dateOfBirth` and
    /// `registeredOn` as `YYYY-MM-DD`, `sex` (`female`/`male`), `address` lines, `postcode`,
    /// `practiceOds`, and `synthetic: true`.
    pub fn to_json(&self) -> serde_json::Value {
        let iso = |d: Date| {
            let (y, m, day) = d.ymd();
            format!("{y:04}-{m:02}-{day:02}")
        };
        serde_json::json!({
            "nhsNumber": self.nhs_number,
            "givenName": self.given,
            "familyName": self.family,
            "dateOfBirth": iso(self.birth_date),
            "sex": match self.sex { Sex::Female => "female", Sex::Male => "male" },
            "address": self.address.lines,
            "postcode": self.address.postcode,
            "practiceOds": self.practice_ods,
            "registeredOn": iso(self.registered),
            "synthetic": true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Seed;

    #[test]
    fn nhs_numbers_are_valid_test_numbers() {
        let mut rng = Rng::new(Seed(3));
        for _ in 0..500 {
            let n = test_nhs_number(&mut rng);
            assert!(n.starts_with("999"), "{n}");
            assert!(is_valid_nhs_number(&n), "{n}");
        }
        // A published example of the check: 943 476 5919 is valid, 943 476 5918 is not.
        assert!(is_valid_nhs_number("9434765919"));
        assert!(!is_valid_nhs_number("9434765918"));
    }
}
