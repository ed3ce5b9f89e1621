//! Meta's rules for files sent on WhatsApp: which MIME types each media kind takes and how
//! large a file may be (wire contract, "Media"). Checked before anything is stored, so a file
//! the Cloud API would refuse never reaches the queue.

use std::fmt;
use std::str::FromStr;

use crate::validation::FieldError;

const KB: u64 = 1024;
const MB: u64 = 1024 * KB;

/// The longest caption Meta takes, in characters.
pub const MAX_CAPTION_CHARS: usize = 1024;

/// The largest file any kind allows (a document's 100 MB): an upload is never read further.
pub const MAX_MEDIA_BYTES: u64 = 100 * MB;

/// Static stickers are capped lower than animated ones.
const STATIC_STICKER_BYTES: u64 = 100 * KB;
const ANIMATED_STICKER_BYTES: u64 = 500 * KB;

/// What a file is to WhatsApp; it follows from the MIME type, and a message of that `type`
/// carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// The rule table: each kind, its MIME types and its size limit. A sticker's entry is the
/// animated limit; static stickers are held to [`STATIC_STICKER_BYTES`] once the file is read.
const RULES: [(MediaKind, &[&str], u64); 5] = [
    (MediaKind::Image, &["image/jpeg", "image/png"], 5 * MB),
    (MediaKind::Video, &["video/mp4", "video/3gpp"], 16 * MB),
    (
        MediaKind::Audio,
        &[
            "audio/aac",
            "audio/amr",
            "audio/mpeg",
            "audio/mp4",
            "audio/ogg",
        ],
        16 * MB,
    ),
    (
        MediaKind::Document,
        &[
            "text/plain",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ],
        MAX_MEDIA_BYTES,
    ),
    (MediaKind::Sticker, &["image/webp"], ANIMATED_STICKER_BYTES),
];

impl MediaKind {
    pub const ALL: [MediaKind; 5] = [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Document,
        MediaKind::Sticker,
    ];

    /// The message `type` that carries this kind, e.g. `image`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    fn rule(self) -> (&'static [&'static str], u64) {
        RULES
            .iter()
            .find(|(kind, ..)| *kind == self)
            .map_or((&[], 0), |(_, types, limit)| (*types, *limit))
    }

    /// The kind of a file of `mime_type` (case and parameters such as `; codecs=opus` ignored),
    /// or `None` when WhatsApp takes no such file. WebP images are stickers.
    pub fn of_mime(mime_type: &str) -> Option<Self> {
        let essence = mime_essence(mime_type);
        RULES
            .iter()
            .find(|(_, types, _)| types.contains(&essence.as_str()))
            .map(|(kind, ..)| *kind)
    }

    /// The MIME types of this kind.
    pub fn mime_types(self) -> &'static [&'static str] {
        self.rule().0
    }

    /// The most bytes any file of this kind may have (for stickers, an animated one's): where a
    /// streaming reader stops.
    pub fn max_bytes(self) -> u64 {
        self.rule().1
    }

    /// The limit for these very bytes: a static sticker's is lower than an animated one's.
    pub fn limit_for(self, bytes: &[u8]) -> u64 {
        if self == MediaKind::Sticker && !is_animated_webp(bytes) {
            STATIC_STICKER_BYTES
        } else {
            self.max_bytes()
        }
    }

    /// The limit in words, e.g. `5 MB`, for error messages and documentation.
    pub fn limit_text(self) -> String {
        match self {
            MediaKind::Sticker => format!(
                "{} for a static sticker, {} for an animated one",
                size_text(STATIC_STICKER_BYTES),
                size_text(ANIMATED_STICKER_BYTES)
            ),
            kind => size_text(kind.max_bytes()),
        }
    }

    /// Whether a message of this kind may carry a caption (Meta: images, videos, documents).
    pub fn takes_caption(self) -> bool {
        matches!(
            self,
            MediaKind::Image | MediaKind::Video | MediaKind::Document
        )
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text did not name a media kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown media kind {0:?}")]
pub struct UnknownMediaKind(pub String);

impl FromStr for MediaKind {
    type Err = UnknownMediaKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MediaKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownMediaKind(s.to_owned()))
    }
}

/// `image/jpeg; q=1` -> `image/jpeg`.
fn mime_essence(mime_type: &str) -> String {
    mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// `5242880` -> `5 MB`; the limits are whole KB or MB (of 1024).
fn size_text(bytes: u64) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes / KB)
    }
}

