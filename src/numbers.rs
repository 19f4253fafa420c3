//! Personal numbers in free text (ID-card, mobile, landline and bank-card numbers, and masked
//! numbers), found natively in one pass so that rules need no character loops.
//!
//! Portals use this to warn before a petition is published (flag `personal_data`). The text is
//! folded first (full-width digits count), and digit runs may contain spaces or hyphens.

/// Kinds of numbers rules can ask for with `p.has_number("…")`.
pub const KINDS: &[&str] = &["id_card", "mobile", "landline", "bank_card", "masked", "any"];

/// Which kinds of numbers a folded text contains, as a bit set over [`KINDS`] (without `any`).
pub(crate) fn scan(folded: &str) -> u8 {
    let b = folded.as_bytes();
    let part = |c: u8| c.is_ascii_digit() || c == b'*';
    let mut found = 0u8;
    let mut digits: Vec<u8> = Vec::with_capacity(24);
    let mut i = 0;
    while i < b.len() {
        if !b.get(i).copied().is_some_and(part) {
            i += 1;
            continue;
        }
        // A run of digits and '*', with single spaces or hyphens inside, and an ID card's
        // final x.
        digits.clear();
        let mut stars = 0;
        let mut j = i;
        while let Some(&c) = b.get(j) {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c == b'*' {
                stars += 1;
            } else if c == b'x' && digits.len() == 17 {
                digits.push(c);
            } else if (c == b'-' || c == b' ') && b.get(j + 1).copied().is_some_and(part) {
                // a separator inside the number
            } else {
                break;
            }
            j += 1;
        }
        found |= classify(&String::from_utf8_lossy(&digits), stars);
        i = j.max(i + 1);
    }
    found
}

fn classify(digits: &str, stars: usize) -> u8 {
    let bit = |kind: &str| KINDS.iter().position(|k| *k == kind).map_or(0, |p| 1u8 << p);
    let n = digits.len();
    let b = digits.as_bytes();
    let mut out = 0;
    if stars >= 6 || (stars >= 4 && n >= 3) || (n >= 11 && digits.bytes().all(|d| d == b'0')) {
        return bit("masked");
    }
    if stars > 0 {
        return 0;
    }
    if (n == 18 && digits.get(..17).is_some_and(|s| s.bytes().all(|d| d.is_ascii_digit())) && (b.get(6) == Some(&b'1') || b.get(6) == Some(&b'2')))
        || (n == 15 && digits.bytes().all(|d| d.is_ascii_digit()) && b.first() != Some(&b'0'))
    {
        out |= bit("id_card");
    }
    if n == 11 && b.first() == Some(&b'1') && b.get(1).is_some_and(|d| (b'3'..=b'9').contains(d)) {
        out |= bit("mobile");
    }
    if (10..=12).contains(&n) && b.first() == Some(&b'0') && b.get(1) != Some(&b'0') {
        out |= bit("landline");
    }
    if (16..=19).contains(&n) && n != 18 && digits.bytes().all(|d| d.is_ascii_digit()) {
        out |= bit("bank_card");
    }
    if n == 19 && b.first().is_some_and(|d| *d == b'6' || *d == b'4' || *d == b'5') {
        out |= bit("bank_card");
    }
    out
}

/// Whether the bit set has `kind` (`any`: at least one).
pub(crate) fn has(found: u8, kind: &str) -> Option<bool> {
    if kind == "any" {
        return Some(found != 0);
    }
    KINDS.iter().position(|k| *k == kind).map(|p| found & (1 << p) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        let f = scan(&crate::lexicon::fold(text));
        KINDS.iter().filter(|k| **k != "any" && has(f, k) == Some(true)).copied().collect()
    }

    #[test]
    fn finds_each_kind() {
        let table: &[(&str, &[&str])] = &[
            ("我的电话13812345678", &["mobile"]),
            ("电话：138 1234 5678", &["mobile"]),
            ("身份证号11010519491231002X", &["id_card"]),
            ("身份证１１０１０５１９４９１２３１００２Ｘ", &["id_card"]),
            ("座机0731-88881234", &["landline"]),
            ("卡号6222021234567890123", &["bank_card"]),
            ("身份证号*****************", &["masked"]),
            ("联系电话0000-00000000", &["masked"]),
            ("2019年8月28日罚款100元，车牌湘A12345", &[]),
            ("小区有1000余户，已等了26年", &[]),
        ];
        for (text, want) in table {
            assert_eq!(kinds(text), *want, "{text}");
        }
    }
}
