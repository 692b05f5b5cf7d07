//! Documents kept on a case: the court order, the referral form, exported reports. Which files
//! are accepted (a few formats, checked by their first bytes, not only by what the sender
//! claims), what name they are kept under, and who may upload and read each kind.
//!
//! Documents are the centre's records: only its own staff see them. A parent or referrer
//! gets the centre's answer about a document by other means (a released report, a letter),
//! never the file from this store, and is not told that it exists.

use crate::access::Access;
use crate::referral::disclosure::Viewer;
use crate::Role;

string_enum! {
    /// What a document is: `court_order`, `referral_form`, `report_export` (a released
    /// report as a file) or `other`.
    DocumentKind {
        CourtOrder = "court_order",
        ReferralForm = "referral_form",
        ReportExport = "report_export",
        Other = "other",
    }
}

string_enum! {
    /// The formats a document may have, by media type.
    DocumentType {
        Pdf = "application/pdf",
        Jpeg = "image/jpeg",
        Png = "image/png",
        Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
}

impl DocumentType {
    /// The first bytes every file of this type starts with. A DOCX is a ZIP archive; any ZIP
    /// passes, which is as far as a first-bytes check can go.
    fn signature(self) -> &'static [u8] {
        match self {
            DocumentType::Pdf => b"%PDF-",
            DocumentType::Jpeg => &[0xFF, 0xD8, 0xFF],
            DocumentType::Png => &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
            DocumentType::Docx => b"PK\x03\x04",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentType::Pdf => "pdf",
            DocumentType::Jpeg => "jpg",
            DocumentType::Png => "png",
            DocumentType::Docx => "docx",
        }
    }
}

/// Why a file is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("{0:?} is not accepted; send one of: {types}", types = allowed_types())]
    TypeNotAllowed(String),
    #[error("the file does not look like {}: its first bytes are not those of that format", .0.as_str())]
    NotWhatItClaims(DocumentType),
    #[error("the file is empty")]
    Empty,
}

fn allowed_types() -> String {
    DocumentType::ALL
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The accepted type a `Content-Type` value names (parameters such as `; charset=` and the
/// case of the letters aside), or why it is refused.
pub fn accepted_type(content_type: &str) -> Result<DocumentType, UploadError> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence
        .parse()
        .map_err(|_| UploadError::TypeNotAllowed(essence))
}

/// Checks that the bytes are a file of the declared type: a JPEG sent as a PDF, or a
/// program renamed `order.pdf`, is refused.
pub fn check_content(declared: DocumentType, bytes: &[u8]) -> Result<(), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.starts_with(declared.signature()) {
        Ok(())
    } else {
        Err(UploadError::NotWhatItClaims(declared))
    }
}

/// Longest name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// The name a document is kept and offered for download under: the last component of what
/// the sender gave (no directories), with anything but letters, digits, spaces and `.-_()`
/// replaced by `_`, no leading dots, at most [`MAX_FILENAME_CHARS`]. It is only ever a label
/// in `Content-Disposition`, never a path. `None` if nothing usable is left.
pub fn safe_filename(given: &str) -> Option<String> {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_FILENAME_CHARS)
        .collect();
    let trimmed = cleaned.trim_start_matches(['.', ' ']).trim_end();
    (!trimmed.is_empty() && trimmed.chars().any(|c| c != '_')).then(|| trimmed.to_string())
}

/// The name a document is kept under: the sender's name made safe by [`safe_filename`], or,
/// when nothing of it is usable, the kind with the type's extension (`court_order.pdf`). A
/// file is never refused for its name.
pub fn stored_filename(given: &str, kind: DocumentKind, ty: DocumentType) -> String {
    safe_filename(given).unwrap_or_else(|| format!("{}.{}", kind.as_str(), ty.extension()))
}

