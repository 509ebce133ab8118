//! "Did you mean …?" for a name that is not in the document.

/// `; did you mean `find`?` for the name among `names` nearest to `wanted`,
/// if one is near; empty otherwise.
pub fn suggestion<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> String {
    let best = names
        .map(|name| (strsim::jaro_winkler(wanted, name), name))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, name)) => format!("; did you mean `{name}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested() {
        let names = ["add", "divide", "find", "UserInfo"];
        assert_eq!(suggestion("ad", names.into_iter()), "; did you mean `add`?");
        assert_eq!(suggestion("UserInf", names.into_iter()), "; did you mean `UserInfo`?");
        assert_eq!(suggestion("zzz", names.into_iter()), "");
    }
}
