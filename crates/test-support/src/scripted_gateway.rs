//! A WhatsApp gateway whose answers the test scripts, for driving the dispatcher, the media
//! fetcher and read receipts without any Cloud API.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use switchboard_domain::outbound::model::{Accepted, GatewayError, MediaInfo, OutboundMessage};
use switchboard_domain::outbound::ports::WhatsAppGateway;

use crate::lock::lock;

/// The domain's [`WhatsAppGateway`] port answering from a script; it records what it was asked.
///
/// The fields are public so that a test can script and inspect it directly; the methods cover
/// the common cases.
#[derive(Debug, Default)]
pub struct ScriptedGateway {
    /// Answers the next sends give, in order; when empty, every send is accepted with the id
    /// `wamid.TEST-<n>`, `n` counting every send so far.
    pub script: Mutex<VecDeque<Result<Accepted, GatewayError>>>,
    /// Every message asked to be sent, whatever the answer.
    pub sent: Mutex<Vec<OutboundMessage>>,
    /// Read receipts asked for: (phone number id, wamid).
    pub read_receipts: Mutex<Vec<(String, String)>>,
    /// Media the "Cloud API" holds, by media id; any other id is unknown (a permanent 100).
    pub media: Mutex<HashMap<String, Vec<u8>>>,
    /// How many more downloads of a media id fail (transiently, 131052) before one succeeds.
    pub media_failures: Mutex<HashMap<String, u32>>,
    /// Files uploaded for sending, in order.
    pub uploads: Mutex<Vec<Upload>>,
    /// Errors the next uploads answer, in order; when empty, uploads succeed with the id
    /// `MEDIA-<n>`, `n` counting the successful uploads.
    pub upload_script: Mutex<VecDeque<GatewayError>>,
}

/// A file uploaded through [`ScriptedGateway`].
#[derive(Debug, Clone)]
pub struct Upload {
    /// The business number it was uploaded for.
    pub phone_number_id: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The MIME type it was uploaded as.
    pub mime_type: String,
    /// The filename it was uploaded with.
    pub filename: String,
}

impl ScriptedGateway {
    /// Queues the answer of a coming send, after those already queued.
    pub fn answer(&self, outcome: Result<Accepted, GatewayError>) {
        lock(&self.script).push_back(outcome);
    }

    /// Every message asked to be sent so far.
    pub fn sent(&self) -> Vec<OutboundMessage> {
        lock(&self.sent).clone()
    }

    /// Every file uploaded so far.
    pub fn uploads(&self) -> Vec<Upload> {
        lock(&self.uploads).clone()
    }
}

#[async_trait::async_trait]
impl WhatsAppGateway for ScriptedGateway {
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError> {
        let mut sent = lock(&self.sent);
        sent.push(message.clone());
        let n = sent.len();
        lock(&self.script).pop_front().unwrap_or_else(|| {
            Ok(Accepted {
                wamid: format!("wamid.TEST-{n}"),
            })
        })
    }

    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GatewayError> {
        lock(&self.read_receipts).push((phone_number_id.to_owned(), wamid.to_owned()));
        Ok(())
    }

    async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GatewayError> {
        let bytes =
            lock(&self.media)
                .get(media_id)
                .cloned()
                .ok_or_else(|| GatewayError::Permanent {
                    code: 100,
                    title: "Unknown media".into(),
                    details: None,
                })?;
        Ok(MediaInfo {
            // The id rides in the URL, which is all a download is given.
            url: format!("https://lookaside.example/{media_id}"),
            mime_type: "image/jpeg".into(),
            sha256: String::new(),
            file_size: bytes.len() as u64,
        })
    }

    /// # Panics
    ///
    /// If the media id in the URL is not in [`ScriptedGateway::media`]: only a URL that
    /// [`WhatsAppGateway::media_info`] gave may be downloaded.
    async fn download_media(&self, media: &MediaInfo) -> Result<Vec<u8>, GatewayError> {
        let id = media.url.rsplit('/').next().unwrap_or_default().to_owned();
        if let Some(left) = lock(&self.media_failures)
            .get_mut(&id)
            .filter(|left| **left > 0)
        {
            *left -= 1;
            return Err(GatewayError::Transient {
                code: Some(131052),
                message: "Media download error".into(),
                retry_after: None,
            });
        }
        Ok(lock(&self.media)[&id].clone())
    }

    async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: &[u8],
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GatewayError> {
        if let Some(error) = lock(&self.upload_script).pop_front() {
            return Err(error);
        }
        let mut uploads = lock(&self.uploads);
        uploads.push(Upload {
            phone_number_id: phone_number_id.to_owned(),
            bytes: bytes.to_vec(),
            mime_type: mime_type.to_owned(),
            filename: filename.to_owned(),
        });
        Ok(format!("MEDIA-{}", uploads.len()))
    }
}
