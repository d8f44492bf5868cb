//! Every mistake in a multi-queue scenario is an error that names the file, the key, the value
//! (when there is one) and the rule, never a panic: each test writes one mistake into a valid
//! scenario and checks the message's parts.

use std::path::Path;

use ccsim::scenario;

/// A valid multi-queue scenario: 08:00 to 16:30, two channels, two queues with overflow, a
/// group with a constant staff and one on shifts with breaks.
const BASE: &str = r#"
name = "errors"
[run]
horizon = "8h"
warmup = "30m"
interval = "30m"
day_start = "08:00"
[conversation]
agent_compose = { dist = "exponential", mean = "30s" }
[channels.web]
[channels.chat]
[queues.billing]
channel = "web"
rate_per_hour = 40
served_by = [
  { groups = ["billing"] },
  { groups = ["generalists"], after = "45s" },
]
[queues.tech]
channel = "chat"
priority = 1
rate_per_hour = 25
served_by = [ { groups = ["generalists"] } ]
[groups.billing]
agents = 5
max_concurrent_chats = 3
[groups.generalists]
absenteeism = 0.05
shifts = [
  { start = "08:00", end = "12:30", agents = 4, breaks = [{ at = "10:00", length = "15m" }] },
  { start = "12:00", end = "16:30", agents = 3, breaks = [{ at = "14:00", length = "15m" }] },
]
"#;

/// BASE with `old` (which must occur) replaced by `new`.
fn with(old: &str, new: &str) -> String {
    assert!(BASE.contains(old), "{old:?} is not in the base scenario");
    BASE.replacen(old, new, 1)
}

/// The error message for `text`, which must be rejected without a panic.
fn error(text: &str) -> String {
    match std::panic::catch_unwind(|| scenario::parse(text, Path::new("bad.toml"), &[])) {
        Err(_) => panic!("the scenario made the parser panic:\n{text}"),
        Ok(Ok(_)) => panic!("the scenario was accepted:\n{text}"),
        Ok(Err(e)) => e.to_string(),
    }
}

/// `text` is rejected with a message naming the file and containing every part.
fn assert_error(text: &str, parts: &[&str]) {
    let message = error(text);
    eprintln!("{message}");
    assert!(
        message.starts_with("bad.toml: "),
        "the message does not name the file: {message}"
    );
    for part in parts {
        assert!(
            message.contains(part),
            "the message lacks {part:?}: {message}"
        );
    }
}

