//! Proactive chats (`[proactive]`): the acceptance share against its probability, visitors who
//! are never invited when no agent may invite, the invitation order (newest visitor first), the
//! agents' eligibility (at most `max_chats` chats, never above capacity), every visitor ending
//! once, and the features' KPIs only in scenarios that have them.
//!
//! `cargo test --release --test proactive -- --nocapture` prints the figures.

mod common;

use std::collections::{BTreeSet, HashMap};

use ccsim::model::{run_replication, Observer, Record};
use ccsim::stats::{Features, Kpi};
use common::{assert_covers, kpi_values, run, scenario};

/// A desk of `agents` agents with 3 slots, inbound chats at `inbound` an hour, visitors at
/// `visitors` an hour staying an exponential `dwell`, invitations accepted with `accept`.
fn desk(agents: u32, inbound: u32, visitors: u32, dwell: &str, accept: f64, max: u32) -> String {
    format!(
        r#"
        [run]
        horizon = "8h"
        interval = "1h"
        replications = 20
        seed = 5
        [arrivals]
        rate_per_hour = {inbound}
        [staffing]
        agents = {agents}
        max_concurrent_chats = 3
        [conversation]
        exchanges = {{ dist = "geometric", mean = 4 }}
        customer_think = {{ dist = "exponential", mean = "40s" }}
        agent_compose = {{ dist = "exponential", mean = "30s" }}
        [wrapup]
        time = {{ dist = "constant", value = "20s" }}
        [proactive]
        visitors_per_hour = {visitors}
        dwell = {{ dist = "exponential", mean = "{dwell}" }}
        accept = {accept}
        max_chats = {max}
        "#
    )
}

/// What the checks below follow through the records of one replication.
#[derive(Default)]
struct Follow {
    max_chats: u32,
    capacity: u32,
    visitors: u64,
    invited: u64,
    accepted: u64,
    left: u64,
    /// Arrival times (bits) of the visitors on the site.
    on_site: BTreeSet<u64>,
    /// Chats each agent holds (from the `Level` records).
    held: HashMap<u32, u32>,
    arrived: u64,
    ended: u64,
}

impl Observer for Follow {
    fn record(&mut self, now: f64, record: Record) {
        match record {
            Record::Visitor { .. } => {
                self.visitors += 1;
                assert!(self.on_site.insert(now.to_bits()), "two visitors at {now}");
            }
            Record::VisitorLeft { arrived_at, .. } => {
                self.left += 1;
                assert!(
                    self.on_site.remove(&arrived_at.to_bits()),
                    "a visitor left twice, or after an invitation"
                );
            }
            Record::ProactiveInvite {
                agent,
                arrived_at,
                accepted,
                ..
            } => {
                self.invited += 1;
                self.accepted += accepted as u64;
                // The newest visitor on the site is the one invited.
                let newest = *self.on_site.last().expect("a visitor on the site");
                assert_eq!(newest, arrived_at.to_bits(), "not the newest visitor");
                self.on_site.remove(&newest);
                let held = self.held.get(&agent).copied().unwrap_or(0);
                assert!(
                    held <= self.max_chats,
                    "agent {agent} invited holding {held} chats (max_chats {})",
                    self.max_chats
                );
            }
            Record::Level { agent, to, .. } if to != u32::MAX => {
                assert!(to <= self.capacity, "agent {agent} holds {to} chats");
                self.held.insert(agent, to);
            }
            Record::Arrived { .. } => self.arrived += 1,
            Record::Done { .. } | Record::AbandonedQueue { .. } | Record::InSystemAtEnd { .. } => {
                self.ended += 1
            }
            _ => {}
        }
    }
}

fn follow(text: &str, max_chats: u32, replications: u64) -> Vec<Follow> {
    let s = scenario(text);
    (0..replications)
        .map(|r| {
            let start = Follow {
                max_chats,
                capacity: 3,
                ..Follow::default()
            };
            run_replication(&s.model, s.run.seed, r, start).0
        })
        .collect()
}

