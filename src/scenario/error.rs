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
    /// A mistake in a forecast or staffing file, at a line and column of it (1-based).
    #[error("{path}:{line}:{column}: {what}: {rule} (read for {key} of {file})")]
    Row {
        file: PathBuf,
        key: String,
        path: PathBuf,
        line: u64,
        column: usize,
        /// The cell or header the rule is about, e.g. `rate_per_hour = "abc"`.
        what: String,
        rule: String,
    },
    #[error("--set {arg}: {rule}")]
    Override { arg: String, rule: String },
}
