//! Internal chats (`[internal]`): the colleagues' messages count against rate × agent-hours on
//! shift (a Poisson count), they delay the customers' replies (common random numbers), and
//! the KPIs appear only with the feature.
//!
//! `cargo test --release --test internal -- --nocapture` prints the figures.

mod common;

use ccsim::stats::{Features, Kpi};
use common::{assert_covers, kpi_values, paired, run, scenario};

/// A desk whose staff changes every 2 hours (4, 8, 2, 6 agents: 40 agent-hours), with `slots`
/// slots each, every agent receiving `rate` colleagues' messages an hour on shift.
fn desk(slots: u32, rate: f64) -> String {
    format!(
        r#"
        [run]
        horizon = "8h"
        interval = "2h"
        replications = 30
        seed = 9
        [arrivals]
        rate_per_hour = 40
        [staffing]
        agents_per_interval = [4, 8, 2, 6]
        max_concurrent_chats = {slots}
        [conversation]
        exchanges = {{ dist = "geometric", mean = 4 }}
        customer_think = {{ dist = "exponential", mean = "40s" }}
        agent_compose = {{ dist = "exponential", mean = "30s" }}
        [internal]
        messages_per_agent_hour = {rate}
        compose = {{ dist = "exponential", mean = "20s" }}
        "#
    )
}

#[test]
fn internal_messages_are_rate_times_agent_hours_on_shift() {
    for slots in [1, 3] {
        let reps = run(&scenario(&desk(slots, 12.0)));
        // 40 agent-hours × 12 an hour; a Poisson count of mean 480 per replication.
        assert_covers(
            &format!("internal_messages, {slots} slot(s)"),
            &kpi_values(&reps, "internal_messages"),
            480.0,
            12.0,
        );
        let share = kpi_values(&reps, "internal_attention_share");
        assert!(share.iter().all(|&x| x > 0.05 && x < 0.5), "{share:?}");
    }
}

#[test]
fn colleagues_messages_delay_the_customers_replies() {
    // The customers' streams do not depend on the internal chats: paired replications.
    let quiet = run(&scenario(&desk(3, 0.0)));
    let busy = run(&scenario(&desk(3, 30.0)));
    let (low, _) = paired(&quiet, &busy, "response_mean");
    assert!(low > 0.0, "replies are not slower with internal chats");
    let (low, high) = paired(&quiet, &busy, "offered");
    assert_eq!((low, high), (0.0, 0.0), "the customers changed");
}

#[test]
fn the_kpis_are_reported_only_with_internal_chats() {
    let on = scenario(&desk(3, 12.0));
    let off = scenario(&desk(3, 0.0));
    for k in [Kpi::InternalMessages, Kpi::InternalAttentionShare] {
        assert!(Features::of(&on.model).reports(k));
        assert!(!Features::of(&off.model).reports(k));
    }
}
