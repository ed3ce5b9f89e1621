//! [`UserRepository`](switchboard_domain::users::ports::UserRepository): unique usernames,
//! counts, the last-admin guard, and concurrent creates.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Utc;
use switchboard_domain::error::{ConflictKey, RepoError};
use switchboard_domain::users::model::{Role, UserId};
use switchboard_domain::users::ports::UserUpdate;

use super::backend;
use crate::backend::{Backend, user_record};

/// Applies `update` to `id`, which must succeed.
async fn update(b: &Backend, id: UserId, update: UserUpdate) {
    b.users.update_user(id, update, Utc::now()).await.unwrap();
}

fn demotion() -> UserUpdate {
    UserUpdate {
        role: Some(Role::Agent),
        ..Default::default()
    }
}

fn deactivation() -> UserUpdate {
    UserUpdate {
        active: Some(false),
        ..Default::default()
    }
}

#[tokio::test]
async fn usernames_are_unique_and_looked_up_case_insensitively() {
    let Some(b) = backend().await else { return };
    b.user("Ana", Role::Agent).await;
    let duplicate = b
        .users
        .create_user(user_record("ANA", Role::Viewer), Utc::now())
        .await;
    assert_eq!(
        duplicate.unwrap_err(),
        RepoError::Conflict(ConflictKey::Username)
    );
    let found = b.users.find_credentials("ana").await.unwrap().unwrap();
    assert_eq!(found.user.username, "Ana");
    assert_eq!(
        b.users
            .find_credentials("nobody")
            .await
            .unwrap()
            .map(|c| c.user.id),
        None
    );
    assert_eq!(
        b.users.get_user(UserId(999)).await.unwrap_err(),
        RepoError::NotFound
    );
}

#[tokio::test]
async fn every_user_is_counted_and_only_active_admins_as_admins() {
    let Some(b) = backend().await else { return };
    assert_eq!(b.users.count_users().await.unwrap(), 0);
    let a = b.user("a-admin", Role::Admin).await;
    b.user("b-admin", Role::Admin).await;
    b.user("agent", Role::Agent).await;
    assert_eq!(b.users.count_users().await.unwrap(), 3);
    assert_eq!(b.users.count_active_admins().await.unwrap(), 2);
    update(&b, a, deactivation()).await;
    assert_eq!(b.users.count_active_admins().await.unwrap(), 1);
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let Some(b) = backend().await else { return };
    for round in 0..10 {
        let a = b.user(&format!("a-admin-{round}"), Role::Admin).await;
        let c = b.user(&format!("b-admin-{round}"), Role::Admin).await;
        // Everyone else steps down, so a and c are the only admins.
        for other in b.users.list_users().await.unwrap() {
            if other.id != a && other.id != c && other.role == Role::Admin {
                update(&b, other.id, demotion()).await;
            }
        }
        let demote = |id, update: UserUpdate| {
            let users = Arc::clone(&b.users);
            tokio::spawn(async move { users.update_user(id, update, Utc::now()).await })
        };
        let first = demote(a, demotion());
        let second = demote(c, deactivation());
        let outcomes = [first.await.unwrap(), second.await.unwrap()];
        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|o| o == &Err(RepoError::Conflict(ConflictKey::LastAdmin))),
            "{outcomes:?}"
        );
        assert_eq!(b.users.count_active_admins().await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_each_get_their_own_outcome_and_only_successes_are_stored() {
    let Some(b) = backend().await else { return };
    // 15 of the 25 names are wanted twice: of each pair exactly one write may succeed, whatever
    // batch (or transaction) the writes share, and a failure must not take its neighbours
    // with it.
    let names: Vec<String> = (0..40).map(|i| format!("user{}", i % 25)).collect();
    let writes: Vec<_> = names
        .iter()
        .map(|name| {
            let users = Arc::clone(&b.users);
            let record = user_record(name, Role::Agent);
            tokio::spawn(async move { users.create_user(record, Utc::now()).await })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for write in writes {
        match write.await.unwrap() {
            Ok(_) => created += 1,
            Err(RepoError::Conflict(field)) => {
                assert_eq!(field, ConflictKey::Username);
                conflicts += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let distinct: HashSet<&String> = names.iter().collect();
    assert_eq!(created, distinct.len());
    assert_eq!(conflicts, names.len() - distinct.len());
    assert_eq!(b.users.list_users().await.unwrap().len(), distinct.len());
}
