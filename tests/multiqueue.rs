//! Ground truth for the multi-queue center: exact results of queueing theory put inside the 99%
//! confidence intervals of long runs (independent replications, Student t), each interval also
//! required to be narrow enough to catch a wrong model.
//!
//! - Two queues each served by its own group are two independent Erlang C (Erlang A with
//!   exponential patience) systems.
//! - Two queues of equal priority served by one group are one Erlang C system with the summed
//!   rate; of different priority, the non-preemptive priority M/M/c queue (Cobham's formula).
//! - An exponential accept delay of mean d with an alert timeout T times out a share e^(-T/d) of
//!   the offers; a delay equal to the timeout is accepted; a chat whose offer timed out goes
//!   back to its queue (and its overflow tiers) and is answered later.
//! - A later overflow raises the overflowing queue's wait and lowers the receiving queue's
//!   (paired over replications with common random numbers).
//! - Agents present and on break per interval follow the shifts and breaks; absenteeism takes
//!   away the given share of agents.
//!
//! The model serves one slot per agent, one exchange, exponential compose time, no think time,
//! no accept delay and no wrap-up, unless a test says otherwise; statistics are tallied here
//! from the records by a small observer, per queue and per group.

mod common;

use std::collections::HashSet;
use std::path::Path;

use ccsim::model::{run_replication, LoadCounts, ModelConfig, Observer, Record};
use ccsim::scenario;
use ccsim::stats::confidence_interval;
use ccsim::theory::{ErlangA, ErlangC};
use common::assert_covers;

/// Per-queue tallies of the contacts that arrived at or after `warmup`.
#[derive(Clone, Default, Debug)]
struct QueueTally {
    arrived: u64,
    /// Arrivals no agent could take at once.
    queued: u64,
    answered: u64,
    answered_wait: f64,
    abandoned: u64,
    abandoned_wait: f64,
    overflowed: u64,
    done: u64,
    offered: u64,
    timed_out: u64,
}

impl QueueTally {
    fn p_wait(&self) -> f64 {
        self.queued as f64 / self.arrived as f64
    }

    /// Mean wait of the answered contacts.
    fn asa(&self) -> f64 {
        self.answered_wait / self.answered as f64
    }

    /// Mean wait of every contact: answered ones until answered, abandoned ones until they left.
    fn mean_wait(&self) -> f64 {
        (self.answered_wait + self.abandoned_wait) / (self.answered + self.abandoned) as f64
    }

    fn p_abandon(&self) -> f64 {
        self.abandoned as f64 / self.arrived as f64
    }
}

/// Per-group time integrals of the load counters, by bin of `bin` seconds from time 0.
#[derive(Clone, Default, Debug)]
struct GroupTally {
    last: LoadCounts,
    present: Vec<f64>,
    on_break: Vec<f64>,
    /// Agents that ever had a state change (came on shift): those not absent.
    agents_seen: HashSet<u32>,
}

struct Tally {
    warmup: f64,
    bin: f64,
    last_time: f64,
    queues: Vec<QueueTally>,
    groups: Vec<GroupTally>,
    /// Arrival time of each contact, by number.
    arrivals: Vec<f64>,
    /// Contacts (any arrival time) whose offer timed out, and those of them answered later.
    timed_out_contacts: HashSet<u64>,
    answered_after_timeout: HashSet<u64>,
    /// Contacts that ended (done or abandoned), over the whole run.
    ended: u64,
    arrived_all: u64,
}

impl Tally {
    fn new(m: &ModelConfig, warmup: f64, bin: f64) -> Self {
        Tally {
            warmup,
            bin,
            last_time: 0.0,
            queues: vec![QueueTally::default(); m.queues.len()],
            groups: vec![GroupTally::default(); m.groups.len()],
            arrivals: Vec::new(),
            timed_out_contacts: HashSet::new(),
            answered_after_timeout: HashSet::new(),
            ended: 0,
            arrived_all: 0,
        }
    }