#[test]
fn the_accepted_share_of_invitations_is_the_acceptance_probability() {
    // Ample agents and no inbound chat: every visitor is invited on arrival, by an idle agent.
    for p in [0.2, 0.6] {
        let s = scenario(&desk(30, 0, 240, "2m", p, 0));
        let reps = run(&s);
        assert_covers(
            &format!("proactive_accept_share, accept = {p}"),
            &kpi_values(&reps, "proactive_accept_share"),
            p,
            0.03,
        );
        let offered = kpi_values(&reps, "proactive_offered");
        let visitors = kpi_values(&reps, "proactive_visitors");
        assert_eq!(offered, visitors, "a visitor was not invited on arrival");
        assert!(kpi_values(&reps, "proactive_visitors_lost")
            .iter()
            .all(|&x| x == 0.0));
        // With no inbound chat, every chat answered was an accepted invitation.
        assert!(kpi_values(&reps, "proactive_share")
            .iter()
            .all(|&x| x == 1.0));
    }
}

#[test]
fn visitors_are_never_invited_when_no_agent_may_invite() {
    // Agents with chats in hand may not invite (max_chats = 0), and the inbound load keeps every
    // agent busy: hardly a visitor is ever invited; with no agent at all, none is, and every
    // visitor leaves after their dwell.
    for r in follow(&desk(0, 60, 120, "1m", 0.5, 0), 0, 3) {
        assert!(r.visitors > 500, "{} visitors", r.visitors);
        assert_eq!(r.invited, 0);
        assert_eq!(r.left, r.visitors, "a visitor did not leave once");
    }
}

#[test]
fn invitations_go_to_the_newest_visitor_from_agents_within_max_chats() {
    // A loaded desk: agents are eligible now and then, and several visitors are often on the
    // site. The observer checks the newest-first order and max_chats at every invitation,
    // capacity at every level change; every visitor is invited or leaves, once; every contact
    // (inbound or accepted invitation) ends once.
    for max in [0, 1, 2] {
        let reps = follow(&desk(6, 40, 300, "5m", 0.3, max), max, 4);
        let (mut invited, mut accepted) = (0, 0);
        for r in &reps {
            assert_eq!(r.invited + r.left + r.on_site.len() as u64, r.visitors);
            assert!(
                r.on_site.is_empty(),
                "visitors still on the site at the end"
            );
            assert_eq!(r.ended, r.arrived, "a contact did not end once");
            invited += r.invited;
            accepted += r.accepted;
        }
        eprintln!("max_chats {max}: {invited} invitations, {accepted} accepted");
        assert!(invited > 100, "max_chats {max}: {invited} invitations");
        assert!(accepted > 20, "max_chats {max}: {accepted} accepted");
    }
}

#[test]
fn a_higher_max_chats_means_more_invitations() {
    let invited = |max: u32| -> f64 {
        let reps = run(&scenario(&desk(6, 40, 300, "5m", 0.3, max)));
        kpi_values(&reps, "proactive_offered").iter().sum()
    };
    let (zero, two) = (invited(0), invited(2));
    eprintln!("invitations: max_chats 0 {zero}, max_chats 2 {two}");
    assert!(two > 1.2 * zero, "{zero} then {two}");
}

#[test]
fn the_kpis_are_reported_only_with_proactive_chats() {
    let text = desk(5, 30, 60, "2m", 0.3, 0);
    let on = scenario(&text);
    let off = scenario(text.split("[proactive]").next().expect("a desk"));
    for k in [
        Kpi::ProactiveOffered,
        Kpi::ProactiveAccepted,
        Kpi::ProactiveShare,
    ] {
        assert!(Features::of(&on.model).reports(k));
        assert!(!Features::of(&off.model).reports(k));
    }
}
