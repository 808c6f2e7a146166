//! NHS numbers: ten digits, the last a modulus-11 check digit.

/// `9434765919` (or `943 476 5919`) as `943 476 5919` (NHS style); anything that is not ten
/// digits as written.
pub fn display(s: &str) -> String {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
    } else {
        s.to_owned()
    }
}

/// True for ten digits whose check digit is right (`9434765919`). Spaces are allowed.
pub fn is_valid(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_digit(10).unwrap_or(99))
        .collect();
    if digits.len() != 10 || digits.iter().any(|d| *d > 9) {
        return false;
    }
    let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    let check = 11 - sum % 11;
    let check = if check == 11 { 0 } else { check };
    check != 10 && check == digits[9]
}

#[cfg(test)]
mod tests {
    use super::{display, is_valid};

    #[test]
    fn nhs_numbers_are_grouped_three_three_four() {
        assert_eq!(display("9434765919"), "943 476 5919");
        assert_eq!(display("943 476 5919"), "943 476 5919");
        assert_eq!(display("{{nhsNumber}}"), "{{nhsNumber}}");
        assert_eq!(display("123"), "123");
    }

    #[test]
    fn check_digits() {
        for ok in [
            "9434765919",
            "943 476 5919",
            "9442964410",
            "9692294935",
            "4010232137",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "9434765918",
            "1234567890",
            "943476591",
            "94347659190",
            "{{nhsNumber}}",
            "",
            "Test Harn",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