    /// Integrate every group's counters from the last record's time to `now`.
    fn advance(&mut self, now: f64) {
        let (from, bin) = (self.last_time, self.bin);
        if now <= from {
            return;
        }
        for g in &mut self.groups {
            let (present, on_break) = (g.last.present as f64, g.last.on_break as f64);
            if present == 0.0 && on_break == 0.0 {
                continue;
            }
            let mut t = from;
            while t < now {
                let i = (t / bin + 1e-9).floor() as usize;
                let end = ((i + 1) as f64 * bin).min(now);
                if g.present.len() <= i {
                    g.present.resize(i + 1, 0.0);
                    g.on_break.resize(i + 1, 0.0);
                }
                g.present[i] += present * (end - t);
                g.on_break[i] += on_break * (end - t);
                t = end;
            }
        }
        self.last_time = now;
    }

    fn set_load(&mut self, group: usize, counts: LoadCounts) {
        self.groups[group].last = counts;
    }
}

impl Observer for Tally {
    fn record(&mut self, now: f64, record: Record) {
        self.advance(now);
        let warmup = self.warmup;
        let counted = move |arrived_at: f64| arrived_at >= warmup;
        match record {
            Record::Arrived {
                contact,
                queue,
                queued,
            } => {
                assert_eq!(contact, self.arrived_all);
                self.arrivals.push(now);
                self.arrived_all += 1;
                if now >= self.warmup {
                    let q = &mut self.queues[queue as usize];
                    q.arrived += 1;
                    q.queued += queued as u64;
                }
            }
            Record::Offered { contact, queue, .. } => {
                if counted(self.arrivals[contact as usize]) {
                    self.queues[queue as usize].offered += 1;
                }
            }
            Record::OfferTimedOut { contact, queue, .. } => {
                self.timed_out_contacts.insert(contact);
                if counted(self.arrivals[contact as usize]) {
                    self.queues[queue as usize].timed_out += 1;
                }
            }
            Record::Answered {
                contact,
                queue,
                arrived_at,
                wait,
                overflowed,
                ..
            } => {
                if self.timed_out_contacts.contains(&contact) {
                    self.answered_after_timeout.insert(contact);
                }
                if counted(arrived_at) {
                    let q = &mut self.queues[queue as usize];
                    q.answered += 1;
                    q.answered_wait += wait;
                    q.overflowed += overflowed as u64;
                }
            }
            Record::AbandonedQueue {
                queue,
                arrived_at,
                wait,
                ..
            } => {
                self.ended += 1;
                if counted(arrived_at) {
                    let q = &mut self.queues[queue as usize];
                    q.abandoned += 1;
                    q.abandoned_wait += wait;
                }
            }
            Record::Done {
                queue, arrived_at, ..
            } => {
                self.ended += 1;
                if counted(arrived_at) {
                    self.queues[queue as usize].done += 1;
                }
            }
            Record::Load(counts) => {
                if self.groups.len() == 1 {
                    self.set_load(0, counts);
                }
            }
            Record::GroupLoad { group, counts } => self.set_load(group as usize, counts),
            Record::State { agent, group, .. } => {
                self.groups[group as usize].agents_seen.insert(agent);
            }
            Record::InSystemAtEnd { .. }
            | Record::AbandonedChat {
                unassigned: true, ..
            } => self.ended += 1,
            Record::Response { .. }
            | Record::AbandonedChat { .. }
            | Record::Level { .. }
            | Record::Reassigned { .. }
            | Record::Reaccepted { .. }
            | Record::InactivityAlert { .. }
            | Record::ClosedByInactivity { .. }
            | Record::Returned { .. }
            | Record::WillReturn { .. }
            | Record::HeldFromRouting { .. }
            | Record::Message { .. }
            | Record::Rated { .. }
            | Record::Requested { .. }
            | Record::Invited { .. }
            | Record::InvitationDeclined { .. }
            | Record::InvitationFailed { .. }
            | Record::Transferred { .. }
            | Record::AgentLeft { .. }
            | Record::TransferReply { .. }
            | Record::Joined { .. }
            | Record::ConsultationStarted { .. }
            | Record::ConsultationEnded { .. }
            | Record::Parked { .. }
            | Record::Resumed { .. }
            | Record::ResumeAccepted { .. }
            | Record::ResumedReply { .. }
            | Record::ClosedParked { .. }
            | Record::Visitor { .. }
            | Record::ProactiveInvite { .. }
            | Record::VisitorLeft { .. }
            | Record::InternalMessage { .. }
            | Record::Writing { .. } => {}
        }
    }
}