#[test]
fn the_base_scenario_is_valid() {
    let s = scenario::parse(BASE, Path::new("bad.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.model.queues.len(), 2);
    assert_eq!(s.model.groups.len(), 2);
}

#[test]
fn a_queue_served_by_no_group() {
    let without = with(r#"served_by = [ { groups = ["generalists"] } ]"#, "");
    assert_error(
        &without,
        &[
            "queues.tech.served_by",
            "must be served by at least one group",
        ],
    );
    let empty = with(
        r#"served_by = [ { groups = ["generalists"] } ]"#,
        "served_by = []",
    );
    assert_error(
        &empty,
        &[
            "queues.tech.served_by",
            "must be served by at least one group",
        ],
    );
    let empty_tier = with(
        r#"served_by = [ { groups = ["generalists"] } ]"#,
        "served_by = [ { groups = [] } ]",
    );
    assert_error(
        &empty_tier,
        &["queues.tech.served_by[0].groups = []", "at least one group"],
    );
}

#[test]
fn an_unknown_group_in_served_by() {
    let text = with(
        r#"{ groups = ["generalists"], after = "45s" }"#,
        r#"{ groups = ["generalist"], after = "45s" }"#,
    );
    assert_error(
        &text,
        &[
            "queues.billing.served_by[1].groups[0]",
            "\"generalist\"",
            "no such group",
            "\"billing\", \"generalists\"",
        ],
    );
}

#[test]
fn an_unknown_channel() {
    let text = with(r#"channel = "chat""#, r#"channel = "sms""#);
    assert_error(
        &text,
        &[
            "queues.tech.channel",
            "\"sms\"",
            "no such channel",
            "[channels.sms]",
        ],
    );
}

#[test]
fn tiers_whose_after_do_not_increase() {
    let tiers = |third: &str| {
        with(
            r#"  { groups = ["generalists"], after = "45s" },"#,
            &format!(
                "  {{ groups = [\"generalists\"], after = \"45s\" }},\n  {{ groups = [\"spare\"], after = {third} }},"
            ),
        )
        .replace(
            "[groups.billing]",
            "[groups.spare]\nagents = 1\n[groups.billing]",
        )
    };
    // Valid when it increases.
    scenario::parse(&tiers("\"1m\""), Path::new("bad.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    for third in ["\"45s\"", "\"30s\"", "0"] {
        assert_error(
            &tiers(third),
            &[
                "queues.billing.served_by[2].after",
                third.trim_matches('"'),
                "tiers must open one after the other",
                "45s",
            ],
        );
    }
    // The first tier answers at once; later tiers need their `after`.
    let first = with(
        r#"{ groups = ["billing"] },"#,
        r#"{ groups = ["billing"], after = "10s" },"#,
    );
    assert_error(
        &first,
        &[
            "queues.billing.served_by[0].after",
            "10s",
            "the first tier answers at once",
        ],
    );
    let missing = with(r#", after = "45s" }"#, " }");
    assert_error(
        &missing,
        &["queues.billing.served_by[1].after", "needs `after`"],
    );
}

#[test]
fn a_shift_ending_before_it_starts_or_outside_the_run() {
    let before = with(
        r#"{ start = "12:00", end = "16:30""#,
        r#"{ start = "12:00", end = "11:00""#,
    );
    assert_error(
        &before,
        &[
            "groups.generalists.shifts[1].end",
            "11:00",
            "a shift must end after it starts",
        ],
    );
    let equal = with(
        r#"{ start = "12:00", end = "16:30""#,
        r#"{ start = "12:00", end = "12:00""#,
    );
    assert_error(
        &equal,
        &[
            "groups.generalists.shifts[1].end",
            "12:00",
            "must end after it starts",
        ],
    );
    // The run ends at 16:30.
    let late = with(
        r#"{ start = "12:00", end = "16:30""#,
        r#"{ start = "12:00", end = "17:00""#,
    );
    assert_error(
        &late,
        &[
            "groups.generalists.shifts[1].end",
            "17:00",
            "outside the run",
            "08:00",
        ],
    );
    // Before the day starts (taken as the next day's 07:00, after the run).
    let early = with(
        r#"{ start = "08:00", end = "12:30""#,
        r#"{ start = "07:00", end = "12:30""#,
    );
    assert_error(
        &early,
        &[
            "groups.generalists.shifts[0].start",
            "07:00",
            "outside the run",
        ],
    );
}

#[test]
fn a_break_outside_its_shift() {
    let after_end = with(
        r#"breaks = [{ at = "10:00", length = "15m" }]"#,
        r#"breaks = [{ at = "13:00", length = "15m" }]"#,
    );
    assert_error(
        &after_end,
        &[
            "groups.generalists.shifts[0].breaks[0].at",
            "13:00",
            "a break must lie inside its shift",
            "(\"08:00\" to \"12:30\")",
        ],
    );
    // Starts inside but runs past the end of the shift.
    let overrun = with(
        r#"breaks = [{ at = "10:00", length = "15m" }]"#,
        r#"breaks = [{ at = "12:20", length = "15m" }]"#,
    );
    assert_error(
        &overrun,
        &["shifts[0].breaks[0].at", "12:20", "inside its shift"],
    );
    let before_start = with(
        r#"breaks = [{ at = "14:00", length = "15m" }]"#,
        r#"breaks = [{ at = "11:00", length = "15m" }]"#,
    );
    assert_error(
        &before_start,
        &[
            "shifts[1].breaks[0].at",
            "11:00",
            "inside its shift",
            "(\"12:00\" to \"16:30\")",
        ],
    );
}

#[test]
fn overlapping_breaks() {
    let text = with(
        r#"breaks = [{ at = "10:00", length = "15m" }]"#,
        r#"breaks = [{ at = "10:00", length = "30m" }, { at = "10:15", length = "15m" }]"#,
    );
    assert_error(
        &text,
        &[
            "groups.generalists.shifts[0].breaks[1].at",
            "10:15",
            "breaks must not overlap",
        ],
    );
    // Out of time order is refused by the same rule.
    let unordered = with(
        r#"breaks = [{ at = "10:00", length = "15m" }]"#,
        r#"breaks = [{ at = "11:00", length = "15m" }, { at = "09:00", length = "15m" }]"#,
    );
    assert_error(
        &unordered,
        &["shifts[0].breaks[1].at", "09:00", "in time order"],
    );
}

#[test]
fn both_arrivals_and_queues() {
    let text = format!("{BASE}\n[arrivals]\nrate_per_hour = 10\n");
    assert_error(&text, &["arrivals", "not both", "[queues.*]"]);
    let staffing = format!("{BASE}\n[staffing]\nagents = 3\n");
    assert_error(&staffing, &["staffing", "not both"]);
}

#[test]
fn a_group_with_no_agents_ever() {
    let constant = with("agents = 5\n", "agents = 0\n");
    assert_error(&constant, &["groups.billing", "has no agent at any time"]);
    let plan = with(
        "agents = 5\n",
        &format!("agents_per_interval = {:?}\n", [0; 17]),
    );
    assert_error(&plan, &["groups.billing", "has no agent at any time"]);
    let shifts = with("agents = 4,", "agents = 0,").replacen("agents = 3,", "agents = 0,", 1);
    assert_error(&shifts, &["groups.generalists", "has no agent at any time"]);
    let none = with("agents = 5\n", "");
    assert_error(&none, &["groups.billing", "give exactly one of agents"]);
}

#[test]
fn clock_times_that_do_not_parse() {
    for bad in ["\"8h\"", "\"25:00\"", "\"08:60\"", "\"noon\"", "\"8:0x\""] {
        let text = with(r#"start = "12:00""#, &format!("start = {bad}"));
        assert_error(&text, &["groups.generalists.shifts[1].start", bad]);
    }
    let number = with(r#"at = "14:00""#, "at = 1400");
    assert_error(
        &number,
        &["shifts[1].breaks[0].at", "1400", "a clock time is a string"],
    );
    let day_start = with(r#"day_start = "08:00""#, r#"day_start = "8 o'clock""#);
    assert_error(&day_start, &["run.day_start", "8 o'clock"]);
}

#[test]
fn absenteeism_outside_zero_to_one() {
    for (bad, shown) in [("1.0", "= 1:"), ("1.5", "= 1.5:"), ("-0.1", "= -0.1:")] {
        let text = with("absenteeism = 0.05", &format!("absenteeism = {bad}"));
        assert_error(
            &text,
            &["groups.generalists.absenteeism", shown, "must be in [0, 1)"],
        );
    }
    let nan = with("absenteeism = 0.05", "absenteeism = nan");
    assert_error(&nan, &["groups.generalists.absenteeism", "NaN", "[0, 1)"]);
}

#[test]
fn a_per_step_list_of_the_wrong_length() {
    // 8.5 h of 30 min steps: 17 entries.
    let rates = with("rate_per_hour = 40", "rate_per_hour = [40, 50, 60]");
    assert_error(
        &rates,
        &[
            "queues.billing.rate_per_hour",
            "a list of 3 entries",
            "exactly 17 entries",
            "queues.billing.step",
        ],
    );
    // With its own step: 1 h steps make 9 entries.
    let stepped = with(
        "rate_per_hour = 40",
        &format!("step = \"1h\"\nrate_per_hour = {:?}", [40; 17]),
    );
    assert_error(
        &stepped,
        &[
            "queues.billing.rate_per_hour",
            "a list of 17 entries",
            "exactly 9 entries",
        ],
    );
    let agents = with(
        "agents = 5\n",
        &format!("agents_per_interval = {:?}\n", [5; 16]),
    );
    assert_error(
        &agents,
        &[
            "groups.billing.agents_per_interval",
            "a list of 16 entries",
            "exactly 17 entries",
            "groups.billing.step",
        ],
    );
}

#[test]
fn other_layout_mistakes() {
    // A group that serves no queue.
    let idle = with(
        "[groups.billing]",
        "[groups.spare]\nagents = 2\n[groups.billing]",
    );
    assert_error(&idle, &["groups.spare", "serves no queue"]);
    // A group twice in one queue's tiers.
    let twice = with(
        r#"{ groups = ["generalists"], after = "45s" }"#,
        r#"{ groups = ["billing"], after = "45s" }"#,
    );
    assert_error(
        &twice,
        &[
            "queues.billing.served_by[1].groups[0]",
            "\"billing\"",
            "only once",
        ],
    );
    // An unknown routing policy.
    let routing = format!("{BASE}\n[routing]\nagent = \"random\"\n");
    assert_error(&routing, &["routing.agent", "random"]);
    // No queue at all.
    let no_queue = BASE[..BASE.find("[queues.billing]").unwrap()].to_string()
        + &BASE[BASE.find("[groups.billing]").unwrap()..];
    assert_error(&no_queue, &["queues"]);
}

/// Names go into dotted keys, targets, file names and CSV cells: a name that is not a plain
/// word (letters, digits, '_' and '-') is an error for queues, groups and channels alike.
#[test]
fn a_name_that_is_not_a_plain_word() {
    let rule = "a name is letters, digits, '_' and '-'";
    assert_error(
        &with("[queues.tech]", "[queues.\"tech.support\"]"),
        &["queues.tech.support", "\"tech.support\"", rule],
    );
    assert_error(
        &with("[groups.billing]\n", "[groups.\"billing, east\"]\n")
            .replace("groups = [\"billing\"]", "groups = [\"billing, east\"]"),
        &["groups.billing, east", "\"billing, east\"", rule],
    );
    assert_error(
        &with("[channels.chat]", "[channels.\"a:b\"]")
            .replace("channel = \"chat\"", "channel = \"a:b\""),
        &["channels.a:b", rule],
    );
    // A plain word with '_' and '-' is fine.
    let ok = with("[queues.tech]", "[queues.tech_support-2]");
    scenario::parse(&ok, Path::new("ok.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
}

/// A declared channel that no queue is on (a misspelt `channel`, most likely) is an error
/// naming the channel's section.
#[test]
fn a_channel_no_queue_is_on() {
    assert_error(
        &with("[channels.chat]", "[channels.chat]\n[channels.sms]"),
        &["channels.sms", "no queue is on this channel"],
    );
    // A queue without `channel` is on "main": declaring [channels.main] for it is fine.
    let text = with("channel = \"chat\"\n", "").replace("[channels.chat]", "[channels.main]");
    scenario::parse(&text, Path::new("ok.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
}

/// BASE with `section` appended (transfers, conferences, consultations, invitations).
fn plus(section: &str) -> String {
    format!("{BASE}\n{section}\n")
}

#[test]
fn every_workflow_mistake_is_named() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[queues.billing.transfer]\nshare = 1.5\nto = \"queue:tech\"",
            &["queues.billing.transfer.share", "1.5", "a probability in [0, 1]"],
        ),
        (
            "[queues.billing.transfer]\nto = \"queue:tech\"",
            &["queues.billing.transfer.share", "missing"],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1",
            &["queues.billing.transfer.to", "missing", "\"queue:NAME\" or \"group:NAME\""],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1\nto = \"tech\"",
            &["queues.billing.transfer.to", "\"tech\"", "must be \"queue:NAME\" or \"group:NAME\""],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1\nto = \"queue:sales\"",
            &["queues.billing.transfer.to", "no such queue", "\"billing\", \"tech\""],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1\nto = \"queue:billing\"",
            &["queues.billing.transfer.to", "cannot transfer its chats to itself"],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1\nto = \"group:generalists\"",
            &["queues.billing.transfer.to", "how = \"invite\""],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.1\nto = \"queue:tech\"\nhow = \"email\"",
            &["queues.billing.transfer.how", "\"email\"", "\"queue\", \"invite\""],
        ),
        (
            "[queues.billing.conference]\nshare = 0.1\nwith = \"group:nobody\"",
            &["queues.billing.conference.with", "no such group", "\"billing\", \"generalists\""],
        ),
        (
            "[queues.billing.conference]\nshare = 0.1\nwith = \"group:billing\"\nowner_leaves = 2",
            &["queues.billing.conference.owner_leaves", "a probability in [0, 1]"],
        ),
        (
            "[queues.billing.conference]\nwith = \"group:billing\"",
            &["queues.billing.conference.share", "missing"],
        ),
        (
            "[queues.billing.transfer]\nshare = 0.6\nto = \"queue:tech\"\n\
             [queues.billing.conference]\nshare = 0.5\nwith = \"group:billing\"",
            &["queues.billing.conference.share", "at most 1", "0.6"],
        ),
        (
            "[queues.billing.consultation]\nshare = 0.1\nwith = \"group:billing\"\nthen_transfer = -1",
            &["queues.billing.consultation.then_transfer", "a probability in [0, 1]"],
        ),
        (
            "[queues.billing.consultation]\nshare = 0.1",
            &["queues.billing.consultation.with", "missing"],
        ),
        (
            "[queues.billing.consultation]\nshare = 0.1\nwith = \"group:billing\"\n\
             messages = { dist = \"geometric\", mean = 0.5 }",
            &["queues.billing.consultation.messages", "mean must be a number >= 1"],
        ),
        (
            "[invitation]\nrefuse = 1.2",
            &["invitation.refuse", "1.2", "a probability in [0, 1]"],
        ),
        (
            "[invitation]\nretries = 500",
            &["invitation.retries", "500", "an integer from 0 to 100"],
        ),
        (
            "[invitation]\ntimeout = \"-3s\"",
            &["invitation.timeout", "-3s"],
        ),
    ];
    for (section, parts) in cases {
        assert_error(&plus(section), parts);
    }
    // A group that serves no queue is allowed when a transfer, conference or consultation
    // reaches it, and still an error otherwise.
    let reached = with(
        "[groups.billing]",
        "[groups.experts]\nagents = 2\n[groups.billing]",
    ) + "[queues.tech.consultation]\nshare = 0.1\nwith = \"group:experts\"\n";
    scenario::parse(&reached, Path::new("bad.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let unreached = with(
        "[groups.billing]",
        "[groups.experts]\nagents = 2\n[groups.billing]",
    );
    assert_error(
        &unreached,
        &["groups.experts", "serves no queue", "transfer.to"],
    );
}

#[test]
fn every_asynchronous_mistake_is_named() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[asynchronous]\npark_after = \"0s\"",
            &["asynchronous.park_after", "\"0s\"", "must be > 0"],
        ),
        (
            "[asynchronous]\nresume = \"queue\"",
            &["asynchronous.resume", "park_after: set it too"],
        ),
        (
            "[channels.chat.asynchronous]\nclose_after = \"1h\"",
            &["channels.chat.asynchronous.close_after", "park_after"],
        ),
        (
            "[asynchronous]\npark_after = \"5m\"\nresume = \"any\"",
            &[
                "asynchronous.resume",
                "\"any\"",
                "\"same_agent\", \"queue\"",
            ],
        ),
        (
            "[asynchronous]\npark_after = \"5m\"\nresume = \"queue\"\naffinity_wait = \"2m\"",
            &["asynchronous.affinity_wait", "resume = \"same_agent\""],
        ),
        (
            "[asynchronous]\npark_after = \"5m\"\naffinity_wait = \"-1m\"",
            &["asynchronous.affinity_wait", "must be >= 0"],
        ),
        (
            "[queues.billing.asynchronous]\npark_after = \"5m\"\nclose_after = \"later\"",
            &["queues.billing.asynchronous.close_after", "\"later\""],
        ),
        (
            "[asynchronous]\npark_after = \"5m\"\nparking = true",
            &["unknown field `parking`"],
        ),
    ];
    for (section, parts) in cases {
        assert_error(&plus(section), parts);
    }
    // A queue overrides the top level key by key.
    let ok = plus(
        "[asynchronous]\npark_after = \"5m\"\n[queues.billing.asynchronous]\nresume = \"queue\"",
    );
    scenario::parse(&ok, Path::new("ok.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_proactive_mistake_is_named() {
    let full = "visitors_per_hour = 100\ndwell = { dist = \"exponential\", mean = \"3m\" }\n";
    let cases: Vec<(String, &[&str])> = vec![
        (
            "[queues.billing.proactive]\naccept = 0.3".into(),
            &["queues.billing.proactive.visitors_per_hour", "missing"],
        ),
        (
            "[proactive]\nvisitors_per_hour = 100\naccept = 0.3".into(),
            &["proactive.dwell", "missing", "a distribution"],
        ),
        (
            format!("[proactive]\n{full}"),
            &["proactive.accept", "missing", "probability"],
        ),
        (
            format!("[proactive]\n{full}accept = 1.5"),
            &["proactive.accept", "1.5", "a probability in [0, 1]"],
        ),
        (
            format!("[proactive]\n{full}accept = 0.3\nmax_chats = -1"),
            &["proactive.max_chats", "-1", "0 to 63"],
        ),
        (
            format!("[proactive]\n{full}accept = 0.3\nvisitors_per_hour = -5").replace(
                "visitors_per_hour = 100\n",
                "",
            ),
            &["proactive.visitors_per_hour", "-5", "between 0 and 1000000"],
        ),
        (
            "[channels.web.proactive]\nvisitors_per_hour = [1, 2]\ndwell = { dist = \"exponential\", mean = \"3m\" }\naccept = 0.3".into(),
            &["channels.web.proactive.visitors_per_hour", "exactly 17 entries"],
        ),
        (
            format!("[proactive]\n{full}accept = 0.3\ninvite = \"newest\""),
            &["unknown field `invite`"],
        ),
    ];
    for (section, parts) in &cases {
        assert_error(&plus(section), parts);
    }
    // A queue overrides the top level key by key.
    let ok = plus(&format!(
        "[proactive]\n{full}accept = 0.3\n[queues.billing.proactive]\naccept = 0.5\nmax_chats = 2"
    ));
    let s = scenario::parse(&ok, Path::new("ok.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let billing = s.model.queues[0]
        .chat
        .proactive
        .as_ref()
        .expect("proactive");
    assert_eq!((billing.accept, billing.max_chats), (0.5, 2));
    let tech = s.model.queues[1]
        .chat
        .proactive
        .as_ref()
        .expect("proactive");
    assert_eq!((tech.accept, tech.max_chats), (0.3, 0));
}

#[test]
fn every_internal_mistake_is_named() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[internal]\ncompose = { dist = \"exponential\", mean = \"20s\" }",
            &["internal.messages_per_agent_hour", "missing"],
        ),
        (
            "[internal]\nmessages_per_agent_hour = 5",
            &["internal.compose", "missing", "a distribution"],
        ),
        (
            "[internal]\nmessages_per_agent_hour = -1\ncompose = { dist = \"exponential\", mean = \"20s\" }",
            &["internal.messages_per_agent_hour", "-1", "from 0 to 1000000"],
        ),
        (
            "[internal]\nmessages_per_agent_hour = 5\ncompose = { dist = \"exponential\" }",
            &["internal.compose"],
        ),
        (
            "[internal]\nmessages_per_agent_hour = 5\nreply = true",
            &["unknown field `reply`"],
        ),
    ];
    for (section, parts) in cases {
        assert_error(&plus(section), parts);
    }
    // A group overrides the top level key by key.
    let ok = plus(
        "[internal]\nmessages_per_agent_hour = 5\ncompose = { dist = \"exponential\", mean = \"20s\" }",
    )
    .replace(
        "[groups.billing]\n",
        "[groups.billing]\ninternal = { messages_per_agent_hour = 10 }\n",
    );
    let s = scenario::parse(&ok, Path::new("ok.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let rates: Vec<f64> = s
        .model
        .groups
        .iter()
        .map(|g| g.internal.as_ref().expect("internal").rate * 3600.0)
        .collect();
    assert_eq!(rates, vec![10.0, 5.0]);
}
