//! Translating Diesel errors into the domain's [`RepoError`] at the boundary.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use switchboard_domain::error::{ConflictKey, RepoError};

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
    if let DieselError::DatabaseError(kind, info) = &e {
        match kind {
            DatabaseErrorKind::UniqueViolation => {
                if let Some(key) = conflict_key(info.constraint_name(), info.message()) {
                    return RepoError::Conflict(key);
                }
            }
            // A reference to a row that does not exist (a member for a missing user); the call
            // site decides whether that row is one the client named.
            DatabaseErrorKind::ForeignKeyViolation => return RepoError::NotFound,
            // Worth retrying: SQLite's lock was held past its timeout, PostgreSQL broke a
            // deadlock or a serialisation conflict by aborting this transaction, or the server
            // went away.
            DatabaseErrorKind::SerializationFailure
            | DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand => {
                return RepoError::Unavailable(info.message().to_owned());
            }
            _ if info.message().contains("database is locked")
                || info.message().contains("database is busy")
                || info.message().contains("deadlock detected") =>
            {
                return RepoError::Unavailable(info.message().to_owned());
            }
            _ => {}
        }
    }
    match e {
        DieselError::NotFound => RepoError::NotFound,
        other => RepoError::unexpected("a database call failed", other),
    }
}

/// The unique indexes whose violation is a conflict the domain knows: the index's name (what
/// PostgreSQL reports as the constraint), the columns SQLite names instead
/// (`UNIQUE constraint failed: <columns>`), and what it means.
const UNIQUE_INDEXES: [(&str, &str, ConflictKey); 4] = [
    (
        "users_username_key",
        "users.username_key",
        ConflictKey::Username,
    ),
    (
        "business_numbers_display_phone_number",
        "business_numbers.display_phone_number",
        ConflictKey::DisplayPhoneNumber,
    ),
    (
        "business_numbers_phone_number_id",
        "business_numbers.phone_number_id",
        ConflictKey::PhoneNumberId,
    ),
    ("messages_wamid", "messages.wamid", ConflictKey::Wamid),
];

/// Which rule a unique violation broke, from the constraint's name when the database reports
/// one, else from the exact column list in SQLite's message; `None` for an index the domain
/// does not expect to collide (a bug, reported as unexpected with its cause).
fn conflict_key(constraint: Option<&str>, message: &str) -> Option<ConflictKey> {
    let columns = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_INDEXES
        .iter()
        .find(|(index, sqlite_columns, _)| {
            constraint == Some(*index) || columns == Some(*sqlite_columns)
        })
        .map(|(_, _, key)| *key)
}

#[cfg(test)]
mod tests {
    use super::conflict_key;
    use switchboard_domain::error::ConflictKey;

    #[test]
    fn sqlite_unique_messages_name_the_rule_by_their_exact_columns() {
        assert_eq!(
            conflict_key(None, "UNIQUE constraint failed: users.username_key"),
            Some(ConflictKey::Username)
        );
        assert_eq!(
            conflict_key(
                None,
                "UNIQUE constraint failed: business_numbers.display_phone_number"
            ),
            Some(ConflictKey::DisplayPhoneNumber)
        );
        assert_eq!(
            conflict_key(None, "UNIQUE constraint failed: messages.wamid"),
            Some(ConflictKey::Wamid)
        );
    }

    #[test]
    fn a_reported_constraint_name_is_matched_exactly() {
        assert_eq!(
            conflict_key(Some("business_numbers_phone_number_id"), "duplicate key"),
            Some(ConflictKey::PhoneNumberId)
        );
        assert_eq!(
            conflict_key(
                Some("business_numbers_phone_number_id_old"),
                "duplicate key"
            ),
            None
        );
    }

    #[test]
    fn an_index_the_domain_does_not_expect_to_collide_is_no_conflict() {
        assert_eq!(
            conflict_key(
                None,
                "UNIQUE constraint failed: messages.conversation_id, messages.idempotency_key"
            ),
            None
        );
        assert_eq!(
            conflict_key(None, "UNIQUE constraint failed: users.username_key_copy"),
            None
        );
    }
}
