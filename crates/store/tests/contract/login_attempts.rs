//! [`LoginAttemptRepository`](switchboard_domain::accounts::ports::LoginAttemptRepository): the
//! sign-in budget per username key and its sliding window.

use std::sync::Arc;

use chrono::{Duration, Utc};
use switchboard_domain::accounts::ports::AttemptBudget;

use super::backend;

#[tokio::test]
async fn login_attempts_are_counted_per_key_and_pruned_after_the_window() {
    let Some(b) = backend().await else { return };
    let s = &b.login_attempts;
    // Whole milliseconds, as the store keeps them.
    let now = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let window_start = now - Duration::minutes(15);
    let old = now - Duration::minutes(20);
    assert_eq!(
        s.begin_attempt("ana", old, old - Duration::minutes(15), 2)
            .await
            .unwrap(),
        AttemptBudget::Granted
    );
    // The 20-minute-old attempt is forgotten, so ana has room for two more.
    for at in [now - Duration::minutes(1), now] {
        assert_eq!(
            s.begin_attempt("ana", at, window_start, 2).await.unwrap(),
            AttemptBudget::Granted
        );
    }
    let AttemptBudget::Spent { mut attempts } =
        s.begin_attempt("ana", now, window_start, 2).await.unwrap()
    else {
        panic!("a third attempt in the window is refused");
    };
    attempts.sort();
    assert_eq!(attempts, vec![now - Duration::minutes(1), now]);
    assert_eq!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted,
        "keys have budgets of their own"
    );
    s.clear_failures("ana").await.unwrap();
    assert_eq!(
        s.begin_attempt("ana", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted
    );
    assert_eq!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted
    );
    assert!(matches!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Spent { .. }
    ));
}

#[tokio::test]
async fn attempts_arriving_at_once_are_granted_no_more_than_the_budget() {
    let Some(b) = backend().await else { return };
    let now = Utc::now();
    let window_start = now - Duration::minutes(15);
    let attempts: Vec<_> = (0..100)
        .map(|_| {
            let login_attempts = Arc::clone(&b.login_attempts);
            tokio::spawn(async move {
                login_attempts
                    .begin_attempt("ana", now, window_start, 5)
                    .await
            })
        })
        .collect();
    let mut granted = 0;
    for attempt in attempts {
        if attempt.await.unwrap().unwrap() == AttemptBudget::Granted {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
}
