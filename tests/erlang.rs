//! Ground truth (the README, "Validation against queueing theory"): with one slot per agent, one exchange, exponential compose
//! time, no think time, no accept delay, no wrap-up and no reply patience, the chat desk is the
//! M/M/n queue (Erlang C), and with exponential queue patience the M/M/n+M queue (Erlang A).
//! With K slots per agent whose handling does not depend on concurrency, it is Erlang A with
//! n·K servers. Long simulations must put the exact P(wait), mean wait, P(abandon), ASA,
//! service level and occupancy inside their 99% confidence intervals across replications.

mod common;

use ccsim::theory::{ErlangA, ErlangC};
use common::{assert_covers, kpi_values, run, scenario};

const AHT: f64 = 180.0;
const SL_T: f64 = 20.0;

struct Case {
    agents: u32,
    /// Offered load per server: lambda / (servers * mu).
    load: f64,
    /// Mean queue patience in seconds; `None` for Erlang C.
    patience: Option<f64>,
    /// Contacts per replication (approximately).
    contacts: f64,
    replications: u32,
}

fn toml(c: &Case, slots: u32, conversation: &str, extra: &str) -> String {
    let servers = (c.agents * slots) as f64;
    let lambda = c.load * servers / AHT;
    let horizon = c.contacts / lambda;
    let patience = c.patience.map_or(String::new(), |p| {
        format!("[patience]\nqueue = {{ dist = \"exponential\", mean = {p} }}\n")
    });
    format!(
        r#"
        [run]
        horizon = {horizon}
        warmup = {warmup}
        interval = {interval}
        replications = {reps}
        seed = 11
        [arrivals]
        rate_per_hour = {rate}
        [staffing]
        agents = {agents}
        max_concurrent_chats = {slots}
        {extra}
        [conversation]
        {conversation}
        [kpi]
        service_level_threshold = {SL_T}
        {patience}
        "#,
        warmup = 30.0 * AHT,
        interval = horizon + 30.0 * AHT,
        reps = c.replications,
        rate = lambda * 3600.0,
        agents = c.agents,
    )
}

fn check_erlang_c(c: Case) {
    let s = scenario(&toml(
        &c,
        1,
        &format!("agent_compose = {{ dist = \"exponential\", mean = {AHT} }}"),
        "",
    ));
    let lambda = c.load * c.agents as f64 / AHT;
    let exact = ErlangC::new(c.agents, lambda, 1.0 / AHT).unwrap();
    let reps = run(&s);
    let label = |m: &str| format!("Erlang C n={} load={} {m}", c.agents, c.load);
    assert_covers(
        &label("p_wait"),
        &kpi_values(&reps, "p_wait"),
        exact.p_wait(),
        0.02,
    );
    assert_covers(
        &label("service_level"),
        &kpi_values(&reps, "service_level"),
        exact.service_level(SL_T),
        0.02,
    );
    let w = exact.mean_wait();
    assert_covers(
        &label("wait_mean"),
        &kpi_values(&reps, "wait_mean"),
        w,
        0.08 * w + 0.5,
    );
    assert_covers(&label("asa"), &kpi_values(&reps, "asa"), w, 0.08 * w + 0.5);
    assert_covers(
        &label("occupancy"),
        &kpi_values(&reps, "occupancy"),
        exact.occupancy(),
        0.01,
    );
}

fn check_erlang_a(c: Case, slots: u32, conversation: &str, extra: &str) {
    let s = scenario(&toml(&c, slots, conversation, extra));
    let servers = c.agents * slots;
    let lambda = c.load * servers as f64 / AHT;
    let theta = 1.0 / c.patience.expect("Erlang A needs patience");
    let exact = ErlangA::new(servers, lambda, 1.0 / AHT, theta).unwrap();
    let reps = run(&s);
    let label = |m: &str| {
        format!(
            "Erlang A n={} K={slots} load={} patience={:?} {m}",
            c.agents, c.load, c.patience
        )
    };
    assert_covers(
        &label("p_wait"),
        &kpi_values(&reps, "p_wait"),
        exact.p_wait(),
        0.02,
    );
    assert_covers(
        &label("abandon_rate"),
        &kpi_values(&reps, "abandon_rate"),
        exact.p_abandon(),
        0.1 * exact.p_abandon() + 0.002,
    );
    assert_covers(
        &label("service_level"),
        &kpi_values(&reps, "service_level"),
        exact.service_level(SL_T),
        0.02,
    );
    let w = exact.mean_wait();
    assert_covers(
        &label("wait_mean"),
        &kpi_values(&reps, "wait_mean"),
        w,
        0.08 * w + 0.5,
    );
    let asa = exact.mean_wait_served();
    assert_covers(
        &label("asa"),
        &kpi_values(&reps, "asa"),
        asa,
        0.08 * asa + 0.5,
    );
    let utilisation = if slots == 1 {
        "occupancy"
    } else {
        "slot_utilisation"
    };
    assert_covers(
        &label(utilisation),
        &kpi_values(&reps, utilisation),
        exact.occupancy(),
        0.01,
    );
}

