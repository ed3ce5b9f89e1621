//! Translating Diesel errors into the domain's [`RepoError`] at the boundary.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use switchboard_domain::error::RepoError;

/// The error type store closures use, so `?` works on Diesel calls and on domain errors alike.
#[derive(Debug)]
pub(crate) struct Fail(pub(crate) RepoError);

impl From<DieselError> for Fail {
    fn from(e: DieselError) -> Self {
        Fail(translate(e))
    }
}

impl From<RepoError> for Fail {
    fn from(e: RepoError) -> Self {
        Fail(e)
    }
}

fn translate(e: DieselError) -> RepoError {
    match e {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RepoError::Conflict(conflicting_field(info.constraint_name(), info.message()))
        }
        // A reference to a row that does not exist (a member for a missing user).
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            RepoError::NotFound
        }
        DieselError::DatabaseError(_, info)
            if info.message().contains("database is locked")
                || info.message().contains("database is busy") =>
        {
            RepoError::Unavailable(info.message().to_owned())
        }
        other => RepoError::Unexpected(other.to_string()),
    }
}

/// Names the input field behind a unique-index violation. SQLite reports
/// `UNIQUE constraint failed: table.column`; PostgreSQL names the index.
fn conflicting_field(constraint: Option<&str>, message: &str) -> String {
    let text = constraint.unwrap_or(message);
    for (column, field) in [
        ("username_key", "username"),
        ("display_phone_number", "display_phone_number"),
        ("phone_number_id", "phone_number_id"),
    ] {
        if text.contains(column) {
            return field.to_owned();
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::conflicting_field;

    #[test]
    fn sqlite_unique_messages_name_the_input_field() {
        assert_eq!(
            conflicting_field(None, "UNIQUE constraint failed: users.username_key"),
            "username"
        );
        assert_eq!(
            conflicting_field(
                None,
                "UNIQUE constraint failed: business_numbers.display_phone_number"
            ),
            "display_phone_number"
        );
        assert_eq!(
            conflicting_field(Some("business_numbers_phone_number_id"), "duplicate key"),
            "phone_number_id"
        );
    }
}