/// The provider's org admins and coordinators file documents on a case.
pub fn may_upload(viewer: Viewer) -> Access {
    match viewer {
        Viewer::Staff(Role::OrgAdmin | Role::Coordinator) => Access::Allowed,
        // A parent knows their own case exists: refused like any other part of it they may not
        // see (the ledger, the history), not told it is missing.
        Viewer::Staff(_) | Viewer::Party(_) => Access::Forbidden,
        Viewer::Referrer => Access::Hidden,
    }
}

/// Org admins and coordinators read every document of their provider's cases; a supervisor
/// reads what the supervision needs (the court order and exported reports); volunteers,
/// finance and parents none. Referrers are not told documents exist.
pub fn may_read(viewer: Viewer, kind: DocumentKind) -> Access {
    match viewer {
        Viewer::Staff(Role::OrgAdmin | Role::Coordinator) => Access::Allowed,
        Viewer::Staff(Role::Supervisor)
            if matches!(kind, DocumentKind::CourtOrder | DocumentKind::ReportExport) =>
        {
            Access::Allowed
        }
        Viewer::Staff(_) | Viewer::Party(_) => Access::Forbidden,
        Viewer::Referrer => Access::Hidden,
    }
}

/// The kinds of document `viewer` may read: a list of a case's documents shows only these.
pub fn readable_kinds(viewer: Viewer) -> Vec<DocumentKind> {
    DocumentKind::ALL
        .iter()
        .copied()
        .filter(|kind| may_read(viewer, *kind) == Access::Allowed)
        .collect()
}

