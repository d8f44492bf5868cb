//! Errors in a scenario: every one names the file, the key, the value and the rule, so a user
//! can fix the file without reading code.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the scenario")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: not a valid TOML file: {message}")]
    Syntax { file: PathBuf, message: String },
    /// Unknown key, missing key or wrong type, as reported by the deserializer.
    #[error("{file}: {key}: {message}")]
    Shape {
        file: PathBuf,
        key: String,
        message: String,
    },
    #[error("{file}: {key} = {value}: {rule}")]
    Invalid {
        file: PathBuf,
        key: String,
        value: String,
        rule: String,
    },
    /// A forecast or staffing file a key names cannot be read.
    #[error("{file}: {key} = {value:?}: cannot read {path}")]
    DataFile {
        file: PathBuf,
        key: String,
        value: String,
        /// The path as resolved against the scenario file's folder.
        path: PathBuf,
        source: std::io::Error,
    },
    /// A mistake in a forecast or staffing file (boxed: it is the largest, and errors travel
    /// in every `Result` of the scenario).
    #[error(transparent)]
    Row(Box<RowError>),
    #[error("--set {arg}: {rule}")]
    Override { arg: String, rule: String },
}

/// A mistake in a forecast or staffing file, at a line and column of it (1-based).
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: {what}: {rule} (read for {key} of {file})")]
pub struct RowError {
    /// The scenario file.
    pub file: PathBuf,
    /// The key that names the data file.
    pub key: String,
    /// The data file, as resolved against the scenario file's folder.
    pub path: PathBuf,
    pub line: u64,
    pub column: usize,
    /// The cell or header the rule is about, e.g. `rate_per_hour = "abc"`.
    pub what: String,
    pub rule: String,
}
