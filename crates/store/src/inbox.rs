//! [`InboxRepository`] on the store: the inbox listing.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::conversation::model::ConversationView;
use switchboard_domain::error::RepoError;
use switchboard_domain::inbox::model::{AssigneeFilter, ConversationQuery};
use switchboard_domain::inbox::ports::InboxRepository;

use crate::conn::{AsConn, on_backend};
use crate::conversations::views;
use crate::prepared::Prepared;
use crate::rows::{ContactRow, ConversationRow};
use crate::schema::{contacts, conversations};
use crate::store::Store;
use crate::time::to_millis;

#[async_trait]
impl InboxRepository for Store {
    async fn list_conversations(
        &self,
        query: &ConversationQuery,
    ) -> Result<Vec<ConversationView>, RepoError> {
        let query = query.clone();
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                // One keyset walk of the inbox index per number, merged here: over several numbers
                // at once SQLite would read every conversation they have and sort them all for
                // each page (1.5 ms a page at 100,000 conversations).
                let mut rows = Vec::new();
                for number in &query.numbers {
                    let mut select = conversations::table
                        .inner_join(contacts::table)
                        .filter(conversations::business_number_id.eq(number.0))
                        .select((ConversationRow::as_select(), ContactRow::as_select()))
                        .order((
                            conversations::last_message_at.desc(),
                            conversations::id.desc(),
                        ))
                        .limit(i64::from(query.limit))
                        .into_boxed();
                    if let Some(status) = query.status {
                        select = select.filter(conversations::status.eq(status.as_str()));
                    }
                    select = match query.assignee {
                        AssigneeFilter::Any => select,
                        AssigneeFilter::Unassigned => {
                            select.filter(conversations::assignee_id.is_null())
                        }
                        AssigneeFilter::User(user) => {
                            select.filter(conversations::assignee_id.eq(user.0))
                        }
                    };
                    if let Some(after) = query.after {
                        // `(last_message_at, id) < (at, id)`, with the first term on its own so
                        // the walk starts at the cursor instead of skipping the pages before it.
                        let at = to_millis(after.last_message_at);
                        select = select.filter(conversations::last_message_at.le(at)).filter(
                            conversations::last_message_at
                                .lt(at)
                                .or(conversations::id.lt(after.id.0)),
                        );
                    }
                    rows.extend(Prepared(select).load::<(ConversationRow, ContactRow)>(conn)?);
                }
                rows.sort_by(|(a, _), (b, _)| {
                    (b.last_message_at, b.id).cmp(&(a.last_message_at, a.id))
                });
                rows.truncate(query.limit as usize);
                views(conn.conn(), rows)
            })
        })
        .await
    }
}
