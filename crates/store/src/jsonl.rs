//! An append-only JSON-lines file rotated by size: where the event sink
//! writes security events and the gateway's recorder writes sampled
//! exchanges. Disk stays bounded by `max_bytes * (max_files + 1)`, and a
//! failed write damages one line at most.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// When the file is rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// A batch that would take the file past this starts a new file (a
    /// batch is never split, so an empty file takes one whole batch).
    pub max_bytes: u64,
    /// Rotated files kept: `PATH.1` (the newest) to `PATH.N`; zero keeps
    /// none (the file is started afresh).
    pub max_files: usize,
}

/// One JSON-lines file, appended to one batch (one `write`) at a time.
#[derive(Debug)]
pub struct JsonlFile {
    path: PathBuf,
    file: File,
    /// Bytes in the current file.
    size: u64,
    rotation: Option<Rotation>,
    /// A failed write may have left half a line: start the next batch on a
    /// fresh line so that only the damaged line is lost.
    may_end_mid_line: bool,
}

impl JsonlFile {
    /// Opens (creating if needed) `path` for appending. A new file is
    /// readable by its owner and group only: what is written quotes what
    /// clients sent.
    pub fn open(path: &Path, rotation: Option<Rotation>) -> std::io::Result<JsonlFile> {
        let (file, size) = append_to(path)?;
        Ok(JsonlFile {
            path: path.to_path_buf(),
            file,
            size,
            rotation,
            may_end_mid_line: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's name with `.N` appended: the Nth newest rotated file.
    pub fn rotated(path: &Path, n: usize) -> PathBuf {
        let mut name = path.to_path_buf().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// Appends `lines` (whole lines, each ending in `\n`), rotating first
    /// when they would take the file past its size; true when it rotated.
    pub fn append(&mut self, lines: &[u8]) -> std::io::Result<bool> {
        let mut rotated = false;
        if let Some(rotation) = self.rotation {
            if self.size > 0 && self.size + lines.len() as u64 > rotation.max_bytes {
                self.rotate(rotation.max_files)?;
                rotated = true;
            }
        }
        let fresh_line: &[u8] = if self.may_end_mid_line { b"\n" } else { b"" };
        let written = self
            .file
            .write_all(fresh_line)
            .and_then(|()| self.file.write_all(lines))
            .and_then(|()| self.file.flush());
        self.may_end_mid_line = written.is_err();
        written?;
        self.size += (fresh_line.len() + lines.len()) as u64;
        Ok(rotated)
    }

    /// Shifts `PATH.1`... up by one (dropping the oldest), moves the
    /// current file to `PATH.1` and starts a new one.
    fn rotate(&mut self, max_files: usize) -> std::io::Result<()> {
        if max_files == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            match std::fs::remove_file(Self::rotated(&self.path, max_files)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            for n in (1..max_files).rev() {
                match std::fs::rename(
                    Self::rotated(&self.path, n),
                    Self::rotated(&self.path, n + 1),
                ) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            std::fs::rename(&self.path, Self::rotated(&self.path, 1))?;
        }
        (self.file, self.size) = append_to(&self.path)?;
        self.may_end_mid_line = false;
        Ok(())
    }
}

/// Opens (creating if needed) `path` for appending, with its current size.
fn append_to(path: &Path) -> std::io::Result<(File, u64)> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let file = options.open(path)?;
    let size = file.metadata()?.len();
    Ok((file, size))
}
