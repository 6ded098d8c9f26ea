//! Did-you-mean: the closest candidates to a misspelt word or phrase.

/// Candidates within a small edit distance of `word`, best first. Distances scale with length so
/// that short words need near-exact matches: at most 1 edit up to 5 characters, 2 up to 12, 3
/// beyond.
pub fn suggestions<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let word = word.to_lowercase();
    let limit = max_distance(word.chars().count());
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let length_gap = candidate.len().abs_diff(word.len());
            if length_gap > limit {
                return None;
            }
            // Most candidates (codes, keys) have no capitals: no allocation for those.
            let candidate_lower: std::borrow::Cow<'_, str> =
                if candidate.chars().any(char::is_uppercase) {
                    candidate.to_lowercase().into()
                } else {
                    candidate.into()
                };
            // Short words (codes, most keys) allow one edit: checked without the full distance
            // table, which was most of the cost of a `codes:` line of thousands of unknown codes.
            let distance = if limit <= 1 {
                if word == candidate_lower {
                    0
                } else if within_one_edit(&word, &candidate_lower) {
                    1
                } else {
                    return None;
                }
            } else {
                strsim::damerau_levenshtein(&word, &candidate_lower)
            };
            (distance <= limit).then_some((distance, candidate))
        })
        .collect();
    scored.sort_by_key(|&(distance, candidate)| (distance, candidate.len()));
    scored.dedup_by_key(|(_, candidate)| *candidate);
    scored.into_iter().map(|(_, candidate)| candidate).collect()
}

/// The single best candidate, if any is close enough.
pub fn best<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    suggestions(word, candidates).into_iter().next()
}

/// Whether `strsim::damerau_levenshtein(a, b) <= 1`, without its allocations: after the common
/// prefix and suffix (in chars) are cut off, one edit leaves one char against one (a
/// substitution), one against none (an insertion or deletion), or two swapped chars.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let mut a_chars = a.chars();
    let mut b_chars = b.chars();
    match (
        (a_chars.next(), a_chars.next(), a_chars.next()),
        (b_chars.next(), b_chars.next(), b_chars.next()),
    ) {
        ((None, _, _), (None, _, _))
        | ((Some(_), None, _), (None | Some(_), None, _))
        | ((None, _, _), (Some(_), None, _)) => true,
        ((Some(a0), Some(a1), None), (Some(b0), Some(b1), None)) => a0 == b1 && a1 == b0,
        _ => false,
    }
}

/// Whether the letters of `a` and `b`, as multisets, differ by more than `limit` (the larger of
/// what `a` has that `b` lacks and the reverse). Every edit of Damerau-Levenshtein changes that
/// by at most one (a transposition not at all), so `true` means the distance exceeds `limit`.
/// Only decided for ASCII; `false` otherwise.
pub fn letters_differ_by_more_than(a: &str, b: &str, limit: usize) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return false;
    }
    let mut counts = [0i32; 128];
    for byte in a.bytes() {
        counts[byte as usize] += 1;
    }
    for byte in b.bytes() {
        counts[byte as usize] -= 1;
    }
    let (mut only_a, mut only_b) = (0usize, 0usize);
    for count in counts {
        if count > 0 {
            only_a += count as usize;
        } else {
            only_b += (-count) as usize;
        }
    }
    only_a.max(only_b) > limit
}

pub fn max_distance(length: usize) -> usize {
    match length {
        0..=2 => 0,
        3..=5 => 1,
        6..=12 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 5_000,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn within_one_edit_matches_damerau_levenshtein(a in "[abé😀]{0,6}", b in "[abé😀]{0,6}") {
            proptest::prop_assert_eq!(
                within_one_edit(&a, &b),
                strsim::damerau_levenshtein(&a, &b) <= 1
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 5_000,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn letter_difference_bounds_damerau_levenshtein(
            a in "[a-e ]{0,10}",
            b in "[a-e ]{0,10}",
            limit in 0usize..4,
        ) {
            if letters_differ_by_more_than(&a, &b, limit) {
                proptest::prop_assert!(strsim::damerau_levenshtein(&a, &b) > limit);
            }
        }
    }

    #[test]
    fn within_one_edit_examples() {
        for (a, b) in [
            ("release", "relase"),
            ("mobilization", "mobilzation"),
            ("traction", "tracton"),
            ("ab", "ba"),
            ("abc", "cba"),
            ("", "a"),
            ("mobilisation", "mobilization"),
        ] {
            assert_eq!(
                within_one_edit(a, b),
                strsim::damerau_levenshtein(a, b) <= 1,
                "{a} {b}"
            );
        }
    }

    #[test]
    fn finds_close_words_only() {
        assert_eq!(best("codse", ["codes", "payer"]), Some("codes"));
        assert_eq!(best("tempalte", ["template", "type"]), Some("template"));
        assert_eq!(best("zzz", ["codes"]), None);
        assert_eq!(best("", ["codes"]), None);
    }
}
