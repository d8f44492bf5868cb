//! Proactive chats (Zendesk): visitors of a queue's website arrive (a Poisson stream with a rate
//! per step, `proactive.visitors_per_hour`) and stay `proactive.dwell`. While the queue is empty,
//! an agent of its first tier who can take a chat and holds at most `proactive.max_chats` chats
//! invites a visitor; the visitor answers at once and accepts with probability
//! `proactive.accept`. An accepted invitation is a contact of the queue offered to that agent at
//! once (it skips the queue: wait 0), then served like any chat (accept delay, conversation,
//! wrap-up). A declined invitation costs nothing: the agent may invite the next visitor at once.
//!
//! Order: the visitor who arrived last is invited first (the newest on the site, whom the
//! website's trigger has just shown to the agents), by the agent free longest (earliest
//! `free_since`, then the lowest agent number: the routing's tie rule).
//!
//! Nothing is scanned. Per proactive queue, the visitors on site are an ordered set of their
//! numbers (newest last), a visitor leaving after their dwell is removed from it (O(log n); the
//! leave of an invited visitor finds nothing), and the eligible agents are an ordered set kept up
//! to date at every change of an agent's availability ([`ContactCenter::refresh_availability`]
//! calls [`ContactCenter::proactive_refresh`]: O(log n) per proactive queue its group serves).
//! Invitations are made at the end of each event ([`ContactCenter::proactive_pass`]), once the
//! event's routing is done, so an agent freed by it takes a waiting chat first: a look at one
//! flag per proactive queue.
//!
//! Random streams: the visitors' arrivals and dwell times per queue, from `PROACTIVE_BASE + 16 ×
//! queue`, so that a scenario without proactive chats draws nothing new and every other stream
//! is as it was; what a visitor does once invited (accept or not, then everything a customer
//! draws) from their own substreams, as a customer apart from the queue's inbound ones.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use rand_distr::{Distribution, Exp1};

use super::arrivals::draw_traits;
use super::center::ContactCenter;
use super::config::{ModelConfig, Proactive};
use super::event::Event;
use super::records::{Observer, Record};
use super::retrials::Customer;
use crate::engine::{stream, SimRng};

/// Past the workflow block (`WORK_BASE = 1 << 40`) and the retired Mark Done block (`2 << 40`),
/// with the queues' stride of 16.
const PROACTIVE_BASE: u64 = 3 << 40;
const STRIDE: u64 = 16;

#[derive(Clone, Copy)]
enum Source {
    Visitors = 0,
    Dwell = 1,
}

/// A visitor is a customer of their own (`arrivals::Streams::customer`), named apart from the
/// queue's inbound customers: whether they accept an invitation, and as a customer their
/// traits, think, compose and wrap-up times, are theirs whichever agent invites them, and when.
const VISITOR: u64 = 1 << 63;

/// A free_since pattern no time has (a NaN): the agent is not in the eligible set.
const NOT_LISTED: u64 = u64::MAX;

/// One proactive queue's website and agents.
struct Site {
    queue: usize,
    /// Visitors on the site, by number (in arrival order: the newest is the last), with when
    /// they arrived.
    visitors: BTreeMap<u32, f64>,
    next_visitor: u32,
    /// Agents of the first tier who may invite: (free_since bits, agent), best first.
    eligible: BTreeSet<(u64, u32)>,
    /// Per agent of the floor: its key in `eligible`, or [`NOT_LISTED`].
    key: Vec<u64>,
    /// The visitors' current rate step: until when, at what rate.
    segment_end: f64,
    rate: f64,
    visitors_rng: SimRng,
    dwell_rng: SimRng,
}

/// The proactive chats of every queue that has them.
pub(super) struct ProactiveRoom {
    /// Some queue has `[proactive]`: the hooks in the hot paths run only then.
    pub on: bool,
    sites: Vec<Site>,
    /// Per queue: its site's index, if it has one.
    site_of: Vec<Option<u32>>,
    /// Per group: the sites whose queue's first tier it is in.
    by_group: Vec<Vec<u32>>,
}

impl ProactiveRoom {
    pub fn new(cfg: &ModelConfig, seed: u64, replication: u64, floor: usize) -> Self {
        let mut sites = Vec::new();
        let mut site_of = vec![None; cfg.queues.len()];
        let mut by_group = vec![Vec::new(); cfg.groups.len()];
        for (q, queue) in cfg.queues.iter().enumerate() {
            if queue.chat.proactive.is_none() {
                continue;
            }
            let index = sites.len() as u32;
            site_of[q] = Some(index);
            for &g in &queue.tiers[0].groups {
                by_group[g].push(index);
            }
            let s = |source: Source| {
                stream(
                    seed,
                    replication,
                    PROACTIVE_BASE + q as u64 * STRIDE + source as u64,
                )
            };
            sites.push(Site {
                queue: q,
                visitors: BTreeMap::new(),
                next_visitor: 0,
                eligible: BTreeSet::new(),
                key: vec![NOT_LISTED; floor],
                segment_end: f64::NEG_INFINITY,
                rate: 0.0,
                visitors_rng: s(Source::Visitors),
                dwell_rng: s(Source::Dwell),
            });
        }
        ProactiveRoom {
            on: !sites.is_empty(),
            sites,
            site_of,
            by_group,
        }
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Schedule the first visitor of every proactive queue.
    pub(super) fn start_proactive(&mut self) {
        for i in 0..self.proactive.sites.len() {
            self.schedule_next_visitor(i, 0.0);
        }
    }

    fn proactive_cfg(&self, site: usize) -> &'c Proactive {
        let cfg = self.cfg;
        cfg.queues[self.proactive.sites[site].queue]
            .chat
            .proactive
            .as_ref()
            .expect("a site's queue is proactive")
    }

