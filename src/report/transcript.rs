//! `transcript.jsonl`: every request and answer of a run, one case per line, written as the
//! cases finish.
//!
//! A long run's bodies do not stay in memory: the engine hands each finished case to the
//! [`Writer`] (a sink), which writes it out whole (already redacted), and then keeps only a
//! slim copy (see `engine::slim`). `report.json` names the transcript and carries its digest
//! ([`TranscriptInfo`]), which the certificate's digest covers, so an edited transcript is as
//! visible as an edited report. The digest does not depend on the order the cases finished in:
//! it is SHA-256 over the cases' ids and line digests, sorted by id.
//!
//! [`read`] gives the cases back one line at a time, so a transcript of any size can be read
//! without loading it whole.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CaseReport, StepReport};
use crate::engine::{Event, Sink};

/// File name of the transcript in a report folder.
pub const FILE: &str = "transcript.jsonl";

/// What `report.json` says about its transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptInfo {
    /// File name, beside `report.json`.
    pub file: String,
    /// Cases in it (one line each).
    pub cases: usize,
    /// SHA-256 (hex) over every case's id and the SHA-256 of its line, sorted by id.
    pub sha256: String,
}

/// One line of the transcript: a case's id and its steps with requests and answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptCase {
    pub id: String,
    pub steps: Vec<StepReport>,
}

/// Why a transcript could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("failed to write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} line {line}: not a transcript line: {source}")]
    Parse {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
}

/// Bytes of transcript gathered before they are written to the file.
const OUT_BUFFER: usize = 256 * 1024;

/// Writes finished cases to `transcript.jsonl` (a sink of the engine).
pub struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
    /// The line being written, kept between cases so that a line costs no allocation.
    line: Vec<u8>,
    /// Per case: id and the digest of its line.
    digests: Vec<(String, [u8; 32])>,
    /// The first write error; later writes are not tried.
    error: Option<std::io::Error>,
}

impl Writer {
    /// Creates (or replaces) the transcript in `dir`, making the folder if needed.
    pub fn create(dir: &Path) -> Result<Self, TranscriptError> {
        let path = dir.join(FILE);
        let write_error = |source| TranscriptError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let file = File::create(&path).map_err(write_error)?;
        Ok(Writer {
            path,
            // A case's line is often longer than BufWriter's 8 KiB, which would write it
            // with a system call of its own.
            out: BufWriter::with_capacity(OUT_BUFFER, file),
            line: Vec::new(),
            digests: vec![],
            error: None,
        })
    }

    fn write_case(&mut self, case: &CaseReport) {
        if self.error.is_some() {
            return;
        }
        #[derive(Serialize)]
        struct Line<'a> {
            id: &'a str,
            steps: &'a [StepReport],
        }
        self.line.clear();
        let line = Line {
            id: &case.id,
            steps: &case.steps,
        };
        if let Err(e) = serde_json::to_writer(&mut self.line, &line) {
            self.error = Some(std::io::Error::other(e));
            return;
        }
        let digest: [u8; 32] = Sha256::digest(&self.line).into();
        self.line.push(b'\n');
        if let Err(e) = self.out.write_all(&self.line) {
            self.error = Some(e);
            return;
        }
        self.digests.push((case.id.clone(), digest));
    }

    /// Flushes the file and returns what `report.json` says of it.
    pub fn finish(mut self) -> Result<TranscriptInfo, TranscriptError> {
        if let Some(source) = self.error.take() {
            return Err(TranscriptError::Write {
                path: self.path,
                source,
            });
        }
        self.out.flush().map_err(|source| TranscriptError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(TranscriptInfo {
            file: FILE.to_string(),
            cases: self.digests.len(),
            sha256: digest_of(self.digests),
        })
    }
}

impl Sink for Writer {
    fn event(&mut self, event: Event<'_>) {
        if let Event::CaseFinished { case } = event {
            self.write_case(case);
        }
    }
}

/// The transcript digest of these (id, line digest) pairs.
fn digest_of(mut digests: Vec<(String, [u8; 32])>) -> String {
    digests.sort();
    let mut hasher = Sha256::new();
    for (id, d) in &digests {
        hasher.update((id.len() as u64).to_le_bytes());
        hasher.update(id.as_bytes());
        hasher.update(d);
    }
    hex::encode(hasher.finalize())
}

/// The cases of a transcript, one line at a time.
pub fn read(
    path: &Path,
) -> Result<impl Iterator<Item = Result<TranscriptCase, TranscriptError>>, TranscriptError> {
    Ok(lines(path)?.map(|line| line.and_then(|l| l.parse())))
}

/// The digest of the transcript at `path`, computed as the writer does, reading one line at a
/// time.
pub fn digest_file(path: &Path) -> Result<(usize, String), TranscriptError> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let mut digests = Vec::new();
    for line in lines(path)? {
        let line = line?;
        let id: Id = line.parse()?;
        digests.push((id.id, Sha256::digest(line.text.as_bytes()).into()));
    }
    Ok((digests.len(), digest_of(digests)))
}

/// One line of a transcript, with where it is for errors.
struct Line {
    path: std::sync::Arc<Path>,
    number: usize,
    text: String,
}

impl Line {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, TranscriptError> {
        serde_json::from_str(&self.text).map_err(|source| TranscriptError::Parse {
            path: self.path.to_path_buf(),
            line: self.number,
            source,
        })
    }
}

/// The non-blank lines of the transcript at `path`, one at a time.
fn lines(
    path: &Path,
) -> Result<impl Iterator<Item = Result<Line, TranscriptError>>, TranscriptError> {
    let file = File::open(path).map_err(|source| TranscriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let path: std::sync::Arc<Path> = path.into();
    Ok(BufReader::new(file)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(move |(n, text)| {
            let text = text.map_err(|source| TranscriptError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(Line {
                path: path.clone(),
                number: n + 1,
                text,
            })
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str) -> CaseReport {
        CaseReport::example(id, vec![])
    }

    #[test]
    fn written_cases_read_back_and_the_digest_ignores_finish_order() {
        let dir = tempfile::tempdir().unwrap();
        let digest = |order: &[&str]| {
            let mut w = Writer::create(dir.path()).unwrap();
            for id in order {
                w.event(Event::CaseFinished { case: &case(id) });
            }
            w.finish().unwrap()
        };
        let a = digest(&["c::a", "c::b"]);
        let b = digest(&["c::b", "c::a"]);
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.cases, 2);
        let ids: Vec<String> = read(&dir.path().join(FILE))
            .unwrap()
            .map(|c| c.unwrap().id)
            .collect();
        assert_eq!(ids, ["c::b", "c::a"]);
        assert_eq!(
            digest_file(&dir.path().join(FILE)).unwrap(),
            (2, b.sha256.clone())
        );
        // An edited line changes the digest.
        let path = dir.path().join(FILE);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("[]", "[ ]", 1);
        std::fs::write(&path, text).unwrap();
        assert_ne!(digest_file(&path).unwrap().1, b.sha256);
    }

    #[test]
    fn a_broken_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::write(&path, "{\"id\":\"a\",\"steps\":[]}\nnot json\n").unwrap();
        let got: Vec<_> = read(&path).unwrap().collect();
        assert!(got[0].is_ok());
        let err = got[1].as_ref().unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