/// Listing a case's documents: allowed to anyone who may read some kind of them; refused
/// (403) to the case's other staff; hidden from everyone else.
pub fn may_list(viewer: Viewer) -> Access {
    let each: Vec<Access> = DocumentKind::ALL
        .iter()
        .map(|kind| may_read(viewer, *kind))
        .collect();
    if each.contains(&Access::Allowed) {
        Access::Allowed
    } else if each.contains(&Access::Forbidden) {
        Access::Forbidden
    } else {
        Access::Hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::referral::PartyRole;

    #[test]
    fn a_few_formats_are_accepted_whatever_the_header_s_spelling() {
        assert_eq!(accepted_type("application/pdf"), Ok(DocumentType::Pdf));
        assert_eq!(accepted_type("Image/PNG; q=1"), Ok(DocumentType::Png));
        assert_eq!(
            accepted_type("text/html"),
            Err(UploadError::TypeNotAllowed("text/html".into()))
        );
        assert!(accepted_type("")
            .unwrap_err()
            .to_string()
            .contains("application/pdf"));
    }

    #[test]
    fn a_file_must_start_as_its_type_does() {
        assert_eq!(check_content(DocumentType::Pdf, b"%PDF-1.7\n..."), Ok(()));
        assert_eq!(
            check_content(DocumentType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(())
        );
        assert_eq!(check_content(DocumentType::Docx, b"PK\x03\x04rest"), Ok(()));
        assert_eq!(
            check_content(DocumentType::Pdf, &[0xFF, 0xD8, 0xFF, 0xE0]),
            Err(UploadError::NotWhatItClaims(DocumentType::Pdf))
        );
        assert_eq!(
            check_content(DocumentType::Png, b"\x89PN"),
            Err(UploadError::NotWhatItClaims(DocumentType::Png)),
            "a truncated signature is not the signature"
        );
        assert_eq!(
            check_content(DocumentType::Pdf, b""),
            Err(UploadError::Empty)
        );
    }

    #[test]
    fn a_filename_is_a_label_never_a_path() {
        assert_eq!(safe_filename("order.pdf").as_deref(), Some("order.pdf"));
        assert_eq!(safe_filename("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            safe_filename("C:\\Users\\me\\Court Order (final).pdf").as_deref(),
            Some("Court Order (final).pdf")
        );
        assert_eq!(safe_filename(".hidden").as_deref(), Some("hidden"));
        assert_eq!(
            safe_filename("a\"b;c\r\nd.pdf").as_deref(),
            Some("a_b_c__d.pdf")
        );
        assert_eq!(
            safe_filename("Gorchymyn Llys ŵ.pdf").as_deref(),
            Some("Gorchymyn Llys ŵ.pdf")
        );
        for nothing in ["", "/", "..", "dir/", " . ", "\"\"\""] {
            assert_eq!(safe_filename(nothing), None, "{nothing:?}");
        }
        assert_eq!(
            safe_filename(&"x".repeat(500)).map(|n| n.chars().count()),
            Some(MAX_FILENAME_CHARS)
        );
    }

    #[test]
    fn a_name_with_nothing_usable_becomes_the_kind_of_document() {
        assert_eq!(
            stored_filename("\u{17}¯", DocumentKind::CourtOrder, DocumentType::Pdf),
            "court_order.pdf"
        );
        assert_eq!(
            stored_filename("scan.png", DocumentKind::Other, DocumentType::Png),
            "scan.png"
        );
    }

    #[test]
    fn coordinators_and_org_admins_file_and_read_everything() {
        for role in [Role::OrgAdmin, Role::Coordinator] {
            assert_eq!(may_upload(Viewer::Staff(role)), Access::Allowed);
            for kind in DocumentKind::ALL {
                assert_eq!(may_read(Viewer::Staff(role), *kind), Access::Allowed);
            }
        }
    }

    #[test]
    fn a_supervisor_reads_the_order_and_the_reports_only() {
        let s = Viewer::Staff(Role::Supervisor);
        assert_eq!(may_upload(s), Access::Forbidden);
        assert_eq!(may_read(s, DocumentKind::CourtOrder), Access::Allowed);
        assert_eq!(may_read(s, DocumentKind::ReportExport), Access::Allowed);
        assert_eq!(may_read(s, DocumentKind::ReferralForm), Access::Forbidden);
        assert_eq!(may_read(s, DocumentKind::Other), Access::Forbidden);
    }

    #[test]
    fn whoever_reads_some_kind_lists_just_those() {
        let viewers = Role::ALL
            .iter()
            .map(|r| Viewer::Staff(*r))
            .chain([Viewer::Referrer, Viewer::Party(PartyRole::Child)]);
        for viewer in viewers {
            let kinds = readable_kinds(viewer);
            assert_eq!(
                may_list(viewer) == Access::Allowed,
                !kinds.is_empty(),
                "{viewer:?}"
            );
        }
        assert_eq!(
            readable_kinds(Viewer::Staff(Role::Supervisor)),
            [DocumentKind::CourtOrder, DocumentKind::ReportExport]
        );
        assert_eq!(may_list(Viewer::Staff(Role::Finance)), Access::Forbidden);
        assert_eq!(may_list(Viewer::Referrer), Access::Hidden);
    }

    #[test]
    fn volunteers_finance_and_parents_are_refused_and_referrers_not_told() {
        let refused = [Role::Volunteer, Role::Finance].map(Viewer::Staff);
        let parents = [PartyRole::ResidentParent, PartyRole::NonResidentParent].map(Viewer::Party);
        for viewer in refused.into_iter().chain(parents) {
            assert_eq!(may_upload(viewer), Access::Forbidden, "{viewer:?}");
            assert_eq!(may_list(viewer), Access::Forbidden, "{viewer:?}");
            for kind in DocumentKind::ALL {
                assert_eq!(may_read(viewer, *kind), Access::Forbidden, "{viewer:?}");
            }
        }
        for role in [Role::Volunteer, Role::Finance] {
            assert_eq!(may_upload(Viewer::Staff(role)), Access::Forbidden);
            assert_eq!(
                may_read(Viewer::Staff(role), DocumentKind::CourtOrder),
                Access::Forbidden
            );
        }
        assert_eq!(may_upload(Viewer::Referrer), Access::Hidden);
        for kind in DocumentKind::ALL {
            assert_eq!(may_read(Viewer::Referrer, *kind), Access::Hidden);
        }
    }
}
