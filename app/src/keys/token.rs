//! The API key token: `tny_` + 30 random base62 characters + the 6-character base62
//! CRC-32 of those 30, 40 characters in all (AGENTS-API.md §2.4, GitHub's layout). The body
//! carries 178 bits of randomness; the checksum lets a scanner (and [`check`]) tell a real
//! token from a typo or a made-up string without asking the database.
//!
//! Secret-scanning pattern: `\btny_[0-9A-Za-z]{36}\b`.

use sha2::{Digest, Sha256};

pub const PREFIX: &str = "tny_";
const BODY_LEN: usize = 30;
const CHECKSUM_LEN: usize = 6;
pub const TOKEN_LEN: usize = PREFIX.len() + BODY_LEN + CHECKSUM_LEN;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why a string is not a token (all answered alike to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Shape,
    Checksum,
}

/// A new random token, or `None` when the system's random source fails.
pub fn generate() -> Option<String> {
    let mut body = String::with_capacity(BODY_LEN);
    let mut bytes = [0u8; 64];
    while body.len() < BODY_LEN {
        getrandom::fill(&mut bytes).ok()?;
        // 248 = 4 × 62: keeping only bytes below it makes every symbol equally likely.
        for b in bytes.iter().filter(|b| **b < 248) {
            if body.len() == BODY_LEN {
                break;
            }
            body.push(char::from(ALPHABET[usize::from(*b % 62)]));
        }
    }
    body.extend(checksum(&body).map(char::from));
    Some(format!("{PREFIX}{body}"))
}

/// The base62 CRC-32 of `body`, left-padded with `0` to six characters.
fn checksum(body: &str) -> [u8; CHECKSUM_LEN] {
    let mut value = u64::from(crc32fast::hash(body.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[usize::try_from(value % 62).unwrap_or(0)];
        value /= 62;
    }
    digits
}

/// Whether `token` has the shape and the checksum of a token: no database access needed.
pub fn check(token: &str) -> Result<(), Malformed> {
    let Some(rest) = token.strip_prefix(PREFIX) else {
        return Err(Malformed::Shape);
    };
    if token.len() != TOKEN_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Malformed::Shape);
    }
    let (body, sum) = rest.split_at(BODY_LEN);
    if checksum(body) == sum.as_bytes() {
        Ok(())
    } else {
        Err(Malformed::Checksum)
    }
}

/// What the database stores and looks tokens up by: the SHA-256 of the whole token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The part shown in lists: `tny_` + the first 4 and the last 4 of the rest.
pub fn display_prefix(token: &str) -> String {
    let rest = token.strip_prefix(PREFIX).unwrap_or(token);
    let head: String = rest.chars().take(4).collect();
    let tail: String = rest
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{PREFIX}{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_have_the_shape_and_pass_the_check() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let token = generate().unwrap();
            assert_eq!(token.len(), TOKEN_LEN);
            assert!(token.starts_with("tny_"));
            assert_eq!(check(&token), Ok(()));
            assert!(seen.insert(token));
        }
    }

    #[test]
    fn a_changed_character_fails_the_checksum() {
        let token = generate().unwrap();
        for at in PREFIX.len()..TOKEN_LEN {
            let mut bytes = token.clone().into_bytes();
            bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(check(&changed), Err(Malformed::Checksum), "position {at}");
        }
    }

    #[test]
    fn garbage_is_refused_by_shape() {
        for garbage in [
            "",
            "tny_",
            "Bearer tny_x",
            "ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "tny_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-",
            "tny_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "tny_ÄAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(check(garbage), Err(Malformed::Shape), "{garbage:?}");
        }
    }

    #[test]
    fn the_checksum_is_zero_padded_base62_of_crc32() {
        // CRC-32 of "123456789" is the standard check value 0xCBF43926; its base62 digits,
        // worked out here one by one, pin the encoding (big-endian, zero-padded).
        let mut value = 0xCBF4_3926_u64;
        let mut expected = Vec::new();
        while value > 0 {
            expected.push(ALPHABET[(value % 62) as usize]);
            value /= 62;
        }
        while expected.len() < 6 {
            expected.push(b'0');
        }
        expected.reverse();
        assert_eq!(checksum("123456789").to_vec(), expected);
        // A small CRC is padded: CRC-32 of the empty string is 0.
        assert_eq!(&checksum(""), b"000000");
    }

    #[test]
    fn the_display_prefix_hides_the_middle() {
        let token = generate().unwrap();
        let shown = display_prefix(&token);
        assert!(shown.starts_with(&token[..8]));
        assert!(shown.ends_with(&token[TOKEN_LEN - 4..]));
        assert_eq!(shown.chars().count(), 4 + 4 + 1 + 4);
    }
}
