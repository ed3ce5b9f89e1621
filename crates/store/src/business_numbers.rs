//! [`BusinessNumberRepository`] on the store.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::numbers::model::{
    BusinessNumber, BusinessNumberChanges, BusinessNumberId, Membership, NewBusinessNumber,
};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_domain::users::model::{User, UserId};

use crate::conn::on_backend;
use crate::error::Fail;
use crate::schema::{business_number_members, business_numbers, users};
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::{from_millis, to_millis};
use crate::users::UserRow;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = business_numbers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct NumberRow {
    id: i64,
    name: String,
    display_phone_number: String,
    phone_number_id: String,
    waba_id: Option<String>,
    created_at: Millis,
    updated_at: Millis,
}

impl From<NumberRow> for BusinessNumber {
    fn from(row: NumberRow) -> Self {
        BusinessNumber {
            id: BusinessNumberId(row.id),
            name: row.name,
            display_phone_number: row.display_phone_number,
            phone_number_id: row.phone_number_id,
            waba_id: row.waba_id,
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = business_numbers)]
struct NumberChangeset {
    name: Option<String>,
    display_phone_number: Option<String>,
    phone_number_id: Option<String>,
    waba_id: Option<Option<String>>,
    updated_at: Millis,
}

#[async_trait]
impl BusinessNumberRepository for Store {
    async fn create_number(
        &self,
        number: NewBusinessNumber,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let row: NumberRow = diesel::insert_into(business_numbers::table)
                    .values((
                        business_numbers::name.eq(number.name.as_str()),
                        business_numbers::display_phone_number
                            .eq(number.display_phone_number.as_str()),
                        business_numbers::phone_number_id.eq(number.phone_number_id.as_str()),
                        business_numbers::waba_id.eq(number.waba_id.as_ref().map(|w| w.as_str())),
                        business_numbers::created_at.eq(now),
                        business_numbers::updated_at.eq(now),
                    ))
                    .returning(NumberRow::as_returning())
                    .get_result(conn)?;
                Ok(row.into())
            })
        })
        .await
    }

    async fn update_number(
        &self,
        id: BusinessNumberId,
        changes: BusinessNumberChanges,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let changeset = NumberChangeset {
                    name: changes.name.map(|n| n.as_str().to_owned()),
                    display_phone_number: changes
                        .display_phone_number
                        .map(|n| n.as_str().to_owned()),
                    phone_number_id: changes.phone_number_id.map(|n| n.as_str().to_owned()),
                    waba_id: changes.waba_id.map(|w| w.map(|w| w.as_str().to_owned())),
                    updated_at: to_millis(now),
                };
                let row: NumberRow = diesel::update(business_numbers::table.find(id.0))
                    .set(changeset)
                    .returning(NumberRow::as_returning())
                    .get_result(conn)?;
                Ok(row.into())
            })
        })
        .await
    }

    async fn get_number(&self, id: BusinessNumberId) -> Result<BusinessNumber, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let row: NumberRow = business_numbers::table
                    .find(id.0)
                    .select(NumberRow::as_select())
                    .get_result(conn)?;
                Ok(row.into())
            })
        })
        .await
    }

    async fn list_numbers(&self) -> Result<Vec<BusinessNumber>, RepoError> {
        self.run(|conn| {
            on_backend!(conn, |conn| {
                let rows: Vec<NumberRow> = business_numbers::table
                    .order(business_numbers::id)
                    .select(NumberRow::as_select())
                    .load(conn)?;
                Ok(rows.into_iter().map(Into::into).collect())
            })
        })
        .await
    }

    async fn list_numbers_of_member(&self, user: UserId) -> Result<Vec<BusinessNumber>, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let rows: Vec<NumberRow> = business_numbers::table
                    .inner_join(business_number_members::table)
                    .filter(business_number_members::user_id.eq(user.0))
                    .order(business_numbers::id)
                    .select(NumberRow::as_select())
                    .load(conn)?;
                Ok(rows.into_iter().map(Into::into).collect())
            })
        })
        .await
    }

    async fn is_member(&self, number: BusinessNumberId, user: UserId) -> Result<bool, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let found = diesel::select(diesel::dsl::exists(
                    business_number_members::table.find((number.0, user.0)),
                ))
                .get_result(conn)?;
                Ok(found)
            })
        })
        .await
    }

    async fn list_members(
        &self,
        number: BusinessNumberId,
    ) -> Result<Vec<(Membership, User)>, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let rows: Vec<(Millis, UserRow)> = business_number_members::table
                    .inner_join(users::table)
                    .filter(business_number_members::business_number_id.eq(number.0))
                    .order(users::id)
                    .select((business_number_members::created_at, UserRow::as_select()))
                    .load(conn)?;
                rows.into_iter()
                    .map(|(created_at, row)| {
                        let user = row.into_user()?;
                        Ok((
                            Membership {
                                business_number_id: number,
                                user_id: user.id,
                                created_at: from_millis(created_at),
                            },
                            user,
                        ))
                    })
                    .collect::<Result<_, Fail>>()
            })
        })
        .await
    }

    async fn add_member(
        &self,
        number: BusinessNumberId,
        user: UserId,
        now: Timestamp,
    ) -> Result<bool, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                // The foreign keys turn a missing number or user into NotFound.
                let inserted = diesel::insert_into(business_number_members::table)
                    .values((
                        business_number_members::business_number_id.eq(number.0),
                        business_number_members::user_id.eq(user.0),
                        business_number_members::created_at.eq(to_millis(now)),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                Ok(inserted == 1)
            })
        })
        .await
    }

    async fn remove_member(&self, number: BusinessNumberId, user: UserId) -> Result<(), RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let removed =
                    diesel::delete(business_number_members::table.find((number.0, user.0)))
                        .execute(conn)?;
                if removed == 0 {
                    return Err(Fail(RepoError::NotFound));
                }
                Ok(())
            })
        })
        .await
    }
}
