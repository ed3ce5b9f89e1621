//! The simulator's media store: uploads and customers' media, held in memory under Meta's limits
//! per type and a total bound, so that a test cannot exhaust the machine's memory.

use std::collections::HashMap;

use actix_web::web::Bytes;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::error::GraphError;

const KB: usize = 1024;
const MB: usize = 1024 * KB;

/// The most bytes the store holds across all media; an upload beyond it is refused until media
/// are deleted.
pub const STORE_CAPACITY: usize = 200 * MB;

/// The largest file any media type allows (a document's 100 MB): an upload is read no further.
pub const MAX_MEDIA_SIZE: usize = 100 * MB;

/// The document MIME types the Cloud API takes.
const DOCUMENT_TYPES: [&str; 8] = [
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];
const IMAGE_TYPES: [&str; 2] = ["image/jpeg", "image/png"];
const AUDIO_TYPES: [&str; 5] = [
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
];
const VIDEO_TYPES: [&str; 2] = ["video/mp4", "video/3gpp"];
const STICKER_TYPES: [&str; 1] = ["image/webp"];

/// What a media file is to WhatsApp, which follows from its MIME type: a message of that type
/// carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `image/jpeg` or `image/png`, at most 5 MB.
    Image,
    /// `audio/aac`, `audio/amr`, `audio/mpeg`, `audio/mp4` or `audio/ogg`, at most 16 MB.
    Audio,
    /// `video/mp4` or `video/3gpp`, at most 16 MB.
    Video,
    /// PDF, plain text or an Office format, at most 100 MB.
    Document,
    /// `image/webp`, at most 100 KB, or 500 KB when animated.
    Sticker,
}

impl MediaKind {
    /// The kind of a file of `mime_type` (parameters such as `; codecs=opus` ignored), or `None`
    /// when the Cloud API takes no such file.
    pub fn of_mime(mime_type: &str) -> Option<Self> {
        let essence = mime_type.split(';').next().unwrap_or("").trim();
        let essence = essence.to_ascii_lowercase();
        let kinds = [
            (Self::Image, &IMAGE_TYPES[..]),
            (Self::Audio, &AUDIO_TYPES[..]),
            (Self::Video, &VIDEO_TYPES[..]),
            (Self::Document, &DOCUMENT_TYPES[..]),
            (Self::Sticker, &STICKER_TYPES[..]),
        ];
        kinds
            .into_iter()
            .find(|(_, types)| types.contains(&essence.as_str()))
            .map(|(kind, _)| kind)
    }

    /// The message `type` (and payload key) that carries this kind, e.g. `image`.
    pub fn message_type(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }

    /// The kind a message `type` names, if it is a media type.
    pub(super) fn of_message_type(kind: &str) -> Option<Self> {
        [
            Self::Image,
            Self::Audio,
            Self::Video,
            Self::Document,
            Self::Sticker,
        ]
        .into_iter()
        .find(|candidate| candidate.message_type() == kind)
    }

    /// The largest file of this kind, in bytes; a sticker's depends on whether it is animated.
    fn max_size(self, animated: bool) -> usize {
        match self {
            Self::Image => 5 * MB,
            Self::Audio | Self::Video => 16 * MB,
            Self::Document => MAX_MEDIA_SIZE,
            Self::Sticker if animated => 500 * KB,
            Self::Sticker => 100 * KB,
        }
    }
}

/// A stored media file as the look-up describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// The media id, digits.
    pub id: String,
    /// The MIME type it was uploaded with.
    pub mime_type: String,
    /// The kind its MIME type makes it.
    pub kind: MediaKind,
    /// The SHA-256 of the bytes, lowercase hex, as the look-up answers it.
    pub sha256: String,
    /// The same SHA-256 in base64, as Meta writes it in inbound media webhooks.
    pub sha256_base64: String,
    /// The size in bytes.
    pub file_size: usize,
    /// Whether it is an animated WebP (stickers only).
    pub animated: bool,
    /// The secret the download URL carries, so that the URL is as unguessable as Meta's.
    pub download_hash: String,
}

/// The bytes of a stored media file, as the download answers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// The `Content-Type` to answer with.
    pub mime_type: String,
    /// The file.
    pub bytes: Bytes,
}

#[derive(Debug)]
struct Stored {
    info: MediaInfo,
    bytes: Bytes,
    /// Downloads still to answer with a failure, as a control request scripted.
    failures_left: u32,
}

