//! Media the business uploads and customers' media the business downloads.

use actix_web::web::Bytes;

use crate::error::GraphError;
use crate::media::{MediaFile, MediaInfo, MediaKind};

use super::SimulatorEngine;

impl SimulatorEngine {
    /// Checks that a media message of `kind` by id names stored media of that kind: Meta sends
    /// only what was uploaded, and a link send is fetched later, so only ids are checked here.
    pub(super) fn check_media_id(&self, kind: MediaKind, media_id: &str) -> Result<(), GraphError> {
        let state = self.state();
        let info = state.media.info(media_id).ok_or_else(|| {
            GraphError::invalid_parameter(format!(
                "Param {kind}['id'] is not a valid media id: no uploaded media has id {media_id}",
                kind = kind.message_type()
            ))
        })?;
        if info.kind != kind {
            return Err(GraphError::media_upload_error(format!(
                "Media {media_id} is {}, which a {} message cannot carry",
                info.mime_type,
                kind.message_type()
            )));
        }
        Ok(())
    }

    /// Stores `bytes` as a media file of `mime_type`, as `POST /{phone_number_id}/media` does,
    /// and describes it; its id can then be sent, looked up, downloaded and deleted.
    ///
    /// # Errors
    /// 100 when the Cloud API takes no file of `mime_type` or `bytes` is empty; 131053 when the
    /// file is larger than its type allows (see [`MediaKind`]) or the store would hold more than
    /// [`STORE_CAPACITY`](crate::STORE_CAPACITY) bytes; 2 when there is no OS randomness for an
    /// id.
    pub fn upload_media(&self, mime_type: &str, bytes: Bytes) -> Result<MediaInfo, GraphError> {
        self.state().media.insert(mime_type, bytes)
    }

    /// Describes the stored media `media_id`, as `GET /{media_id}` does.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id, or it was deleted.
    pub fn media_info(&self, media_id: &str) -> Result<MediaInfo, GraphError> {
        self.state()
            .media
            .info(media_id)
            .cloned()
            .ok_or_else(|| GraphError::unknown_object("get", media_id))
    }

    /// The bytes of `media_id`, given the secret `download_hash` of its download URL
    /// ([`MediaInfo::download_hash`]).
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id or the hash is not its own; 131000 while
    /// failures scripted by [`SimulatorEngine::fail_media_downloads`] are due.
    pub fn download_media(
        &self,
        media_id: &str,
        download_hash: &str,
    ) -> Result<MediaFile, GraphError> {
        self.state().media.download(media_id, download_hash)
    }

    /// Deletes `media_id`, as `DELETE /{media_id}` does, freeing its room in the store.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id.
    pub fn delete_media(&self, media_id: &str) -> Result<(), GraphError> {
        self.state().media.delete(media_id)
    }

    /// Makes the next `times` downloads of `media_id` fail with 131000 (an HTTP 500), so that a
    /// client's retry of a failed download can be tested; 0 ends a script still running.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id.
    pub fn fail_media_downloads(&self, media_id: &str, times: u32) -> Result<(), GraphError> {
        self.state().media.fail_downloads(media_id, times)
    }
}
