//! Where the contents of documents live. The database keeps each document's description and
//! an opaque key; the bytes sit behind [`DocumentStore`], so a deployment could keep them in
//! object storage without the API changing. [`FsDocumentStore`] keeps them as files.
//!
//! The calls block (file I/O): the API makes them on the blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DocumentStoreError {
    /// No contents under this key (the description outlived its file).
    #[error("no document contents under key {0:?}")]
    NotFound(String),
    /// A key this store never hands out; refused rather than turned into a path.
    #[error("{0:?} is not a document key")]
    BadKey(String),
    #[error("document storage: {0}")]
    Io(#[from] io::Error),
}

pub trait DocumentStore: Send + Sync {
    /// Keeps `bytes` and returns the new key they are kept under. The contents are either all
    /// there under the key or not there at all.
    fn put(&self, bytes: &[u8]) -> Result<String, DocumentStoreError>;
    fn get(&self, key: &str) -> Result<Vec<u8>, DocumentStoreError>;
    /// Forgets the contents; a key already gone is not an error.
    fn delete(&self, key: &str) -> Result<(), DocumentStoreError>;
}

/// One file per document in a directory, named by its key (never by anything a client sent).
#[derive(Clone, Debug)]
pub struct FsDocumentStore {
    dir: PathBuf,
}

impl FsDocumentStore {
    pub fn new(dir: impl Into<PathBuf>) -> FsDocumentStore {
        FsDocumentStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for `key`. Keys are UUIDs; anything else could climb out of the directory if
    /// a stored key were ever tampered with.
    fn path(&self, key: &str) -> Result<PathBuf, DocumentStoreError> {
        if uuid::Uuid::parse_str(key).is_ok_and(|u| u.hyphenated().to_string() == key) {
            Ok(self.dir.join(key))
        } else {
            Err(DocumentStoreError::BadKey(key.to_string()))
        }
    }
}

impl DocumentStore for FsDocumentStore {
    fn put(&self, bytes: &[u8]) -> Result<String, DocumentStoreError> {
        fs::create_dir_all(&self.dir)?;
        let key = crate::new_id();
        let path = self.path(&key)?;
        // Written beside its final name and renamed into place once on disk: a crash leaves at
        // most a stray `.part` file, never a truncated document under a real key.
        let partial = self.dir.join(format!(".{key}.part"));
        let written = write_new(&partial, bytes)
            .and_then(|()| fs::rename(&partial, &path))
            .and_then(|()| sync_dir(&self.dir));
        if let Err(e) = written {
            let _ = fs::remove_file(&partial);
            let _ = fs::remove_file(&path);
            return Err(e.into());
        }
        Ok(key)
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, DocumentStoreError> {
        fs::read(self.path(key)?).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => DocumentStoreError::NotFound(key.to_string()),
            _ => e.into(),
        })
    }

    fn delete(&self, key: &str) -> Result<(), DocumentStoreError> {
        match fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    // Court orders and referral forms: readable by the service's account only.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename durable: the directory entry is on disk too, not only the file's data.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = (dir, File::open);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            TempDir(std::env::temp_dir().join(format!("ccm-docstore-{}", crate::new_id())))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn contents_come_back_as_they_went_in_and_go_when_deleted() {
        let dir = TempDir::new();
        let store = FsDocumentStore::new(dir.0.join("documents"));
        let key = store.put(b"%PDF-1.7 an order").unwrap();
        let other = store.put(b"%PDF-1.7 an order").unwrap();
        assert_ne!(key, other, "each upload is kept on its own");
        assert_eq!(store.get(&key).unwrap(), b"%PDF-1.7 an order");
        assert_eq!(entries(store.dir()), {
            let mut both = vec![key.clone(), other.clone()];
            both.sort();
            both
        });
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(matches!(
            store.get(&key),
            Err(DocumentStoreError::NotFound(_))
        ));
        assert_eq!(store.get(&other).unwrap(), b"%PDF-1.7 an order");
    }

    #[test]
    fn a_key_is_never_a_path() {
        let dir = TempDir::new();
        let store = FsDocumentStore::new(&dir.0);
        for bad in [
            "../etc/passwd",
            "/etc/passwd",
            "",
            "0193a1b2-0000-7000-8000-00000000000/",
            "0193A1B2-0000-7000-8000-000000000000",
        ] {
            assert!(
                matches!(store.get(bad), Err(DocumentStoreError::BadKey(_))),
                "{bad:?}"
            );
            assert!(matches!(
                store.delete(bad),
                Err(DocumentStoreError::BadKey(_))
            ));
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_the_service_reads_the_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new();
        let store = FsDocumentStore::new(&dir.0);
        let key = store.put(b"x").unwrap();
        let mode = fs::metadata(dir.0.join(key)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
