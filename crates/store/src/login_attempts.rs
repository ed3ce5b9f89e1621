//! [`LoginAttemptRepository`] on the store.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::accounts::ports::{AttemptBudget, LoginAttemptRepository};
use switchboard_domain::error::RepoError;

use crate::conn::on_backend;
use crate::locks::{Topic, serialize};
use crate::schema::login_failures;
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::{from_millis, to_millis};

#[async_trait]
impl LoginAttemptRepository for Store {
    async fn begin_attempt(
        &self,
        username_key: &str,
        at: Timestamp,
        since: Timestamp,
        max: usize,
    ) -> Result<AttemptBudget, RepoError> {
        let key = username_key.to_owned();
        // Under the username's lock, so the count and the insert cannot interleave with another
        // attempt's.
        self.write(move |conn| {
            serialize(conn, Topic::LoginAttempts(&key))?;
            on_backend!(conn, |conn| {
                diesel::delete(
                    login_failures::table.filter(login_failures::failed_at.le(to_millis(since))),
                )
                .execute(conn)?;
                let times: Vec<Millis> = login_failures::table
                    .filter(login_failures::username_key.eq(&key))
                    .select(login_failures::failed_at)
                    .load(conn)?;
                if times.len() >= max {
                    return Ok(AttemptBudget::Spent {
                        attempts: times.into_iter().map(from_millis).collect(),
                    });
                }
                diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::username_key.eq(&key),
                        login_failures::failed_at.eq(to_millis(at)),
                    ))
                    .execute(conn)?;
                Ok(AttemptBudget::Granted)
            })
        })
        .await
    }

    async fn clear_failures(&self, username_key: &str) -> Result<(), RepoError> {
        let key = username_key.to_owned();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                diesel::delete(login_failures::table.filter(login_failures::username_key.eq(key)))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
    }
}