/// Every accepted MIME type by kind, for error messages: `image: image/jpeg, image/png; ...`.
pub fn accepted_types() -> String {
    RULES
        .iter()
        .map(|(kind, types, _)| format!("{kind}: {}", types.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a file cannot be sent on WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaRejection {
    /// No media kind takes this MIME type (or none was given).
    #[error(
        "WhatsApp does not take files of type {mime_type:?}; accepted types are {}",
        accepted_types()
    )]
    UnsupportedType { mime_type: String },
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The file is larger than its kind allows.
    #[error("{kind} files may be at most {}", kind.limit_text())]
    TooLarge { kind: MediaKind },
}

/// Checks a whole file: its MIME type names a kind, it is not empty, and it is within the
/// kind's limit (a sticker's depends on whether it is animated). Returns the kind.
///
/// # Errors
/// The [`MediaRejection`] of the first rule broken, in that order.
pub fn check_file(mime_type: &str, bytes: &[u8]) -> Result<MediaKind, MediaRejection> {
    let kind = MediaKind::of_mime(mime_type).ok_or_else(|| MediaRejection::UnsupportedType {
        mime_type: mime_type.to_owned(),
    })?;
    if bytes.is_empty() {
        return Err(MediaRejection::Empty);
    }
    if bytes.len() as u64 > kind.limit_for(bytes) {
        return Err(MediaRejection::TooLarge { kind });
    }
    Ok(kind)
}

/// Checks a caption's length, whatever the kind: at most [`MAX_CAPTION_CHARS`] characters. A
/// blank caption counts too, so that the limit is one a schema can state (`maxLength`).
///
/// # Errors
/// A [`FieldError`] on `caption` when too long or holding a NUL character (U+0000, which
/// WhatsApp does not show and PostgreSQL cannot store).
pub fn check_caption_length(caption: Option<&str>) -> Result<(), FieldError> {
    if caption.is_some_and(|c| c.chars().count() > MAX_CAPTION_CHARS) {
        return Err(FieldError::new(
            "caption",
            format!("must be at most {MAX_CAPTION_CHARS} characters"),
        ));
    }
    if caption.is_some_and(|c| c.contains('\0')) {
        return Err(FieldError::new(
            "caption",
            "must not contain NUL characters (U+0000)",
        ));
    }
    Ok(())
}

/// Checks a caption for a message of `kind`: its length ([`check_caption_length`]), and only on
/// kinds that carry one. A blank caption is no caption.
///
/// # Errors
/// A [`FieldError`] on `caption`.
pub fn check_caption(
    kind: MediaKind,
    caption: Option<String>,
) -> Result<Option<String>, FieldError> {
    check_caption_length(caption.as_deref())?;
    let Some(caption) = caption.filter(|c| !c.trim().is_empty()) else {
        return Ok(None);
    };
    if !kind.takes_caption() {
        return Err(FieldError::new(
            "caption",
            format!("{kind} messages cannot carry a caption (only image, video and document)"),
        ));
    }
    Ok(Some(caption))
}

/// The name a file is kept and sent under: the client's name without any directory part or
/// control characters, at most 255 characters; the kind's name when none is left.
pub fn clean_filename(raw: Option<&str>, kind: MediaKind) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect::<String>()
        .trim()
        .to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        kind.as_str().to_owned()
    } else {
        cleaned
    }
}