/// The media files by id, with the total of their sizes kept for the capacity bound.
#[derive(Debug, Default)]
pub(super) struct MediaStore {
    files: HashMap<String, Stored>,
    total: usize,
}

impl MediaStore {
    /// Checks `bytes` against the limits of `mime_type` and the store's capacity, stores it
    /// under a fresh id and returns its description.
    pub(super) fn insert(
        &mut self,
        mime_type: &str,
        bytes: Bytes,
    ) -> Result<MediaInfo, GraphError> {
        let kind = MediaKind::of_mime(mime_type).ok_or_else(|| {
            GraphError::invalid_parameter(format!(
                "Param file must be a file with one of the following types: {}. Received file of \
                 type '{mime_type}'.",
                supported_types()
            ))
        })?;
        if bytes.is_empty() {
            return Err(GraphError::invalid_parameter(
                "Param file must not be empty",
            ));
        }
        let animated = kind == MediaKind::Sticker && is_animated_webp(&bytes);
        let limit = kind.max_size(animated);
        if bytes.len() > limit {
            return Err(GraphError::media_upload_error(format!(
                "{} file of {} bytes exceeds the {limit}-byte limit for {mime_type}",
                kind.message_type(),
                bytes.len()
            )));
        }
        if self.total.saturating_add(bytes.len()) > STORE_CAPACITY {
            return Err(GraphError::media_upload_error(format!(
                "The simulator's media store holds {} of its {STORE_CAPACITY} bytes and cannot \
                 take {} more; delete media first",
                self.total,
                bytes.len()
            )));
        }
        let id = loop {
            let id = new_media_id()?;
            if !self.files.contains_key(&id) {
                break id;
            }
        };
        let digest = Sha256::digest(&bytes);
        let info = MediaInfo {
            id: id.clone(),
            mime_type: mime_type.to_owned(),
            kind,
            sha256: hex::encode(digest),
            sha256_base64: STANDARD.encode(digest),
            file_size: bytes.len(),
            animated,
            download_hash: random_hex()?,
        };
        self.total += bytes.len();
        self.files.insert(
            id,
            Stored {
                info: info.clone(),
                bytes,
                failures_left: 0,
            },
        );
        Ok(info)
    }

    pub(super) fn info(&self, id: &str) -> Option<&MediaInfo> {
        self.files.get(id).map(|stored| &stored.info)
    }

    /// The bytes of `id` if `hash` is its download secret, unless a scripted failure is due.
    pub(super) fn download(&mut self, id: &str, hash: &str) -> Result<MediaFile, GraphError> {
        let stored = self
            .files
            .get_mut(id)
            .filter(|stored| stored.info.download_hash == hash)
            .ok_or_else(|| GraphError::unknown_object("get", id))?;
        if stored.failures_left > 0 {
            stored.failures_left -= 1;
            return Err(GraphError::something_went_wrong());
        }
        Ok(MediaFile {
            mime_type: stored.info.mime_type.clone(),
            bytes: stored.bytes.clone(),
        })
    }

    pub(super) fn delete(&mut self, id: &str) -> Result<(), GraphError> {
        let stored = self
            .files
            .remove(id)
            .ok_or_else(|| GraphError::unknown_object("delete", id))?;
        self.total -= stored.info.file_size;
        Ok(())
    }

    pub(super) fn fail_downloads(&mut self, id: &str, times: u32) -> Result<(), GraphError> {
        let stored = self
            .files
            .get_mut(id)
            .ok_or_else(|| GraphError::unknown_object("post", id))?;
        stored.failures_left = times;
        Ok(())
    }
}

fn supported_types() -> String {
    [
        &AUDIO_TYPES[..],
        &DOCUMENT_TYPES[..],
        &IMAGE_TYPES[..],
        &VIDEO_TYPES[..],
        &STICKER_TYPES[..],
    ]
    .concat()
    .join(", ")
}

/// Whether `bytes` is an animated WebP: an extended (`VP8X`) file with the animation flag set.
/// Meta allows animated stickers five times the size of static ones.
fn is_animated_webp(bytes: &[u8]) -> bool {
    const ANIMATION_FLAG: u8 = 0x02;
    bytes.len() > 20
        && &bytes[..4] == b"RIFF"
        && &bytes[8..12] == b"WEBP"
        && &bytes[12..16] == b"VP8X"
        && bytes[20] & ANIMATION_FLAG != 0
}

