//! [`ContactRepository`] on the store.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::contacts::model::{Contact, ContactId, ContactWithNumbers};
use switchboard_domain::contacts::ports::ContactRepository;
use switchboard_domain::error::RepoError;
use switchboard_domain::numbers::model::BusinessNumberId;

use diesel::upsert::excluded;

use crate::conn::{Conn, on_backend};
use crate::error::Fail;
use crate::rows::ContactRow;
use crate::schema::{contacts, conversations};
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::to_millis;

/// Finds or creates the contact for a WhatsApp id (by its unique index), refreshing the profile
/// name when a delivery brings a new one; returns its id. Safe beside other writers: when two
/// deliveries from a new customer race, the second insert meets the first's row and takes it.
pub(crate) fn upsert_contact(
    mut conn: Conn<'_>,
    wa_id: &str,
    profile_name: Option<&str>,
    now: Millis,
) -> Result<i64, Fail> {
    // Most deliveries come from a customer already known: look first, insert only when not.
    let found: Option<(i64, Option<String>)> = on_backend!(&mut conn, |c| contacts::table
        .filter(contacts::wa_id.eq(wa_id))
        .select((contacts::id, contacts::profile_name))
        .get_result(c)
        .optional())?;
    let (id, stored) = match found {
        Some(found) => found,
        // The no-op update makes RETURNING answer the row that won a race, too.
        None => on_backend!(&mut conn, |c| diesel::insert_into(contacts::table)
            .values((
                contacts::wa_id.eq(wa_id),
                contacts::phone.eq(format!("+{wa_id}")),
                contacts::profile_name.eq(profile_name),
                contacts::created_at.eq(now),
                contacts::updated_at.eq(now),
            ))
            .on_conflict(contacts::wa_id)
            .do_update()
            .set(contacts::wa_id.eq(excluded(contacts::wa_id)))
            .returning((contacts::id, contacts::profile_name))
            .get_result(c))?,
    };
    if profile_name.is_some() && profile_name != stored.as_deref() {
        on_backend!(&mut conn, |c| diesel::update(contacts::table.find(id))
            .set((
                contacts::profile_name.eq(profile_name),
                contacts::updated_at.eq(now),
            ))
            .execute(c))?;
    }
    Ok(id)
}

diesel::define_sql_function! {
    /// SQL's `lower()`.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL's `lower()` on a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// `LIKE` treats `%` and `_` as wildcards: escape them so a search for "50%" means it.
fn like_pattern(query: &str) -> String {
    let escaped = query
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[async_trait]
impl ContactRepository for Store {
    async fn list_contacts(
        &self,
        numbers: Option<&[BusinessNumberId]>,
        query: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Contact>, RepoError> {
        let numbers: Option<Vec<i64>> = numbers.map(|n| n.iter().map(|n| n.0).collect());
        let pattern = query.map(|q| like_pattern(&q.to_lowercase()));
        self.run(move |conn| {
            on_backend!(conn, |c| {
                let mut select = contacts::table
                    .select(ContactRow::as_select())
                    .order(contacts::id)
                    .limit(i64::from(limit))
                    .into_boxed();
                if let Some(numbers) = numbers {
                    let visible = conversations::table
                        .filter(conversations::business_number_id.eq_any(numbers))
                        .select(conversations::contact_id);
                    select = select.filter(contacts::id.eq_any(visible));
                }
                if let Some(pattern) = pattern {
                    // Both sides lower-cased: SQLite's LIKE ignores ASCII case, PostgreSQL's
                    // does not.
                    select = select.filter(
                        lower(contacts::phone)
                            .like(pattern.clone())
                            .escape('\\')
                            .or(lower_nullable(contacts::profile_name)
                                .like(pattern.clone())
                                .escape('\\'))
                            .or(lower_nullable(contacts::display_name)
                                .like(pattern)
                                .escape('\\')),
                    );
                }
                Ok(select.load(c)?.into_iter().map(Into::into).collect())
            })
        })
        .await
    }

    async fn get_contact(&self, id: ContactId) -> Result<ContactWithNumbers, RepoError> {
        self.run(move |conn| {
            let contact: ContactRow = on_backend!(conn, |c| contacts::table
                .find(id.0)
                .select(ContactRow::as_select())
                .get_result(c))?;
            let numbers: Vec<i64> = on_backend!(conn, |c| conversations::table
                .filter(conversations::contact_id.eq(id.0))
                .select(conversations::business_number_id)
                .load(c))?;
            Ok(ContactWithNumbers {
                contact: contact.into(),
                numbers: numbers.into_iter().map(BusinessNumberId).collect(),
            })
        })
        .await
    }

    async fn rename_contact(
        &self,
        id: ContactId,
        display_name: Option<&str>,
        now: Timestamp,
    ) -> Result<Contact, RepoError> {
        let display_name = display_name.map(str::to_owned);
        self.write(move |conn| {
            let row: ContactRow =
                on_backend!(conn, |c| diesel::update(contacts::table.find(id.0))
                    .set((
                        contacts::display_name.eq(display_name),
                        contacts::updated_at.eq(to_millis(now)),
                    ))
                    .returning(ContactRow::as_returning())
                    .get_result(c))?;
            Ok(row.into())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }
}
