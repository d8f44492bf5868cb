//! Error messages speak the user's language: malformed scenarios, `--set` values and command
//! line values give messages that never name a Rust type (`RawRun`, `struct RawDist`, `i64`,
//! `f64`, `u32`, `Option`) nor print a number as Rust does (`NaN`).

mod common;

use std::path::Path;

use common::{bundled, ccsim};

/// Words of Rust, not of the user.
const RUST: [&str; 7] = ["Raw", "struct ", "NaN", "i64", "f64", "u32", "Option"];

fn assert_plain(what: &str, message: &str) {
    for word in RUST {
        assert!(
            !message.contains(word),
            "{what}: the message names {word:?}: {message}"
        );
    }
}

/// The message of the scenario error for the bundled basic desk with `overrides`.
fn set_error(overrides: &[&str]) -> String {
    let text = std::fs::read_to_string(bundled("basic_chat.toml")).unwrap();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match ccsim::scenario::parse(&text, Path::new("basic_chat.toml"), &overrides) {
        Ok(_) => panic!("{overrides:?} was accepted"),
        Err(e) => e.to_string(),
    }
}

fn file_error(text: &str) -> String {
    match ccsim::scenario::parse(text, Path::new("bad.toml"), &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_scenarios_and_set_values_give_plain_messages() {
    // (the --set value, a part of the message it must give)
    let cases: &[(&str, &str)] = &[
        (
            "run.replications=abc",
            "run.replications: invalid type: string \"abc\", expected an integer",
        ),
        ("run.replications=1.5", "expected an integer"),
        (
            "run.replications=[1]",
            "invalid type: list, expected an integer",
        ),
        ("run.horizon={ a = 1 }", "got a table"),
        (
            "run=5",
            "run: invalid type: integer `5`, expected a section of keys",
        ),
        ("run=[1]", "run: got a list, expected a section of keys"),
        ("arrivals=5", "expected a section of keys"),
        ("staffing=\"x\"", "expected a section of keys"),
        ("conversation=true", "expected a section of keys"),
        ("patience=5", "expected a section of keys"),
        ("indicator=5", "expected a section of keys"),
        ("wrapup=5", "expected a section of keys"),
        ("kpi=5", "expected a section of keys"),
        (
            "conversation.agent_compose=5",
            "expected a distribution { dist = \"...\", ... }",
        ),
        (
            "conversation.agent_compose=nan",
            "invalid type: nan, expected a distribution",
        ),
        (
            "conversation.agent_compose=\"abc\"",
            "expected a distribution",
        ),
        ("wrapup.time=[1]", "expected a string (in quotes)"),
        (
            "staffing.agents=nan",
            "invalid type: nan, expected an integer",
        ),
        (
            "staffing.agents={ a = 1 }",
            "invalid type: table, expected an integer",
        ),
        (
            "staffing.agents_per_interval=[1, \"a\"]",
            "agents_per_interval[1]",
        ),
        (
            "staffing.routing=[\"a\"]",
            "invalid type: list, expected a string (in quotes)",
        ),
        (
            "conversation.concurrency_slowdown=1",
            "expected a list [ ... ]",
        ),
        (
            "conversation.concurrency_slowdown=[1, \"a\"]",
            "expected a number",
        ),
        (
            "patience.queue={ dist = \"lognormal\", mean = \"3m\", cv = \"x\" }",
            "cv: invalid type",
        ),
        (
            "patience.queue={ dist = \"erlang\", k = 1.5, mean = \"3m\" }",
            "expected an integer",
        ),
        (
            "patience.queue={ dist = \"empirical\", values = [\"1s\"], weights = \"a\" }",
            "weights",
        ),
        ("patience.queue={ dist = 3 }", "dist: invalid type"),
        ("run.seed=-1", "must be >= 0"),
        ("name=3", "expected a string (in quotes)"),
    ];
    for (set, expected) in cases {
        let message = set_error(&[set]);
        assert!(message.contains(expected), "--set {set}: {message}");
        assert_plain(&format!("--set {set}"), &message);
    }
    // Files missing a section, or with a list of sections.
    for (text, expected) in [
        ("name = \"x\"\n", "(top level): missing field `run`"),
        (
            "[run]\nhorizon = \"1h\"\n",
            "missing [arrivals] and [staffing]",
        ),
        (
            "[[run]]\nhorizon = \"1h\"\n",
            "run: got a list, expected a section of keys",
        ),
        ("run = \"x\"\n", "expected a section of keys"),
    ] {
        let message = file_error(text);
        assert!(message.contains(expected), "{text}: {message}");
        assert_plain(text, &message);
    }
}

/// Numbers the resolver quotes back (`cv = nan`, `weights = [nan]`, a geometric mean that is
/// not a number) are written as TOML writes them, never as Rust's `NaN`.
#[test]
fn numbers_in_resolver_messages_are_written_as_toml() {
    for set in [
        "patience.queue={ dist = \"lognormal\", mean = \"3m\", cv = nan }",
        "patience.queue={ dist = \"weibull\", shape = nan, mean = \"3m\" }",
        "conversation.concurrency_slowdown=[nan, 1, 1]",
        "patience.queue={ dist = \"empirical\", values = [\"1s\"], weights = [nan] }",
        "conversation.exchanges={ dist = \"geometric\", mean = \"x\" }",
        "conversation.exchanges={ dist = \"geometric\", mean = nan }",
    ] {
        assert_plain(&format!("--set {set}"), &set_error(&[set]));
    }
}

#[test]
fn malformed_command_line_values_give_plain_messages() {
    let scenario = bundled("basic_chat.toml").to_string_lossy().into_owned();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("messages-out");
    let out = out.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", &scenario, "--seed", "abc"],
        vec!["run", &scenario, "--reps", "x"],
        vec!["run", &scenario, "--reps", "0"],
        vec!["run", &scenario, "--threads", "0"],
        vec!["run", &scenario, "--shard", "3/2"],
        vec!["run", &scenario, "--set", "run.replications", "--out", out],
        vec![
            "sweep",
            &scenario,
            "--vary",
            "staffing.agents=2,3",
            "--precision",
            "nan",
            "--out",
            out,
        ],
        vec![
            "sweep",
            &scenario,
            "--vary",
            "staffing.agents=1..5:nan",
            "--out",
            out,
        ],
        vec![
            "sweep",
            &scenario,
            "--vary",
            "staffing.agents=a,b",
            "--out",
            out,
        ],
        vec![
            "staff",
            &scenario,
            "--target",
            "service_level>=nan",
            "--out",
            out,
        ],
        vec!["erlang", "c", "--rate", "nan", "--aht", "3m"],
        vec!["erlang", "c", "--rate", "100", "--aht", "x"],
    ];
    for args in cases {
        let o = ccsim(&args, None);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_plain(&format!("{args:?}"), &stderr);
    }
}