fn model(text: &str) -> ModelConfig {
    scenario::parse(text, Path::new("multiqueue.toml"), &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .model
}

/// Run replications `0..reps` of `m` with `seed`, tallying contacts that arrive from `warmup`
/// on and load by bins of `bin` seconds. Every contact must end exactly once.
fn replicate(m: &ModelConfig, seed: u64, reps: u64, warmup: f64, bin: f64) -> Vec<Tally> {
    (0..reps)
        .map(|r| {
            let (t, totals) = run_replication(m, seed, r, Tally::new(m, warmup, bin));
            assert!(!totals.capped);
            assert_eq!(t.arrived_all, totals.contacts);
            assert_eq!(t.ended, totals.contacts, "every contact ends exactly once");
            t
        })
        .collect()
}

/// One value per replication.
fn per_rep(tallies: &[Tally], f: impl Fn(&Tally) -> f64) -> Vec<f64> {
    tallies.iter().map(f).collect()
}

const WARMUP: f64 = 3000.0;

/// A `[run]` section measuring `horizon` seconds after a warm-up, as one interval.
fn run_section(horizon: f64) -> String {
    format!(
        "[run]\nhorizon = {horizon}\nwarmup = {WARMUP}\ninterval = {}\n",
        horizon + WARMUP
    )
}

fn exp(mean: f64) -> String {
    format!("{{ dist = \"exponential\", mean = {mean} }}")
}

/// Two queues, each served only by its own group, with different service times and loads:
/// each is its own Erlang C system, or with exponential patience its own Erlang A system.
#[test]
fn two_queues_with_their_own_groups_are_two_independent_erlang_systems() {
    // Queue a: 4 agents, mean service 60 s, load 0.75. Queue b: 2 agents, 90 s, load 0.6.
    let (na, sa, ra) = (4u32, 60.0, 0.75);
    let (nb, sb, rb) = (2u32, 90.0, 0.6);
    let (la, lb) = (ra * na as f64 / sa, rb * nb as f64 / sb);
    let horizon = 2_400_000.0;
    for patience in [None, Some((120.0, 45.0))] {
        let patience_a = patience.map_or(String::new(), |(pa, _)| {
            format!("patience.queue = {}\n", exp(pa))
        });
        let patience_b = patience.map_or(String::new(), |(_, pb)| {
            format!("patience.queue = {}\n", exp(pb))
        });
        let text = format!(
            r#"
            {run}
            [conversation]
            agent_compose = {compose_a}
            [queues.a]
            rate_per_hour = {rate_a}
            served_by = [ {{ groups = ["ga"] }} ]
            {patience_a}
            [queues.b]
            rate_per_hour = {rate_b}
            served_by = [ {{ groups = ["gb"] }} ]
            conversation.agent_compose = {compose_b}
            {patience_b}
            [groups.ga]
            agents = {na}
            [groups.gb]
            agents = {nb}
            "#,
            run = run_section(horizon),
            compose_a = exp(sa),
            compose_b = exp(sb),
            rate_a = la * 3600.0,
            rate_b = lb * 3600.0,
        );
        let m = model(&text);
        let tallies = replicate(&m, 2026, 20, WARMUP, 1e9);
        for (q, n, s, l) in [(0, na, sa, la), (1, nb, sb, lb)] {
            let label = |what: &str| format!("queue {q}, patience {patience:?}: {what}");
            match patience {
                None => {
                    let exact = ErlangC::new(n, l, 1.0 / s).unwrap();
                    assert_covers(
                        &label("P(wait)"),
                        &per_rep(&tallies, |t| t.queues[q].p_wait()),
                        exact.p_wait(),
                        0.01,
                    );
                    let w = exact.mean_wait();
                    assert_covers(
                        &label("mean wait"),
                        &per_rep(&tallies, |t| t.queues[q].asa()),
                        w,
                        0.05 * w,
                    );
                }
                Some((pa, pb)) => {
                    let theta = 1.0 / if q == 0 { pa } else { pb };
                    let exact = ErlangA::new(n, l, 1.0 / s, theta).unwrap();
                    assert_covers(
                        &label("P(wait)"),
                        &per_rep(&tallies, |t| t.queues[q].p_wait()),
                        exact.p_wait(),
                        0.01,
                    );
                    let pab = exact.p_abandon();
                    assert_covers(
                        &label("P(abandon)"),
                        &per_rep(&tallies, |t| t.queues[q].p_abandon()),
                        pab,
                        0.05 * pab,
                    );
                    let w = exact.mean_wait();
                    assert_covers(
                        &label("mean wait"),
                        &per_rep(&tallies, |t| t.queues[q].mean_wait()),
                        w,
                        0.05 * w,
                    );
                }
            }
        }
    }
}

/// A scenario of two queues served by one group `g` of `agents` agents (mean service `service`),
/// with rates per second and priorities.
fn shared_group(agents: u32, service: f64, queues: [(f64, i64); 2], horizon: f64) -> String {
    let mut text = format!(
        "{}\n[conversation]\nagent_compose = {}\n[groups.g]\nagents = {agents}\n",
        run_section(horizon),
        exp(service)
    );
    for (name, (rate, priority)) in ["a", "b"].iter().zip(queues) {
        text += &format!(
            "[queues.{name}]\nrate_per_hour = {}\npriority = {priority}\nserved_by = [ {{ groups = [\"g\"] }} ]\n",
            rate * 3600.0
        );
    }
    text
}

/// Two queues of equal priority served by one group: one M/M/c queue, first come first served
/// across both, with the summed rate. Each queue sees its P(wait) and its mean wait.
#[test]
fn two_queues_of_equal_priority_on_one_group_are_one_erlang_c_system() {
    let (n, s) = (4u32, 60.0);
    // Loads 0.3 and 0.45 of the group: 0.75 together.
    let (l1, l2) = (0.3 * n as f64 / s, 0.45 * n as f64 / s);
    let m = model(&shared_group(n, s, [(l1, 0), (l2, 0)], 2_400_000.0));
    let tallies = replicate(&m, 11, 20, WARMUP, 1e9);
    let exact = ErlangC::new(n, l1 + l2, 1.0 / s).unwrap();
    let w = exact.mean_wait();
    for q in 0..2 {
        assert_covers(
            &format!("equal priority, queue {q}: P(wait)"),
            &per_rep(&tallies, |t| t.queues[q].p_wait()),
            exact.p_wait(),
            0.01,
        );
        assert_covers(
            &format!("equal priority, queue {q}: mean wait"),
            &per_rep(&tallies, |t| t.queues[q].asa()),
            w,
            0.05 * w,
        );
    }
}

/// Two queues of different priority served by one group: the non-preemptive priority M/M/c
/// queue. With equal service rates Cobham's formula is exact:
/// W_k = C(c, a) / (c mu) / ((1 - sigma_{k-1}) (1 - sigma_k)), sigma_k the load of classes
/// 1..k over the c servers. Both classes are queued with the same probability, C(c, a).
#[test]
fn two_queues_of_different_priority_follow_cobham() {
    let (n, s) = (3u32, 60.0);
    let (rho_hi, rho_lo) = (0.25, 0.45);
    let mu = 1.0 / s;
    let (l_hi, l_lo) = (rho_hi * n as f64 * mu, rho_lo * n as f64 * mu);
    // Queue a (index 0) is the low priority one, b (index 1) the high one: the names' order
    // must not matter.
    let m = model(&shared_group(n, s, [(l_lo, 0), (l_hi, 5)], 4_800_000.0));
    let tallies = replicate(&m, 13, 20, WARMUP, 1e9);
    let c = ErlangC::new(n, l_hi + l_lo, mu).unwrap().p_wait();
    let base = c / (n as f64 * mu);
    let (s1, s2) = (rho_hi, rho_hi + rho_lo);
    let w_hi = base / (1.0 - s1);
    let w_lo = base / ((1.0 - s1) * (1.0 - s2));
    for (q, w, what) in [(1, w_hi, "high"), (0, w_lo, "low")] {
        assert_covers(
            &format!("priority {what}: P(wait)"),
            &per_rep(&tallies, |t| t.queues[q].p_wait()),
            c,
            0.01,
        );
        assert_covers(
            &format!("priority {what}: mean wait"),
            &per_rep(&tallies, |t| t.queues[q].asa()),
            w,
            0.05 * w,
        );
    }
}

/// One queue on one group with an accept delay and an alert timeout.
fn offers(accept: &str, timeout: f64, pause: f64, extra: &str, horizon: f64) -> String {
    format!(
        r#"
        {run}
        [conversation]
        agent_compose = {compose}
        accept_delay = {accept}
        [offer]
        alert_timeout = {timeout}
        not_responding_pause = {{ dist = "constant", value = {pause} }}
        [queues.q]
        rate_per_hour = 150
        served_by = [ {{ groups = ["g"] }} ]
        [groups.g]
        agents = 5
        {extra}
        "#,
        run = run_section(horizon),
        compose = exp(60.0),
    )
}

/// Each offer draws its own accept delay: with an exponential delay of mean d it exceeds the
/// timeout T with probability e^(-T/d). Every contact whose offer timed out is offered again
/// and answered (no patience here, so all are).
#[test]
fn the_share_of_offers_that_time_out_is_exp_minus_t_over_d() {
    let (d, timeout) = (4.0, 3.0);
    let m = model(&offers(&exp(d), timeout, 20.0, "", 200_000.0));
    let tallies = replicate(&m, 17, 20, WARMUP, 1e9);
    let exact = (-timeout / d).exp();
    assert_covers(
        "share of offers timed out",
        &per_rep(&tallies, |t| {
            t.queues[0].timed_out as f64 / t.queues[0].offered as f64
        }),
        exact,
        0.01,
    );
    for t in &tallies {
        assert!(t.timed_out_contacts.len() > 100);
        assert_eq!(
            t.timed_out_contacts, t.answered_after_timeout,
            "every contact whose offer timed out is answered later"
        );
        let q = &t.queues[0];
        assert_eq!(
            q.answered, q.arrived,
            "no patience: every contact is answered"
        );
        assert_eq!(q.done, q.arrived);
        // Every offer is accepted or times out (nobody abandons).
        assert_eq!(q.offered, q.answered + q.timed_out);
    }
}

/// A delay exactly equal to the timeout is accepted: no offer times out.
#[test]
fn an_accept_delay_equal_to_the_timeout_is_accepted() {
    let m = model(&offers(
        "{ dist = \"constant\", value = 5 }",
        5.0,
        20.0,
        "",
        20_000.0,
    ));
    for t in replicate(&m, 19, 3, 0.0, 1e9) {
        let q = &t.queues[0];
        assert!(q.arrived > 500);
        assert_eq!(q.timed_out, 0);
        assert_eq!(q.offered, q.answered);
        // Every answer waited the accept delay at least.
        assert!(q.asa() >= 5.0);
    }
    // Just above the timeout: every offer times out, nobody is ever answered, and every
    // customer leaves when their patience (10 minutes) runs out, in queue or during an offer.
    let m = model(&offers(
        "{ dist = \"constant\", value = 5.000001 }",
        5.0,
        20.0,
        "[queues.q.patience]\nqueue = { dist = \"constant\", value = 600 }",
        2_000.0,
    ));
    for t in replicate(&m, 19, 2, 0.0, 1e9) {
        let q = &t.queues[0];
        assert!(q.offered > 50, "{} offers", q.offered);
        assert_eq!(q.answered, 0);
        assert_eq!(q.abandoned, q.arrived);
        // An offer not timed out was withdrawn by its customer leaving.
        assert!(q.timed_out <= q.offered && q.offered - q.timed_out <= q.abandoned);
    }
}

/// A chat whose offer timed out goes back to its queue with its arrival time, and its overflow
/// tiers open at their times as for any waiting chat: here the first group's only agent lets
/// every offer time out and stays Not Ready an hour, so every chat must be answered by the
/// overflow group once it has waited 10 s, never after the hour.
#[test]
fn a_chat_whose_offer_timed_out_overflows_at_its_tier_time() {
    let text = format!(
        r#"
        {run}
        [conversation]
        agent_compose = {compose}
        accept_delay = {accept}
        [offer]
        alert_timeout = 3
        not_responding_pause = {{ dist = "constant", value = 3600 }}
        [queues.q]
        rate_per_hour = 6
        served_by = [ {{ groups = ["first"] }}, {{ groups = ["overflow"], after = 10 }} ]
        [groups.first]
        agents = 1
        [groups.overflow]
        agents = 40
        "#,
        run = run_section(40_000.0),
        compose = exp(30.0),
        accept = exp(4.0),
    );
    let m = model(&text);
    let mut timed_out = 0;
    for t in replicate(&m, 23, 4, 0.0, 1e9) {
        let q = &t.queues[0];
        assert_eq!(q.answered, q.arrived);
        timed_out += t.timed_out_contacts.len();
        // The longest a chat can wait: its tier opens at 10 s, one more offer may time out at
        // 3 s (the overflow agents miss offers too, about one per chat, and are then Not Ready
        // an hour: 40 of them are never all away), plus the accepted delay.
        assert!(
            q.asa() < 30.0,
            "mean wait {} s: timed-out chats did not overflow",
            q.asa()
        );
    }
    assert!(timed_out > 20, "{timed_out} offers timed out");
}

/// Queue a is served by group ga, then also by gb once a chat has waited `after`; queue b by gb
/// alone.
fn overflow(after: f64) -> String {
    let (n, s) = (3u32, 60.0);
    format!(
        r#"
        {run}
        [conversation]
        agent_compose = {compose}
        [queues.a]
        rate_per_hour = {rate_a}
        served_by = [ {{ groups = ["ga"] }}, {{ groups = ["gb"], after = {after} }} ]
        [queues.b]
        rate_per_hour = {rate_b}
        served_by = [ {{ groups = ["gb"] }} ]
        [groups.ga]
        agents = {n}
        [groups.gb]
        agents = {n}
        "#,
        run = run_section(200_000.0),
        compose = exp(s),
        rate_a = 0.8 * n as f64 / s * 3600.0,
        rate_b = 0.6 * n as f64 / s * 3600.0,
    )
}

/// Common random numbers: the same seed and replications under two overflow delays. A later
/// overflow keeps queue a's chats waiting longer and leaves group gb to queue b: a's mean wait
/// rises and b's falls, replication by replication on average (the 99% interval of the paired
/// difference excludes 0 on the right side).
#[test]
fn a_later_overflow_raises_the_overflowing_queues_wait_and_lowers_the_other() {
    let reps = 20;
    let early = replicate(&model(&overflow(20.0)), 29, reps, WARMUP, 1e9);
    let late = replicate(&model(&overflow(120.0)), 29, reps, WARMUP, 1e9);
    for (q, sign, what) in [(0, 1.0, "a (overflows)"), (1, -1.0, "b (receives)")] {
        let diff: Vec<f64> = late
            .iter()
            .zip(&early)
            .map(|(l, e)| l.queues[q].asa() - e.queues[q].asa())
            .collect();
        let ci = confidence_interval(&diff, 0.99).unwrap();
        eprintln!(
            "queue {what}: mean wait late - early {:.3} s [{:.3}, {:.3}]",
            ci.mean, ci.low, ci.high
        );
        assert!(
            sign * ci.low > 0.0 && sign * ci.high > 0.0,
            "queue {what}: the paired difference's 99% interval [{}, {}] does not exclude 0 on \
             the expected side",
            ci.low,
            ci.high
        );
    }
    // The earlier overflow sends more of a's chats to gb.
    let overflowed = |t: &[Tally]| t.iter().map(|t| t.queues[0].overflowed).sum::<u64>();
    assert!(overflowed(&early) > 2 * overflowed(&late));
    assert!(overflowed(&late) > 0);
}

const HALF_HOUR: f64 = 1800.0;

/// Group g1 on two shifts with breaks, g2 on a per-step plan, from 08:00 for 8 hours.
fn roster(rate_per_hour: f64) -> String {
    format!(
        r#"
        [run]
        horizon = "8h"
        interval = "30m"
        day_start = "08:00"
        [conversation]
        agent_compose = {compose}
        [patience]
        queue = {patience}
        [queues.q]
        rate_per_hour = {rate_per_hour}
        served_by = [ {{ groups = ["g1", "g2"] }} ]
        [groups.g1]
        shifts = [
          {{ start = "08:00", end = "12:30", agents = 4, breaks = [{{ at = "10:00", length = "15m" }}] }},
          {{ start = "12:00", end = "16:00", agents = 3, breaks = [
              {{ at = "13:00", length = "10m" }}, {{ at = "14:45", length = "30m" }} ] }},
        ]
        [groups.g2]
        agents_per_interval = {G2:?}
        "#,
        compose = exp(60.0),
        patience = exp(120.0),
    )
}

const G2: [u32; 16] = [2, 2, 3, 3, 0, 0, 5, 5, 1, 1, 4, 4, 2, 2, 0, 3];

/// Agents of g1 on shift over half-hour `i` (from 08:00), on average.
fn g1_plan(i: usize) -> f64 {
    let t = i as f64 * HALF_HOUR;
    let overlap = |a: f64, b: f64| ((b.min(t + HALF_HOUR) - a.max(t)).max(0.0)) / HALF_HOUR;
    4.0 * overlap(0.0, 4.5 * 3600.0) + 3.0 * overlap(4.0 * 3600.0, 8.0 * 3600.0)
}

/// Agent-time on break of g1 in half-hour `i`, in agent-seconds, when breaks start on time.
fn g1_breaks(i: usize) -> f64 {
    let t = i as f64 * HALF_HOUR;
    let overlap = |a: f64, len: f64| ((a + len).min(t + HALF_HOUR) - a.max(t)).max(0.0);
    4.0 * overlap(2.0 * 3600.0, 900.0)
        + 3.0 * overlap(5.0 * 3600.0, 600.0)
        + 3.0 * overlap(6.75 * 3600.0, 1800.0)
}

/// Without traffic every agent comes and goes on time and takes each break on time: the
/// agents present per half-hour are the plan, and the time on break is agents x length in the
/// half-hours of the breaks.
#[test]
fn without_traffic_agents_present_and_on_break_follow_the_roster_exactly() {
    let m = model(&roster(0.0));
    let t = &replicate(&m, 1, 1, 0.0, HALF_HOUR)[0];
    for (i, &plan2) in G2.iter().enumerate() {
        let (g1, g2) = (&t.groups[0], &t.groups[1]);
        let get = |v: &Vec<f64>| v.get(i).copied().unwrap_or(0.0);
        let present1 = get(&g1.present) / HALF_HOUR;
        let present2 = get(&g2.present) / HALF_HOUR;
        assert!(
            (present1 - g1_plan(i)).abs() < 1e-9,
            "g1, half-hour {i}: {present1} present, plan {}",
            g1_plan(i)
        );
        assert!(
            (present2 - plan2 as f64).abs() < 1e-9,
            "g2, half-hour {i}: {present2} present, plan {plan2}"
        );
        assert!(
            (get(&g1.on_break) - g1_breaks(i)).abs() < 1e-6,
            "g1, half-hour {i}: {} agent-seconds on break, expected {}",
            get(&g1.on_break),
            g1_breaks(i)
        );
        assert_eq!(get(&g2.on_break), 0.0);
    }
    assert_eq!(t.groups[0].agents_seen.len(), 7);
    assert_eq!(t.groups[1].agents_seen.len(), 5);
    assert!(t.groups[0].present.len() <= 16 && t.groups[1].present.len() <= 16);
}

/// Under heavy traffic, an agent leaving finishes the chats in hand (present a little longer
/// than planned, in the half-hour the agent leaves) and a break starts once the chats in hand
/// are done, but lasts its whole length: half-hours in which nobody leaves have exactly the
/// planned agents present, and each break's agent-time is exact (slipping by at most the
/// time to finish a chat, here within the same half-hours).
#[test]
fn under_traffic_breaks_last_their_length_and_agents_leave_after_their_chats() {
    let m = model(&roster(400.0));
    for t in replicate(&m, 3, 4, 0.0, HALF_HOUR) {
        let (g1, g2) = (&t.groups[0], &t.groups[1]);
        let get = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
        for i in 0..16 {
            let present1 = get(&g1.present, i) / HALF_HOUR;
            let present2 = get(&g2.present, i) / HALF_HOUR;
            // g1's first shift leaves at 12:30 (half-hour 9).
            if i == 9 {
                assert!(present1 >= g1_plan(i) && present1 < g1_plan(i) + 4.0 * 0.2);
            } else {
                assert!((present1 - g1_plan(i)).abs() < 1e-9, "g1 {i}: {present1}");
            }
            let leaving = i > 0 && G2[i] < G2[i - 1];
            if leaving {
                let left = (G2[i - 1] - G2[i]) as f64;
                assert!(
                    present2 >= G2[i] as f64 && present2 < G2[i] as f64 + left * 0.2,
                    "g2 {i}: {present2}"
                );
            } else {
                assert!((present2 - G2[i] as f64).abs() < 1e-9, "g2 {i}: {present2}");
            }
        }
        // The 10:00 and 13:00 breaks stay in their half-hours; the 14:45 one spans two.
        for bins in [vec![4], vec![10], vec![13, 14]] {
            let got: f64 = bins.iter().map(|&i| get(&g1.on_break, i)).sum();
            let want: f64 = bins.iter().map(|&i| g1_breaks(i)).sum();
            assert!(
                (got - want).abs() < 1e-6,
                "breaks in {bins:?}: {got} agent-seconds, expected {want}"
            );
        }
        let total: f64 = g1.on_break.iter().sum();
        assert!((total - (4.0 * 900.0 + 3.0 * 600.0 + 3.0 * 1800.0)).abs() < 1e-6);
        // The traffic was heavy: agents were busy when their breaks came (some break slipped).
        assert!((get(&g1.on_break, 13) - g1_breaks(13)).abs() > 1.0);
        assert!(t.queues[0].queued as f64 > 0.3 * t.queues[0].arrived as f64);
    }
}

/// Each agent misses the whole day with probability p, independently: over many replications
/// the share of agents who never come on shift is p, for a per-step plan and for shifts.
#[test]
fn absenteeism_takes_away_its_share_of_agents() {
    let text = r#"
        [run]
        horizon = "2h"
        day_start = "09:00"
        [conversation]
        agent_compose = { dist = "exponential", mean = 60 }
        [queues.q]
        rate_per_hour = 0
        served_by = [ { groups = ["plan", "rostered"] } ]
        [groups.plan]
        agents = 20
        absenteeism = 0.2
        [groups.rostered]
        absenteeism = 0.35
        shifts = [ { start = "09:00", end = "10:00", agents = 10 },
                   { start = "09:30", end = "11:00", agents = 15 } ]
    "#;
    let m = model(text);
    let tallies = replicate(&m, 31, 300, 0.0, 3600.0);
    for (g, p, n) in [(0, 0.2, 20.0), (1, 0.35, 25.0)] {
        let shares = per_rep(&tallies, |t| 1.0 - t.groups[g].agents_seen.len() as f64 / n);
        assert_covers(&format!("group {g}: share absent"), &shares, p, 0.02);
        // Absent agents are never present: agent-time present is the others' time on shift.
    }
    for t in &tallies {
        let seen = t.groups[0].agents_seen.len() as f64;
        let present: f64 = t.groups[0].present.iter().sum();
        assert!((present - seen * 7200.0).abs() < 1e-6);
    }
}