/// A fresh media id shaped like Meta's: 16 digits, not starting with 0.
fn new_media_id() -> Result<String, GraphError> {
    let mut bytes = [0; 8];
    getrandom::fill(&mut bytes).map_err(no_randomness)?;
    let first = 1_000_000_000_000_000_u64;
    Ok((first + u64::from_le_bytes(bytes) % (9 * first)).to_string())
}

/// 128 random bits in hex, for a download URL's secret.
fn random_hex() -> Result<String, GraphError> {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes).map_err(no_randomness)?;
    Ok(hex::encode(bytes))
}

fn no_randomness(error: getrandom::Error) -> GraphError {
    tracing::warn!(%error, "WhatsApp simulator has no randomness for a media id");
    GraphError::service_unavailable(format!(
        "The simulator has no randomness for an id: {error}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(store: &mut MediaStore, mime_type: &str, size: usize) -> Result<MediaInfo, i64> {
        store
            .insert(mime_type, Bytes::from(vec![7; size]))
            .map_err(|error| error.code)
    }

    #[test]
    fn each_kind_takes_files_up_to_its_limit_and_refuses_larger_ones_with_131053() {
        let mut store = MediaStore::default();
        for (mime_type, limit) in [
            ("image/png", 5 * MB),
            ("audio/ogg; codecs=opus", 16 * MB),
            ("video/mp4", 16 * MB),
            ("image/webp", 100 * KB),
        ] {
            assert!(upload(&mut store, mime_type, limit).is_ok(), "{mime_type}");
            assert_eq!(upload(&mut store, mime_type, limit + 1), Err(131053));
        }
    }

    #[test]
    fn an_animated_sticker_may_be_five_times_a_static_ones_size() {
        let mut animated = vec![0; 400 * KB];
        animated[..16].copy_from_slice(b"RIFF\0\0\0\0WEBPVP8X");
        animated[20] = 0x02;
        let mut store = MediaStore::default();

        let info = store
            .insert("image/webp", Bytes::from(animated))
            .expect("an animated sticker under 500 KB");
        assert!(info.animated);
        assert_eq!(info.kind, MediaKind::Sticker);
    }

    #[test]
    fn unsupported_or_empty_files_are_refused_with_100() {
        let mut store = MediaStore::default();
        assert_eq!(upload(&mut store, "image/gif", 10), Err(100));
        assert_eq!(upload(&mut store, "application/zip", 10), Err(100));
        assert_eq!(upload(&mut store, "image/jpeg", 0), Err(100));
    }

    #[test]
    fn the_store_refuses_uploads_beyond_its_capacity_until_media_are_deleted() {
        let mut store = MediaStore::default();
        let first = upload(&mut store, "application/pdf", MAX_MEDIA_SIZE).expect("first");
        upload(&mut store, "application/pdf", MAX_MEDIA_SIZE).expect("second");
        assert_eq!(upload(&mut store, "image/png", 1), Err(131053));

        store.delete(&first.id).expect("delete");
        assert!(upload(&mut store, "image/png", 1).is_ok());
    }

    #[test]
    fn media_ids_are_16_digits_and_the_sha256_is_hex_and_base64_of_the_bytes() {
        let mut store = MediaStore::default();
        let info = store
            .insert("image/jpeg", Bytes::from_static(b"abc"))
            .expect("upload");

        assert_eq!(info.id.len(), 16);
        assert!(info.id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            info.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            info.sha256_base64,
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn a_download_needs_the_hash_and_fails_as_often_as_scripted() {
        let mut store = MediaStore::default();
        let info = store
            .insert("text/plain", Bytes::from_static(b"hello"))
            .expect("upload");
        assert_eq!(
            store.download(&info.id, "wrong").map_err(|e| e.code),
            Err(100)
        );

        store.fail_downloads(&info.id, 2).expect("script");
        for _ in 0..2 {
            assert_eq!(
                store
                    .download(&info.id, &info.download_hash)
                    .map_err(|e| e.code),
                Err(131000)
            );
        }
        let file = store
            .download(&info.id, &info.download_hash)
            .expect("bytes");
        assert_eq!(file.bytes, Bytes::from_static(b"hello"));
        assert_eq!(file.mime_type, "text/plain");
    }
}
