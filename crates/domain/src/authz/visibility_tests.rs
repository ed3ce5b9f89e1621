//! The visibility rules over small in-memory fakes: number 1 (with conversation 10) has agent
//! 2 and viewer 3 as members; number 5 (with conversation 50) has none.

use async_trait::async_trait;
use chrono::TimeZone as _;

use super::*;
use crate::Timestamp;
use crate::contacts::model::{Contact, ContactId};
use crate::conversation::model::{Conversation, ConversationChanges, ConversationStatus};
use crate::message::{Message, MessageId};
use crate::numbers::model::{BusinessNumber, BusinessNumberChanges, Membership, NewBusinessNumber};
use crate::users::model::{Role, User, UserId};

const MEMBERS: [(i64, i64); 2] = [(1, 2), (1, 3)];
const NUMBERS: [i64; 2] = [1, 5];

fn at() -> Timestamp {
    chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap()
}

fn number(id: i64) -> BusinessNumber {
    BusinessNumber {
        id: BusinessNumberId(id),
        name: format!("n{id}"),
        display_phone_number: format!("+1555000{id}"),
        phone_number_id: format!("{id}"),
        waba_id: None,
        created_at: at(),
        updated_at: at(),
    }
}

struct Fakes;

#[async_trait]
impl BusinessNumberRepository for Fakes {
    async fn create_number(
        &self,
        _: NewBusinessNumber,
        _: Timestamp,
    ) -> Result<BusinessNumber, RepoError> {
        unreachable!()
    }
    async fn update_number(
        &self,
        _: BusinessNumberId,
        _: BusinessNumberChanges,
        _: Timestamp,
    ) -> Result<BusinessNumber, RepoError> {
        unreachable!()
    }
    async fn get_number(&self, id: BusinessNumberId) -> Result<BusinessNumber, RepoError> {
        NUMBERS
            .contains(&id.0)
            .then(|| number(id.0))
            .ok_or(RepoError::NotFound)
    }
    async fn list_numbers(&self) -> Result<Vec<BusinessNumber>, RepoError> {
        Ok(NUMBERS.into_iter().map(number).collect())
    }
    async fn list_numbers_of_member(&self, user: UserId) -> Result<Vec<BusinessNumber>, RepoError> {
        Ok(MEMBERS
            .into_iter()
            .filter(|&(_, u)| u == user.0)
            .map(|(n, _)| number(n))
            .collect())
    }
    async fn is_member(&self, number: BusinessNumberId, user: UserId) -> Result<bool, RepoError> {
        Ok(MEMBERS.contains(&(number.0, user.0)))
    }
    async fn list_members(
        &self,
        _: BusinessNumberId,
    ) -> Result<Vec<(Membership, User)>, RepoError> {
        unreachable!()
    }
    async fn add_member(
        &self,
        _: BusinessNumberId,
        _: UserId,
        _: Timestamp,
    ) -> Result<bool, RepoError> {
        unreachable!()
    }
    async fn remove_member(&self, _: BusinessNumberId, _: UserId) -> Result<(), RepoError> {
        unreachable!()
    }
}

#[async_trait]
impl ConversationRepository for Fakes {
    async fn get_conversation(&self, id: ConversationId) -> Result<ConversationView, RepoError> {
        let number = match id.0 {
            10 => 1,
            50 => 5,
            _ => return Err(RepoError::NotFound),
        };
        Ok(ConversationView {
            conversation: Conversation {
                id,
                business_number_id: BusinessNumberId(number),
                contact_id: ContactId(7),
                status: ConversationStatus::Open,
                assignee_id: None,
                last_message_at: at(),
                last_inbound_at: None,
                unread_count: 0,
                created_at: at(),
                updated_at: at(),
            },
            contact: Contact {
                id: ContactId(7),
                wa_id: "15550007".into(),
                phone: "+15550007".into(),
                profile_name: None,
                display_name: None,
                created_at: at(),
                updated_at: at(),
            },
            last_message: None,
        })
    }
    async fn update_conversation(
        &self,
        _: ConversationId,
        _: &ConversationChanges,
        _: Timestamp,
    ) -> Result<ConversationView, RepoError> {
        unreachable!()
    }
    async fn mark_read(
        &self,
        _: ConversationId,
        _: Timestamp,
    ) -> Result<Option<String>, RepoError> {
        unreachable!()
    }
    async fn list_messages(
        &self,
        _: ConversationId,
        _: Option<crate::conversation::ports::MessageCursor>,
        _: u32,
    ) -> Result<Vec<Message>, RepoError> {
        unreachable!()
    }
    async fn get_message(&self, _: MessageId) -> Result<Message, RepoError> {
        unreachable!()
    }
}

