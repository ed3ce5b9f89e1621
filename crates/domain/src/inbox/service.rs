//! The caller's inbox: the conversations of the numbers they may see, newest activity first.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::conversation::model::{ConversationStatus, ConversationView};
use crate::error::RepoError;
use crate::inbox::model::{AssigneeFilter, ConversationQuery, InboxCursor};
use crate::inbox::ports::InboxRepository;
use crate::numbers::model::BusinessNumberId;
use crate::users::model::UserId;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum InboxError {
    /// The requested business number does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] RepoError),
}

crate::authz::visibility::refusal_into!(InboxError, forbidden_is_hidden);

/// The caller's own way of naming the assignee filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeParam {
    Any,
    Me,
    Unassigned,
    User(UserId),
}

/// An inbox request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRequest {
    pub business_number_id: Option<BusinessNumberId>,
    pub status: Option<ConversationStatus>,
    pub assignee: AssigneeParam,
    pub after: Option<InboxCursor>,
    pub limit: u32,
}

/// Listing the inbox.
#[derive(Clone)]
pub struct Inbox {
    inbox: Arc<dyn InboxRepository>,
    visibility: Visibility,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox").finish_non_exhaustive()
    }
}

impl Inbox {
    pub fn new(inbox: Arc<dyn InboxRepository>, visibility: Visibility) -> Self {
        Self { inbox, visibility }
    }

    /// The caller's inbox, newest activity first.
    ///
    /// # Errors
    /// [`InboxError::NotFound`] if a requested business number is missing or not visible;
    /// storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn list(
        &self,
        actor: &Actor,
        request: &InboxRequest,
    ) -> Result<Vec<ConversationView>, InboxError> {
        let numbers = match request.business_number_id {
            Some(number) => {
                self.visibility.readable_number(actor, number).await?;
                vec![number]
            }
            None => self.visibility.visible_numbers(actor).await?,
        };
        let assignee = match request.assignee {
            AssigneeParam::Any => AssigneeFilter::Any,
            AssigneeParam::Me => AssigneeFilter::User(actor.user_id),
            AssigneeParam::Unassigned => AssigneeFilter::Unassigned,
            AssigneeParam::User(user) => AssigneeFilter::User(user),
        };
        let query = ConversationQuery {
            numbers,
            status: request.status,
            assignee,
            after: request.after,
            limit: request.limit,
        };
        Ok(self.inbox.list_conversations(&query).await?)
    }
}
