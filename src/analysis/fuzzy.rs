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
            let distance = strsim::damerau_levenshtein(&word, &candidate.to_lowercase());
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

    #[test]
    fn finds_close_words_only() {
        assert_eq!(best("codse", ["codes", "payer"]), Some("codes"));
        assert_eq!(best("tempalte", ["template", "type"]), Some("template"));
        assert_eq!(best("zzz", ["codes"]), None);
        assert_eq!(best("", ["codes"]), None);
    }
}