/// Whether `bytes` is an animated WebP: an extended (`VP8X`) file with the animation flag set.
pub fn is_animated_webp(bytes: &[u8]) -> bool {
    const ANIMATION_FLAG: u8 = 0x02;
    bytes.len() > 20
        && &bytes[..4] == b"RIFF"
        && &bytes[8..12] == b"WEBP"
        && &bytes[12..16] == b"VP8X"
        && bytes[20] & ANIMATION_FLAG != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64) -> Vec<u8> {
        vec![7; usize::try_from(size).unwrap()]
    }

    fn animated_webp(size: u64) -> Vec<u8> {
        let mut bytes = file(size);
        bytes[..16].copy_from_slice(b"RIFF\0\0\0\0WEBPVP8X");
        bytes[20] = 0x02;
        bytes
    }

    #[test]
    fn each_kind_takes_its_mime_types_and_webp_is_a_sticker() {
        for (mime, kind) in [
            ("image/jpeg", MediaKind::Image),
            ("image/png", MediaKind::Image),
            ("video/mp4", MediaKind::Video),
            ("video/3gpp", MediaKind::Video),
            ("audio/aac", MediaKind::Audio),
            ("audio/amr", MediaKind::Audio),
            ("audio/mpeg", MediaKind::Audio),
            ("audio/mp4", MediaKind::Audio),
            ("audio/ogg", MediaKind::Audio),
            ("text/plain", MediaKind::Document),
            ("application/pdf", MediaKind::Document),
            ("application/msword", MediaKind::Document),
            (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                MediaKind::Document,
            ),
            ("application/vnd.ms-excel", MediaKind::Document),
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                MediaKind::Document,
            ),
            ("application/vnd.ms-powerpoint", MediaKind::Document),
            (
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                MediaKind::Document,
            ),
            ("image/webp", MediaKind::Sticker),
        ] {
            assert_eq!(MediaKind::of_mime(mime), Some(kind), "{mime}");
        }
    }

    #[test]
    fn mime_parameters_and_case_are_ignored_and_other_types_refused() {
        assert_eq!(
            MediaKind::of_mime("Audio/OGG; codecs=opus"),
            Some(MediaKind::Audio)
        );
        assert_eq!(
            MediaKind::of_mime("text/plain; charset=utf-8"),
            Some(MediaKind::Document)
        );
        for mime in [
            "image/gif",
            "application/zip",
            "application/octet-stream",
            "",
        ] {
            assert_eq!(MediaKind::of_mime(mime), None, "{mime}");
        }
    }

    #[test]
    fn each_kind_takes_files_up_to_its_limit_and_refuses_one_byte_more() {
        for (mime, limit) in [
            ("image/jpeg", 5 * MB),
            ("video/mp4", 16 * MB),
            ("audio/mpeg", 16 * MB),
            ("image/webp", 100 * KB),
        ] {
            assert!(check_file(mime, &file(limit)).is_ok(), "{mime}");
            let kind = MediaKind::of_mime(mime).unwrap();
            assert_eq!(
                check_file(mime, &file(limit + 1)),
                Err(MediaRejection::TooLarge { kind }),
                "{mime}"
            );
        }
        assert_eq!(MediaKind::Document.max_bytes(), 100 * MB);
        assert_eq!(MAX_MEDIA_BYTES, 100 * MB);
    }

    #[test]
    fn an_animated_sticker_may_be_500_kb_a_static_one_100_kb() {
        assert_eq!(
            check_file("image/webp", &animated_webp(500 * KB)),
            Ok(MediaKind::Sticker)
        );
        assert_eq!(
            check_file("image/webp", &animated_webp(500 * KB + 1)),
            Err(MediaRejection::TooLarge {
                kind: MediaKind::Sticker
            })
        );
        assert!(check_file("image/webp", &file(100 * KB + 1)).is_err());
        assert_eq!(MediaKind::Sticker.max_bytes(), 500 * KB);
    }

    #[test]
    fn empty_and_unsupported_files_are_refused_naming_what_is_accepted() {
        assert_eq!(check_file("image/png", b""), Err(MediaRejection::Empty));
        let refused = check_file("image/gif", b"GIF89a").unwrap_err();
        assert_eq!(
            refused,
            MediaRejection::UnsupportedType {
                mime_type: "image/gif".into()
            }
        );
        let message = refused.to_string();
        for accepted in ["image/jpeg", "application/pdf", "image/webp", "audio/ogg"] {
            assert!(message.contains(accepted), "{message}");
        }
    }

    #[test]
    fn the_too_large_message_names_the_kinds_limit() {
        let image = MediaRejection::TooLarge {
            kind: MediaKind::Image,
        };
        assert_eq!(image.to_string(), "image files may be at most 5 MB");
        let sticker = MediaRejection::TooLarge {
            kind: MediaKind::Sticker,
        }
        .to_string();
        assert!(
            sticker.contains("100 KB") && sticker.contains("500 KB"),
            "{sticker}"
        );
    }

    #[test]
    fn captions_only_on_images_videos_and_documents_and_at_most_1024_characters() {
        for kind in [MediaKind::Image, MediaKind::Video, MediaKind::Document] {
            assert_eq!(
                check_caption(kind, Some("look".into())),
                Ok(Some("look".into()))
            );
            assert_eq!(
                check_caption(kind, Some("é".repeat(1024))).map(|_| ()),
                Ok(())
            );
            assert_eq!(
                check_caption(kind, Some("x".repeat(1025)))
                    .unwrap_err()
                    .field,
                "caption"
            );
        }
        for kind in [MediaKind::Audio, MediaKind::Sticker] {
            assert_eq!(
                check_caption(kind, Some("hi".into())).unwrap_err().field,
                "caption"
            );
            assert_eq!(check_caption(kind, None), Ok(None));
            assert_eq!(check_caption(kind, Some("  ".into())), Ok(None));
        }
    }

    #[test]
    fn a_caption_with_a_nul_is_refused_on_every_kind() {
        for kind in [MediaKind::Image, MediaKind::Audio] {
            let error = check_caption(kind, Some("a\u{0}b".into())).unwrap_err();
            assert!(error.message.contains("NUL"), "{kind}: {}", error.message);
        }
    }

    #[test]
    fn filenames_lose_directories_and_control_characters() {
        assert_eq!(
            clean_filename(Some("C:\\Users\\me\\report.pdf"), MediaKind::Document),
            "report.pdf"
        );
        assert_eq!(
            clean_filename(Some("../../etc/passwd"), MediaKind::Document),
            "passwd"
        );
        assert_eq!(
            clean_filename(Some("a\u{0}b\n.png"), MediaKind::Image),
            "ab.png"
        );
        assert_eq!(clean_filename(None, MediaKind::Image), "image");
        assert_eq!(clean_filename(Some(".."), MediaKind::Audio), "audio");
        assert_eq!(
            clean_filename(Some(&"x".repeat(300)), MediaKind::Document)
                .chars()
                .count(),
            255
        );
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for kind in MediaKind::ALL {
            assert_eq!(kind.as_str().parse::<MediaKind>(), Ok(kind));
        }
        assert!("gif".parse::<MediaKind>().is_err());
    }
}
