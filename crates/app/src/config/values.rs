//! Numbers and durations read from one variable, each refused with a line naming it.

use super::{ConfigError, bad};

pub(super) fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<chrono::Duration, ConfigError> {
    whole_number(get, var, default.into(), min.into()..=max.into(), "seconds")
        .map(|secs| chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)))
}

/// A whole number of `unit`s within `range`, or `default` when unset.
pub(super) fn whole_number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
    unit: &str,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    let value: u64 = raw
        .trim()
        .parse()
        .map_err(|_| bad(var, format!("{raw:?} is not a whole number of {unit}")))?;
    if !range.contains(&value) {
        return Err(bad(
            var,
            format!(
                "must be between {} and {} {unit} (got {value})",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value)
}
