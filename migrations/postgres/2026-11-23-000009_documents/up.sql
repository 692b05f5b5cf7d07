-- Documents kept on a case (court order, referral form, exported reports). The contents live
-- in the document store under storage_key; this row says what the file is, who filed it and
-- its SHA-256. filename is a cleaned label for downloads, never a path.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    kind TEXT NOT NULL CHECK (kind IN ('court_order', 'referral_form', 'report_export', 'other')),
    filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg',
        'image/png', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_referral_idx ON documents (referral_id, id);
