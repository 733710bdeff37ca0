//! “Did you mean …?” suggestions by edit distance.

/// The candidate closest to `name` if it is close enough to be a plausible typo
/// (Jaro-Winkler similarity ≥ 0.8), formatted as help text: “did you mean `value`?”.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}
