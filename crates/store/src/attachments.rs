//! [`AttachmentRepository`] on the store: agents' uploaded files (the bytes are in the media
//! store).

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::media::attachment::{Attachment, AttachmentId, NewAttachment};
use switchboard_domain::media::ports::AttachmentRepository;
use switchboard_domain::users::model::UserId;

use crate::conn::on_backend;
use crate::error::Fail;
use crate::schema::attachments;
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::{from_millis, to_millis};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = attachments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct AttachmentRow {
    id: i64,
    owner_id: i64,
    kind: String,
    mime_type: String,
    size: i64,
    filename: String,
    sha256: String,
    created_at: Millis,
}

impl AttachmentRow {
    fn into_domain(self) -> Result<Attachment, Fail> {
        Ok(Attachment {
            id: AttachmentId(self.id),
            owner: UserId(self.owner_id),
            kind: self
                .kind
                .parse()
                .map_err(|e| Fail(RepoError::broken(format!("attachment {}: {e}", self.id))))?,
            mime_type: self.mime_type,
            size: u64::try_from(self.size).unwrap_or(0),
            filename: self.filename,
            sha256: self.sha256,
            created_at: from_millis(self.created_at),
        })
    }
}

#[async_trait]
impl AttachmentRepository for Store {
    async fn create_attachment(
        &self,
        new: &NewAttachment,
        now: Timestamp,
    ) -> Result<Attachment, RepoError> {
        let new = new.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                diesel::insert_into(attachments::table)
                    .values((
                        attachments::owner_id.eq(new.owner.0),
                        attachments::kind.eq(new.kind.as_str()),
                        attachments::mime_type.eq(&new.mime_type),
                        attachments::size.eq(i64::try_from(new.size).unwrap_or(i64::MAX)),
                        attachments::filename.eq(&new.filename),
                        attachments::sha256.eq(&new.sha256),
                        attachments::created_at.eq(to_millis(now)),
                    ))
                    .returning(AttachmentRow::as_returning())
                    .get_result(conn)?
                    .into_domain()
            })
        })
        .await
    }

    async fn get_attachment(&self, id: AttachmentId) -> Result<Attachment, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                attachments::table
                    .find(id.0)
                    .select(AttachmentRow::as_select())
                    .get_result(conn)?
                    .into_domain()
            })
        })
        .await
    }

    async fn delete_attachment(&self, id: AttachmentId) -> Result<(), RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                match diesel::delete(attachments::table.find(id.0)).execute(conn)? {
                    0 => Err(Fail(RepoError::NotFound)),
                    _ => Ok(()),
                }
            })
        })
        .await
    }
}
