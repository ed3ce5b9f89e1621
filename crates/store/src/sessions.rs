//! [`SessionRepository`] on the store: sessions (token families) and refresh-token rotation.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::accounts::model::{NewRefreshToken, Rotation, SessionId, TokenDigest};
use switchboard_domain::accounts::ports::SessionRepository;
use switchboard_domain::error::RepoError;
use switchboard_domain::users::model::{PasswordHash, User, UserId};

use crate::conn::{AsConn, on_backend};
use crate::error::Fail;
use crate::schema::{refresh_tokens, sessions, users};
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::to_millis;
use crate::users::{UserRow, revoke_sessions_of};

#[async_trait]
impl SessionRepository for Store {
    async fn start_session(&self, token: NewRefreshToken, now: Timestamp) -> Result<(), RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                diesel::insert_into(sessions::table)
                    .values((
                        sessions::id.eq(&token.session_id.0),
                        sessions::user_id.eq(token.user_id.0),
                        sessions::created_at.eq(now),
                    ))
                    .execute(conn)?;
                diesel::insert_into(refresh_tokens::table)
                    .values((
                        refresh_tokens::token_digest.eq(&token.digest.0),
                        refresh_tokens::session_id.eq(&token.session_id.0),
                        refresh_tokens::expires_at.eq(to_millis(token.expires_at)),
                        refresh_tokens::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
    }

    async fn rotate(
        &self,
        presented: &TokenDigest,
        next: &TokenDigest,
        next_expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<Rotation, RepoError> {
        let presented = presented.0.clone();
        let next = next.0.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                // The token is spent by a guarded update: of two rotations at once, on any
                // number of instances, exactly one changes the row; the other finds it spent.
                let now = to_millis(now);
                let found: Option<(String, Millis, Option<Millis>, i64, Option<Millis>)> =
                    refresh_tokens::table
                        .inner_join(sessions::table)
                        .filter(refresh_tokens::token_digest.eq(&presented))
                        .select((
                            refresh_tokens::session_id,
                            refresh_tokens::expires_at,
                            refresh_tokens::used_at,
                            sessions::user_id,
                            sessions::revoked_at,
                        ))
                        .get_result(conn)
                        .optional()?;
                let Some((session_id, expires_at, used_at, user_id, revoked_at)) = found else {
                    return Ok(Rotation::Invalid);
                };
                if revoked_at.is_some() {
                    return Ok(Rotation::Invalid);
                }
                if expires_at <= now && used_at.is_none() {
                    return Ok(Rotation::Invalid);
                }
                let spent = used_at.is_none()
                    && diesel::update(
                        refresh_tokens::table
                            .find(&presented)
                            .filter(refresh_tokens::used_at.is_null()),
                    )
                    .set(refresh_tokens::used_at.eq(now))
                    .execute(conn)?
                        == 1;
                if !spent {
                    diesel::update(sessions::table.find(&session_id))
                        .set(sessions::revoked_at.eq(now))
                        .execute(conn)?;
                    return Ok(Rotation::Reused {
                        session_id: SessionId(session_id),
                    });
                }
                diesel::insert_into(refresh_tokens::table)
                    .values((
                        refresh_tokens::token_digest.eq(&next),
                        refresh_tokens::session_id.eq(&session_id),
                        refresh_tokens::expires_at.eq(to_millis(next_expires_at)),
                        refresh_tokens::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Rotation::Rotated {
                    user_id: UserId(user_id),
                    session_id: SessionId(session_id),
                })
            })
        })
        .await
    }

    async fn revoke_by_token(&self, digest: &TokenDigest, now: Timestamp) -> Result<(), RepoError> {
        let digest = digest.0.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let session = refresh_tokens::table
                    .find(&digest)
                    .select(refresh_tokens::session_id);
                diesel::update(sessions::table.filter(sessions::id.eq_any(session)))
                    .filter(sessions::revoked_at.is_null())
                    .set(sessions::revoked_at.eq(to_millis(now)))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
    }

    async fn active_session_user(
        &self,
        user_id: UserId,
        session: &SessionId,
    ) -> Result<Option<User>, RepoError> {
        let session = session.0.clone();
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                users::table
                    .inner_join(sessions::table)
                    .filter(users::id.eq(user_id.0))
                    .filter(users::active.eq(true))
                    .filter(sessions::id.eq(session))
                    .filter(sessions::revoked_at.is_null())
                    .select(UserRow::as_select())
                    .get_result(conn)
                    .optional()?
                    .map(UserRow::into_user)
                    .transpose()
            })
        })
        .await
    }

    async fn purge_expired(&self, before: Timestamp) -> Result<u64, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let deleted = diesel::delete(
                    refresh_tokens::table.filter(refresh_tokens::expires_at.lt(to_millis(before))),
                )
                .execute(conn)?;
                let with_tokens = refresh_tokens::table.select(refresh_tokens::session_id);
                diesel::delete(sessions::table.filter(sessions::id.ne_all(with_tokens)))
                    .execute(conn)?;
                Ok(deleted as u64)
            })
        })
        .await
    }

    async fn change_password(
        &self,
        user_id: UserId,
        hash: PasswordHash,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let keep = keep.0.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let changed = diesel::update(users::table.find(user_id.0))
                    .set((users::password_hash.eq(hash.0), users::updated_at.eq(now)))
                    .execute(conn)?;
                if changed == 0 {
                    return Err(Fail(RepoError::NotFound));
                }
                revoke_sessions_of(conn.conn(), user_id.0, now, Some(&keep))
            })
        })
        .await
    }
}