const EXP_COMPOSE: &str = "agent_compose = { dist = \"exponential\", mean = 180 }";

#[test]
fn erlang_c_single_agent() {
    check_erlang_c(Case {
        agents: 1,
        load: 0.5,
        patience: None,
        contacts: 40_000.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_small_team_busy() {
    check_erlang_c(Case {
        agents: 5,
        load: 0.8,
        patience: None,
        contacts: 60_000.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_published_example() {
    // 100 chats per 30 minutes, AHT 3 minutes, 14 agents: SL(20 s) 0.888, P(wait) 0.174.
    check_erlang_c(Case {
        agents: 14,
        load: 100.0 / 1800.0 * AHT / 14.0,
        patience: None,
        contacts: 60_000.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_fifty_agents_heavy() {
    check_erlang_c(Case {
        agents: 50,
        load: 0.95,
        patience: None,
        contacts: 200_000.0,
        // At 0.95 the mean wait of a replication varies by 15% from one to the next (the
        // arrivals' own fluctuations, amplified near saturation): 200 replications make the
        // 99% interval about ±3%.
        replications: 200,
    });
}

#[test]
fn erlang_c_thousand_agents_near_saturation() {
    check_erlang_c(Case {
        agents: 1000,
        load: 0.99,
        patience: None,
        contacts: 8_000_000.0,
        replications: 16,
    });
}

#[test]
fn erlang_a_underloaded() {
    check_erlang_a(
        Case {
            agents: 20,
            load: 0.9,
            patience: Some(120.0),
            contacts: 100_000.0,
            replications: 20,
        },
        1,
        EXP_COMPOSE,
        "",
    );
}

#[test]
fn erlang_a_overloaded() {
    check_erlang_a(
        Case {
            agents: 20,
            load: 1.3,
            patience: Some(60.0),
            contacts: 100_000.0,
            replications: 20,
        },
        1,
        EXP_COMPOSE,
        "",
    );
}

#[test]
fn erlang_a_hundred_agents_overloaded() {
    check_erlang_a(
        Case {
            agents: 100,
            load: 1.1,
            patience: Some(300.0),
            contacts: 200_000.0,
            replications: 20,
        },
        1,
        EXP_COMPOSE,
        "",
    );
}

#[test]
fn erlang_a_five_hundred_agents() {
    check_erlang_a(
        Case {
            agents: 500,
            load: 0.97,
            patience: Some(180.0),
            contacts: 400_000.0,
            replications: 10,
        },
        1,
        EXP_COMPOSE,
        "",
    );
}

#[test]
fn chat_slots_with_independent_handling_are_erlang_a_with_n_times_k_servers() {
    // attention = "parallel": each chat's reply is composed independently, so every slot is a
    // server of its own.
    check_erlang_a(
        Case {
            agents: 10,
            load: 0.9,
            patience: Some(120.0),
            contacts: 100_000.0,
            replications: 20,
        },
        3,
        EXP_COMPOSE,
        "attention = \"parallel\"",
    );
}

#[test]
fn chat_slots_held_by_wrapup_are_erlang_a_with_n_times_k_servers() {
    // Single-threaded attention, but replies take no time and the slot is held by an
    // exponential wrap-up, which runs in parallel across an agent's chats.
    check_erlang_a(
        Case { agents: 4, load: 0.85, patience: Some(90.0), contacts: 100_000.0, replications: 20 },
        3,
        "agent_compose = { dist = \"constant\", value = 0 }\n[wrapup]\ntime = { dist = \"exponential\", mean = 180 }",
        "",
    );
}
