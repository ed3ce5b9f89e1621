//! Gathering every field error of a request before answering 422.

use serde::{Deserialize, Deserializer};
use switchboard_domain::validation::FieldError;

use crate::error::ApiError;

/// A tuple of parse results that is valid only if every member is: one 422 then names every
/// rejected field, not just the first. Optional fields take part as
/// `raw.map(parse).transpose()`.
pub(crate) trait AllValid {
    type Output;

    /// # Errors
    /// A 422 [`ApiError`] listing every rejected field.
    fn all_valid(self) -> Result<Self::Output, ApiError>;
}

/// For `#[serde(default, deserialize_with = "present")]` on `Option<Option<T>>` PATCH fields:
/// tells an absent field (`None`, leave it) from an explicit `null` (`Some(None)`, clear it).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

macro_rules! impl_all_valid {
    ($($value:ident: $ty:ident),+) => {
        impl<$($ty),+> AllValid for ($(Result<$ty, FieldError>,)+) {
            type Output = ($($ty,)+);

            fn all_valid(self) -> Result<Self::Output, ApiError> {
                let ($($value,)+) = self;
                let mut errors = Vec::new();
                $(let $value = $value.map_err(|e| errors.push(e)).ok();)+
                match ($($value,)+) {
                    ($(Some($value),)+) => Ok(($($value,)+)),
                    _ => Err(errors.into()),
                }
            }
        }
    };
}

impl_all_valid!(a: A);
impl_all_valid!(a: A, b: B);
impl_all_valid!(a: A, b: B, c: C);
impl_all_valid!(a: A, b: B, c: C, d: D);
impl_all_valid!(a: A, b: B, c: C, d: D, e: E);

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[test]
    fn every_rejected_field_is_reported_together() {
        let bad: Result<u8, FieldError> = Err(FieldError::new("name", "must not be empty"));
        let worse: Result<u8, FieldError> = Err(FieldError::new("phone", "must be E.164"));
        let error = (bad, Ok::<_, FieldError>(1u8), worse)
            .all_valid()
            .unwrap_err();
        assert_eq!(error.status_code().as_u16(), 422);
        let text = error.to_string();
        assert!(text.contains("name") && text.contains("phone"), "{text}");
    }

    #[test]
    fn all_valid_returns_the_values_in_order() {
        let ok = (Ok::<_, FieldError>(1), Ok::<_, FieldError>("x")).all_valid();
        assert_eq!(ok.unwrap(), (1, "x"));
    }
}