    /// The next visitor of `site` after `from`: the Poisson stream with piecewise-constant
    /// rates, by inverting the cumulative intensity (one Exp(1) draw per visitor), until the
    /// arrivals end.
    fn schedule_next_visitor(&mut self, site: usize, from: f64) {
        let p = self.proactive_cfg(site);
        let end_of_arrivals = self.cfg.arrivals_end;
        let st = &mut self.proactive.sites[site];
        let mut e: f64 = Exp1.sample(&mut st.visitors_rng);
        let mut t = from;
        loop {
            if t >= st.segment_end {
                if t >= end_of_arrivals {
                    return;
                }
                let mut idx = (t / p.step) as usize;
                if ((idx + 1) as f64) * p.step <= t {
                    // Rounding put t at the very end of step idx.
                    idx += 1;
                }
                st.segment_end = (((idx + 1) as f64) * p.step).min(end_of_arrivals);
                st.rate = p.visitor_rates[idx.min(p.visitor_rates.len() - 1)];
            }
            if st.rate > 0.0 {
                let at = t + e / st.rate;
                if at < st.segment_end {
                    let queue = st.queue as u32;
                    self.sched.schedule_at(at, Event::VisitorArrives { queue });
                    return;
                }
                e -= st.rate * (st.segment_end - t);
            }
            t = st.segment_end;
        }
    }

    /// A visitor arrives on the website of `queue`: on the site until their dwell is over.
    pub(super) fn on_visitor_arrives(&mut self, queue: usize) {
        let now = self.now();
        let site = self.proactive.site_of[queue].expect("proactive queue") as usize;
        let p = self.proactive_cfg(site);
        let st = &mut self.proactive.sites[site];
        let dwell = p.dwell.sample(&mut st.dwell_rng);
        let visitor = st.next_visitor;
        st.next_visitor = st.next_visitor.wrapping_add(1);
        st.visitors.insert(visitor, now);
        self.emit(Record::Visitor {
            queue: queue as u32,
        });
        self.sched.schedule_in(
            dwell,
            Event::VisitorLeaves {
                queue: queue as u32,
                visitor,
            },
        );
        self.schedule_next_visitor(site, now);
    }

    /// Visitor `visitor` of `queue`'s website has stayed their dwell: gone, unless invited.
    pub(super) fn on_visitor_leaves(&mut self, queue: usize, visitor: u32) {
        let site = self.proactive.site_of[queue].expect("proactive queue") as usize;
        let st = &mut self.proactive.sites[site];
        if let Some(arrived_at) = st.visitors.remove(&visitor) {
            self.emit(Record::VisitorLeft {
                queue: queue as u32,
                arrived_at,
            });
        }
    }

    /// `agent`'s availability changed: bring its place in the eligible sets of the proactive
    /// queues its group serves from their first tier up to date.
    #[cold]
    pub(super) fn proactive_refresh(&mut self, agent: u32) {
        let a = &self.agents[agent as usize];
        let cfg = self.cfg;
        for &site in &self.proactive.by_group[a.group as usize] {
            let st = &mut self.proactive.sites[site as usize];
            let max_chats = cfg.queues[st.queue]
                .chat
                .proactive
                .as_ref()
                .map_or(0, |p| p.max_chats);
            let key = if a.can_take() && a.held <= max_chats {
                a.free_since.to_bits()
            } else {
                NOT_LISTED
            };
            let old = st.key[agent as usize];
            if old != key {
                if old != NOT_LISTED {
                    st.eligible.remove(&(old, agent));
                }
                if key != NOT_LISTED {
                    st.eligible.insert((key, agent));
                }
                st.key[agent as usize] = key;
            }
        }
    }

    /// At the end of every event: in each proactive queue that is empty, with visitors on the
    /// site and an eligible agent, invitations are made until one of the three runs out.
    pub(super) fn proactive_pass(&mut self) {
        for site in 0..self.proactive.sites.len() {
            loop {
                let st = &self.proactive.sites[site];
                if st.visitors.is_empty()
                    || st.eligible.is_empty()
                    || self.queues[st.queue].live > 0
                {
                    break;
                }
                self.invite_visitor(site);
            }
        }
    }

    /// The best eligible agent of `site` invites its newest visitor.
    fn invite_visitor(&mut self, site: usize) {
        let accept = self.proactive_cfg(site).accept;
        let st = &mut self.proactive.sites[site];
        let (_, agent) = *st.eligible.first().expect("checked");
        let (visitor, arrived_at) = st.visitors.pop_last().expect("checked");
        let queue = st.queue;
        let key = VISITOR | ((queue as u64) << 40) | u64::from(visitor);
        let (mut own, streams) = self.rng.customer(key, 0);
        let accepted = own.random::<f64>() < accept;
        self.emit(Record::ProactiveInvite {
            queue: queue as u32,
            group: self.agents[agent as usize].group,
            agent,
            arrived_at,
            accepted,
        });
        if !accepted {
            return;
        }
        let now = self.now();
        let chat = &self.cfg.queues[queue].chat;
        let traits = draw_traits(chat, now, &mut own);
        let customer = Customer {
            id: self.next_contact,
            key,
            ..Customer::default()
        };
        let (s, contact) = self.open_session(queue, traits, customer, streams);
        self.emit(Record::Arrived {
            contact,
            queue: queue as u32,
            queued: false,
        });
        // Offered like a chat that found the agent free on arrival: the slot is reserved, the
        // accept delay runs, an offer that times out waits in the queue like any other.
        self.offer(s, agent);
    }
}
