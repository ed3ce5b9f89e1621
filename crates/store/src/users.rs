//! [`UserRepository`] on the store.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::{ConflictKey, RepoError};
use switchboard_domain::users::model::{PasswordHash, Role, User, UserCredentials, UserId};
use switchboard_domain::users::ports::{UserRecord, UserRepository, UserUpdate};

use crate::conn::{AsConn, Conn, on_backend};
use crate::error::Fail;
use crate::locks::{Topic, serialize};
use crate::schema::{sessions, users};
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::{from_millis, to_millis};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    active: bool,
    created_at: Millis,
    updated_at: Millis,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, Fail> {
        Ok(self.into_credentials()?.user)
    }

    fn into_credentials(self) -> Result<UserCredentials, Fail> {
        let role: Role = self
            .role
            .parse()
            .map_err(|e| RepoError::broken(format!("user {}: {e}", self.id)))?;
        Ok(UserCredentials {
            user: User {
                id: UserId(self.id),
                username: self.username,
                display_name: self.display_name,
                role,
                active: self.active,
                created_at: from_millis(self.created_at),
                updated_at: from_millis(self.updated_at),
            },
            password_hash: PasswordHash(self.password_hash),
        })
    }
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct UserChangeset {
    display_name: Option<String>,
    role: Option<String>,
    active: Option<bool>,
    password_hash: Option<String>,
    updated_at: Option<Millis>,
}

/// Revokes every live session of a user (deactivation, password reset).
pub(crate) fn revoke_sessions_of(
    mut conn: Conn<'_>,
    user: i64,
    now: Millis,
    keep: Option<&str>,
) -> Result<(), Fail> {
    on_backend!(&mut conn, |conn| {
        let live = sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::revoked_at.is_null());
        match keep {
            Some(keep) => diesel::update(live.filter(sessions::id.ne(keep)))
                .set(sessions::revoked_at.eq(now))
                .execute(conn)?,
            None => diesel::update(live)
                .set(sessions::revoked_at.eq(now))
                .execute(conn)?,
        };
        Ok(())
    })
}

#[async_trait]
impl UserRepository for Store {
    async fn create_user(&self, user: UserRecord, now: Timestamp) -> Result<User, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let row: UserRow = diesel::insert_into(users::table)
                    .values((
                        users::username.eq(user.username.as_str()),
                        users::username_key.eq(user.username.key()),
                        users::display_name.eq(user.display_name.as_str()),
                        users::role.eq(user.role.as_str()),
                        users::password_hash.eq(&user.password_hash.0),
                        users::active.eq(true),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .returning(UserRow::as_returning())
                    .get_result(conn)?;
                row.into_user()
            })
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<User, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                users::table
                    .find(id.0)
                    .select(UserRow::as_select())
                    .get_result(conn)?
                    .into_user()
            })
        })
        .await
    }

    async fn find_credentials(
        &self,
        username_key: &str,
    ) -> Result<Option<UserCredentials>, RepoError> {
        let key = username_key.to_owned();
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                users::table
                    .filter(users::username_key.eq(key))
                    .select(UserRow::as_select())
                    .get_result(conn)
                    .optional()?
                    .map(UserRow::into_credentials)
                    .transpose()
            })
        })
        .await
    }

    async fn password_hash(&self, id: UserId) -> Result<PasswordHash, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let hash: String = users::table
                    .find(id.0)
                    .select(users::password_hash)
                    .get_result(conn)?;
                Ok(PasswordHash(hash))
            })
        })
        .await
    }

    async fn list_users(&self) -> Result<Vec<User>, RepoError> {
        self.run(|conn| {
            on_backend!(conn, |conn| {
                users::table
                    .order(users::id)
                    .select(UserRow::as_select())
                    .load(conn)?
                    .into_iter()
                    .map(UserRow::into_user)
                    .collect()
            })
        })
        .await
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        self.run(|conn| {
            on_backend!(conn, |conn| {
                let n: i64 = users::table.count().get_result(conn)?;
                Ok(n.unsigned_abs())
            })
        })
        .await
    }

    async fn count_active_admins(&self) -> Result<u64, RepoError> {
        self.run(|conn| {
            on_backend!(conn, |conn| {
                let n: i64 = users::table
                    .filter(users::role.eq(Role::Admin.as_str()))
                    .filter(users::active.eq(true))
                    .count()
                    .get_result(conn)?;
                Ok(n.unsigned_abs())
            })
        })
        .await
    }

    async fn update_user(
        &self,
        id: UserId,
        update: UserUpdate,
        now: Timestamp,
    ) -> Result<User, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let changes = UserChangeset {
                    display_name: update.display_name.map(|d| d.as_str().to_owned()),
                    role: update.role.map(|r| r.as_str().to_owned()),
                    active: update.active,
                    password_hash: update.password_hash.map(|h| h.0),
                    updated_at: Some(now),
                };
                if update.role.is_some() || update.active.is_some() {
                    serialize(&mut conn.conn(), Topic::Admins)?;
                }
                let is_active_admin =
                    |role: &str, active: bool| active && role == Role::Admin.as_str();
                let (role, active): (String, bool) = users::table
                    .find(id.0)
                    .select((users::role, users::active))
                    .get_result(conn)?;
                let row: UserRow = diesel::update(users::table.find(id.0))
                    .set(changes)
                    .returning(UserRow::as_returning())
                    .get_result(conn)?;
                // Counted after the change, under the admins' lock: two admins demoting each
                // other at once are applied one after the other, and the second sees the first.
                if is_active_admin(&role, active) && !is_active_admin(&row.role, row.active) {
                    let admins: i64 = users::table
                        .filter(users::role.eq(Role::Admin.as_str()))
                        .filter(users::active.eq(true))
                        .count()
                        .get_result(conn)?;
                    if admins == 0 {
                        return Err(Fail(RepoError::Conflict(ConflictKey::LastAdmin)));
                    }
                }
                if update.revoke_sessions {
                    revoke_sessions_of(conn.conn(), id.0, now, None)?;
                }
                row.into_user()
            })
        })
        .await
    }
}
