//! [`LoginAttemptRepository`] on the store.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::ports::LoginAttemptRepository;

use crate::schema::login_failures;
use crate::sqlite::Store;
use crate::time::{from_millis, to_millis};

#[async_trait]
impl LoginAttemptRepository for Store {
    async fn failures_since(
        &self,
        username_key: &str,
        since: Timestamp,
    ) -> Result<Vec<Timestamp>, RepoError> {
        let key = username_key.to_owned();
        self.run(move |conn| {
            let times: Vec<i64> = login_failures::table
                .filter(login_failures::username_key.eq(key))
                .filter(login_failures::failed_at.gt(to_millis(since)))
                .select(login_failures::failed_at)
                .load(conn)?;
            Ok(times.into_iter().map(from_millis).collect())
        })
        .await
    }

    async fn record_failure(
        &self,
        username_key: &str,
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<(), RepoError> {
        let key = username_key.to_owned();
        self.write(move |conn| {
            diesel::delete(
                login_failures::table
                    .filter(login_failures::failed_at.le(to_millis(forget_before))),
            )
            .execute(conn)?;
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::username_key.eq(&key),
                    login_failures::failed_at.eq(to_millis(at)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
    }

    async fn clear_failures(&self, username_key: &str) -> Result<(), RepoError> {
        let key = username_key.to_owned();
        self.write(move |conn| {
            diesel::delete(login_failures::table.filter(login_failures::username_key.eq(key)))
                .execute(conn)?;
            Ok(())
        })
        .await
    }
}
