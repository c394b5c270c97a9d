//! Referral codes: readable, drawn at random, typed back in any case and spacing.

/// Unambiguous when read aloud or typed from a phone: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters after the name: 31^5, about 28.6 million codes per name.
const RANDOM_CHARS: usize = 5;

/// A readable code from the shopper's first name and fresh randomness, e.g. `LENA-7K4QX`:
/// nothing in it follows from the order.
pub fn new_code(first_name: &str) -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(code_from(first_name, u64::from_le_bytes(bytes)))
}

pub fn code_from(first_name: &str, mut random: u64) -> String {
    let name: String = first_name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut code = if name.is_empty() {
        "FRIEND".to_owned()
    } else {
        name
    };
    code.push('-');
    for _ in 0..RANDOM_CHARS {
        code.push(ALPHABET[(random % 31) as usize] as char);
        random /= 31;
    }
    code
}

/// A code as typed at a checkout: case and spaces do not matter.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_name_plus_random() {
        assert_eq!(code_from("Lena", 0), "LENA-22222");
        assert_eq!(code_from("Zoë-Anne", 31), "ZOANNE-23222");
        assert_eq!(code_from("", 1), "FRIEND-32222");
        let a = new_code("Sam").unwrap();
        let b = new_code("Sam").unwrap();
        assert_ne!(a, b, "drawn, not derived");
        assert!(a.starts_with("SAM-") && a.len() == 9, "{a}");
        assert!(a[4..].bytes().all(|c| ALPHABET.contains(&c)), "{a}");
        // Nothing easily confused.
        for confusing in [b'0', b'O', b'1', b'I', b'L'] {
            assert!(!ALPHABET.contains(&confusing));
        }
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalise_code(" lena-7k4qx "), "LENA-7K4QX");
        assert_eq!(normalise_code("LENA - 7K4 QX"), "LENA-7K4QX");
    }
}
