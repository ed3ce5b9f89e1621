//! [`SessionRepository`](switchboard_domain::accounts::ports::SessionRepository): refresh-token
//! rotation with reuse detection, expiry, revocation, and the password change that ends the
//! other sessions.

use std::sync::Arc;

use chrono::{Duration, Utc};
use switchboard_domain::Timestamp;
use switchboard_domain::accounts::model::{NewRefreshToken, Rotation, SessionId, TokenDigest};
use switchboard_domain::error::RepoError;
use switchboard_domain::users::model::{PasswordHash, Role, UserId};
use switchboard_domain::users::ports::UserUpdate;

use super::backend;
use crate::backend::Backend;

fn token(digest: &str, session: &str, user: UserId, expires_at: Timestamp) -> NewRefreshToken {
    NewRefreshToken {
        digest: TokenDigest(digest.into()),
        session_id: SessionId(session.into()),
        user_id: user,
        expires_at,
    }
}

/// Whether `session` is live for `user`.
async fn is_active(b: &Backend, user: UserId, session: &str) -> bool {
    b.sessions
        .active_session_user(user, &SessionId(session.into()))
        .await
        .unwrap()
        .is_some()
}

/// Presents the refresh token `spent` at `now` for a successor `next` expiring at `expires_at`.
async fn rotate(
    b: &Backend,
    spent: &str,
    next: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Rotation {
    b.sessions
        .rotate(
            &TokenDigest(spent.into()),
            &TokenDigest(next.into()),
            expires_at,
            now,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn rotation_spends_the_token_and_reuse_revokes_the_session() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    b.sessions
        .start_session(token("t1", "s1", ana, later), now)
        .await
        .unwrap();
    assert!(is_active(&b, ana, "s1").await);

    assert_eq!(
        rotate(&b, "t1", "t2", later, now).await,
        Rotation::Rotated {
            user_id: ana,
            session_id: SessionId("s1".into())
        }
    );
    assert_eq!(
        rotate(&b, "t1", "t3", later, now).await,
        Rotation::Reused {
            session_id: SessionId("s1".into())
        }
    );
    assert!(!is_active(&b, ana, "s1").await);
    assert_eq!(
        rotate(&b, "t2", "t4", later, now).await,
        Rotation::Invalid,
        "the successor of a reused token dies with its session"
    );
    assert_eq!(
        rotate(&b, "nope", "t5", later, now).await,
        Rotation::Invalid
    );
}

#[tokio::test]
async fn concurrent_rotations_of_one_token_succeed_exactly_once() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    b.sessions
        .start_session(token("t0", "s1", ana, later), now)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let sessions = Arc::clone(&b.sessions);
        tasks.spawn(async move {
            sessions
                .rotate(
                    &TokenDigest("t0".into()),
                    &TokenDigest(format!("next{i}")),
                    later,
                    now,
                )
                .await
                .unwrap()
        });
    }
    let outcomes = tasks.join_all().await;
    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, Rotation::Rotated { .. }))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    // The first loser finds the token spent and revokes the session; later ones find the
    // session revoked. None may succeed.
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Rotation::Reused { .. })),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_is_invalid_and_purged() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let now = Utc::now();
    b.sessions
        .start_session(
            token("old", "s-old", ana, now - Duration::seconds(1)),
            now - Duration::days(30),
        )
        .await
        .unwrap();
    b.sessions
        .start_session(token("live", "s-live", ana, now + Duration::days(1)), now)
        .await
        .unwrap();
    assert_eq!(rotate(&b, "old", "n", now, now).await, Rotation::Invalid);

    assert_eq!(b.sessions.purge_expired(now).await.unwrap(), 1);
    assert!(!is_active(&b, ana, "s-old").await);
    assert!(is_active(&b, ana, "s-live").await);
    assert_eq!(b.sessions.purge_expired(now).await.unwrap(), 0);
}

#[tokio::test]
async fn revoking_by_token_ends_only_that_session() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    for (digest, session) in [("a", "s-a"), ("b", "s-b")] {
        b.sessions
            .start_session(token(digest, session, ana, later), now)
            .await
            .unwrap();
    }
    b.sessions
        .revoke_by_token(&TokenDigest("a".into()), now)
        .await
        .unwrap();
    b.sessions
        .revoke_by_token(&TokenDigest("unknown".into()), now)
        .await
        .unwrap();
    assert!(!is_active(&b, ana, "s-a").await);
    assert!(is_active(&b, ana, "s-b").await);
}

#[tokio::test]
async fn deactivation_and_password_changes_revoke_sessions_in_the_same_step() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    for name in ["s1", "s2", "s3"] {
        b.sessions
            .start_session(token(name, name, ana, later), now)
            .await
            .unwrap();
    }
    b.sessions
        .change_password(
            ana,
            PasswordHash("new".into()),
            &SessionId("s1".into()),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        b.users.password_hash(ana).await.unwrap(),
        PasswordHash("new".into())
    );
    assert!(is_active(&b, ana, "s1").await);
    assert!(!is_active(&b, ana, "s2").await);

    b.users
        .update_user(
            ana,
            UserUpdate {
                active: Some(false),
                revoke_sessions: true,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    assert!(!is_active(&b, ana, "s1").await);
    assert_eq!(
        b.sessions
            .change_password(
                UserId(999),
                PasswordHash("x".into()),
                &SessionId("s".into()),
                now
            )
            .await
            .unwrap_err(),
        RepoError::NotFound
    );
}