fn visibility() -> Visibility {
    Visibility::new(Arc::new(Fakes), Arc::new(Fakes))
}

fn actor(id: i64, role: Role) -> Actor {
    Actor {
        user_id: UserId(id),
        role,
    }
}

const ADMIN: (i64, Role) = (1, Role::Admin);
const AGENT: (i64, Role) = (2, Role::Agent);
const VIEWER: (i64, Role) = (3, Role::Viewer);
const OUTSIDER: (i64, Role) = (4, Role::Agent);

fn a((id, role): (i64, Role)) -> Actor {
    actor(id, role)
}

#[tokio::test]
async fn an_admin_sees_and_works_everything_member_or_not() {
    let v = visibility();
    let admin = a(ADMIN);
    assert_eq!(
        v.access(&admin, BusinessNumberId(5)).await,
        Ok(Access::Manage)
    );
    assert!(
        v.workable_conversation(&admin, ConversationId(50))
            .await
            .is_ok()
    );
    assert_eq!(v.workable_number(&admin, BusinessNumberId(5)).await, Ok(()));
    assert_eq!(v.number_scope(&admin).await, Ok(None));
    assert_eq!(
        v.visible_numbers(&admin).await,
        Ok(vec![BusinessNumberId(1), BusinessNumberId(5)])
    );
    assert_eq!(v.contact_access(&admin, &[]).await, Ok(Access::Manage));
}

#[tokio::test]
async fn a_member_agent_works_their_numbers_conversations() {
    let v = visibility();
    let agent = a(AGENT);
    let (view, access) = v
        .visible_conversation(&agent, ConversationId(10))
        .await
        .unwrap();
    assert_eq!(view.conversation.id, ConversationId(10));
    assert_eq!(access, Access::Work);
    assert!(
        v.workable_conversation(&agent, ConversationId(10))
            .await
            .is_ok()
    );
    assert_eq!(v.workable_number(&agent, BusinessNumberId(1)).await, Ok(()));
    assert_eq!(
        v.number_scope(&agent).await,
        Ok(Some(vec![BusinessNumberId(1)]))
    );
    assert_eq!(
        v.contact_access(&agent, &[BusinessNumberId(5), BusinessNumberId(1)])
            .await,
        Ok(Access::Work)
    );
}

#[tokio::test]
async fn a_viewer_reads_but_may_not_work() {
    let v = visibility();
    let viewer = a(VIEWER);
    let (_, access) = v
        .visible_conversation(&viewer, ConversationId(10))
        .await
        .unwrap();
    assert_eq!(access, Access::Read);
    assert_eq!(
        v.workable_conversation(&viewer, ConversationId(10))
            .await
            .map(drop),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        v.readable_number(&viewer, BusinessNumberId(1)).await,
        Ok(())
    );
    assert_eq!(
        v.workable_number(&viewer, BusinessNumberId(1)).await,
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        v.contact_access(&viewer, &[BusinessNumberId(1)]).await,
        Ok(Access::Read)
    );
}

#[tokio::test]
async fn a_non_member_is_told_not_found_never_forbidden() {
    let v = visibility();
    let outsider = a(OUTSIDER);
    assert_eq!(
        v.visible_conversation(&outsider, ConversationId(10))
            .await
            .map(drop),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        v.workable_conversation(&outsider, ConversationId(10))
            .await
            .map(drop),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        v.readable_number(&outsider, BusinessNumberId(1)).await,
        Err(Refusal::NotFound)
    );
    assert_eq!(
        v.workable_number(&outsider, BusinessNumberId(1)).await,
        Err(Refusal::NotFound)
    );
    assert_eq!(v.number_scope(&outsider).await, Ok(Some(vec![])));
    assert_eq!(
        v.contact_access(&outsider, &[BusinessNumberId(1)]).await,
        Ok(Access::Hidden)
    );
}

#[tokio::test]
async fn what_does_not_exist_is_not_found_even_for_admins() {
    let v = visibility();
    let admin = a(ADMIN);
    assert_eq!(
        v.visible_conversation(&admin, ConversationId(99))
            .await
            .map(drop),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        v.readable_number(&admin, BusinessNumberId(99)).await,
        Err(Refusal::NotFound)
    );
}
