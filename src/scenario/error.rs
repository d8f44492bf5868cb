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
    #[error("--set {arg}: {rule}")]
    Override { arg: String, rule: String },
}
