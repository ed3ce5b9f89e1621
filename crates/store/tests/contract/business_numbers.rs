//! [`BusinessNumberRepository`](switchboard_domain::numbers::ports::BusinessNumberRepository):
//! business numbers, their unique fields, and their members.

use chrono::Utc;
use switchboard_domain::error::{ConflictKey, RepoError};
use switchboard_domain::numbers::model::{BusinessNumberChanges, BusinessNumberId, MetaId};
use switchboard_domain::users::model::{Role, UserId};

use super::backend;
use crate::backend::new_number;

#[tokio::test]
async fn creating_or_updating_a_number_onto_another_names_the_colliding_field() {
    let Some(b) = backend().await else { return };
    let s = &b.numbers;
    let first = s
        .create_number(new_number("+15550100001", "111"), Utc::now())
        .await
        .unwrap();
    let same_phone = s
        .create_number(new_number("+15550100001", "222"), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        same_phone,
        RepoError::Conflict(ConflictKey::DisplayPhoneNumber)
    );
    let same_id = s
        .create_number(new_number("+15550100002", "111"), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(same_id, RepoError::Conflict(ConflictKey::PhoneNumberId));

    let second = s
        .create_number(new_number("+15550100002", "222"), Utc::now())
        .await
        .unwrap();
    let clash = s
        .update_number(
            second.id,
            BusinessNumberChanges {
                phone_number_id: Some(MetaId::parse("p", "111").unwrap()),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert_eq!(clash, RepoError::Conflict(ConflictKey::PhoneNumberId));
    let missing = s
        .update_number(
            BusinessNumberId(999),
            BusinessNumberChanges::default(),
            Utc::now(),
        )
        .await;
    assert_eq!(missing.unwrap_err(), RepoError::NotFound);
    assert_eq!(
        s.list_numbers()
            .await
            .unwrap()
            .iter()
            .map(|n| n.id)
            .collect::<Vec<_>>(),
        [first.id, second.id]
    );
}

#[tokio::test]
async fn memberships_are_idempotent_and_reference_real_rows() {
    let Some(b) = backend().await else { return };
    let s = &b.numbers;
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    assert!(s.add_member(n, ana, Utc::now()).await.unwrap());
    assert!(!s.add_member(n, ana, Utc::now()).await.unwrap());
    assert!(s.is_member(n, ana).await.unwrap());
    assert_eq!(s.list_numbers_of_member(ana).await.unwrap().len(), 1);
    assert_eq!(s.list_members(n).await.unwrap()[0].1.username, "ana");

    assert_eq!(
        s.add_member(n, UserId(999), Utc::now()).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.add_member(BusinessNumberId(999), ana, Utc::now())
            .await
            .unwrap_err(),
        RepoError::NotFound
    );

    s.remove_member(n, ana).await.unwrap();
    assert!(!s.is_member(n, ana).await.unwrap());
    assert_eq!(
        s.remove_member(n, ana).await.unwrap_err(),
        RepoError::NotFound
    );
}
