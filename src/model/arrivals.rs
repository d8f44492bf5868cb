//! Arrivals: one non-homogeneous Poisson stream per queue (its rates multiplied, when the
//! scenario asks, by a day-level and an interval-level factor drawn per replication), or the
//! queue's recorded arrivals replayed from a trace; each customer's traits drawn as they arrive,
//! the wait in queue (patience, overflow tiers opening), and the random streams.

use rand_distr::{Distribution, Exp1};

use super::center::ContactCenter;
use super::config::{ChatConfig, TraceReader, TracedArrival};
use super::event::Event;
use super::records::{Observer, Record};
use super::retrials::{Customer, ReturnStreams, Returns, RETURNING};
use super::session::{CustomerStreams, Phase, NONE};
use crate::engine::{stream, CustomerRng, CustomerSeeds, SimRng, Stamp};

/// Sources of randomness, each with its own stream so that changing one part of the model (say,
/// accept delays) leaves the customers' arrivals unchanged. A queue's sources are numbered from
/// `QUEUE_STRIDE × queue`, a group's likewise, so the first queue (the whole of a one-queue
/// scenario) keeps the streams of earlier versions.
///
/// What belongs to a customer is not here: their traits (patience, exchanges), think times,
/// silent leaving, the compose times of their chat and its wrap-up, disposition and rating come
/// from the customer's own substreams ([`CustomerSeeds`], [`Streams::customer`]). Numbers 1–5,
/// 7, 12 and 15 were those sources' before; they stay unused, so that every other stream is
/// the one it was.
#[derive(Clone, Copy)]
enum Source {
    Arrivals = 0,
    AcceptDelay = 6,
    NotRespondingPause = 8,
    Absence = 9,
    /// Numbered after the others, so that scenarios without day or interval levels or silent
    /// leavers keep every stream they had.
    DayLevel = 10,
    IntervalLevel = 11,
    /// Returning customers (`patience.retry`, `patience.recontact`): whether they come back,
    /// and when. Drawn only in scenarios that have them.
    ReturnDecision = 13,
    ReturnDelay = 14,
}

const QUEUE_STRIDE: u64 = 16;
// A queue's sources must stay within its stride (the next queue's start there).
const _: () = assert!((Source::ReturnDelay as u64) < QUEUE_STRIDE);
/// The stream of the day-level factor shared by the queues: past any queue's sources.
const SHARED_DAY_LEVEL: u64 = u64::MAX;

/// A queue's streams of the workflow actions (transfers, invitations) are numbered from
/// `WORK_BASE + QUEUE_STRIDE × queue`: far past every queue's first block, so that adding them
/// left every stream of earlier versions as it was.
const WORK_BASE: u64 = 1 << 40;

#[derive(Clone, Copy)]
enum WorkSource {
    /// Whether an accepted chat will need a transfer, and after how many exchanges.
    TransferDecision = 0,
    TransferAfter = 1,
    /// Queue patience in the target queue of a transfer; the conversation at the new agent.
    TransferPatience = 2,
    TransferExchanges = 3,
    /// An invited agent's answer delay, and whether it refuses.
    AnswerDelay = 4,
    Refuse = 5,
    /// The exchanges a joined agent answers in a conference; whether the owner leaves then.
    ConferenceExchanges = 6,
    OwnerLeaves = 7,
    /// The agent-to-agent messages of a consultation; whether the colleague then takes it.
    ConsultMessages = 8,
    ThenTransfer = 9,
}

/// A queue's streams for its transfers and invitations.
pub(super) struct WorkStreams {
    pub decide: SimRng,
    pub after: SimRng,
    pub patience: SimRng,
    pub exchanges: SimRng,
    pub answer: SimRng,
    pub refuse: SimRng,
    pub conference_exchanges: SimRng,
    pub owner_leaves: SimRng,
    pub consult_messages: SimRng,
    pub then_transfer: SimRng,
}

/// The replication index the model is run with for day `day` of replication `replication`:
/// day 0 is the replication itself (a run without `run.days` is day 0), later days get streams
/// of their own. The model reads the day back from it (a replay reads that day's rows).
pub fn day_replication(replication: u32, day: u32) -> u64 {
    u64::from(replication) | (u64::from(day) << 32)
}

pub(super) struct QueueStreams {
    pub arrivals: SimRng,
    pub accept_delay: SimRng,
    pub pause: SimRng,
}

pub(super) struct GroupStreams {
    pub absence: SimRng,
}

pub(super) struct Streams {
    /// The customers' own substreams, and per queue the new customers that arrived so far
    /// (the rank of an arrival in its queue names its customer).
    customers: CustomerSeeds,
    arrived: Vec<u64>,
    pub queues: Vec<QueueStreams>,
    pub groups: Vec<GroupStreams>,
    /// Per queue, the workflow actions' streams (used only by scenarios that have them).
    pub work: Vec<WorkStreams>,
    /// The day-level factors and replay of the day being simulated.
    pub demand: Demand,
    /// Customers who come back: per replication state of the arrivals, like `demand`'s
    /// replay readers, so it lives with them.
    pub returns: Returns,
}

/// A replication's draws of the demand's levels, and its trace readers. Factors are drawn
/// when first needed (a scenario without levels draws nothing, so its streams are untouched),
/// each from its own stream and in a fixed order, so they do not depend on the order in which
/// queues ask for them.
pub(super) struct Demand {
    day: u32,
    shared_day: SimRng,
    shared_day_factor: Option<f64>,
    day_streams: Vec<SimRng>,
    day_factors: Vec<Option<f64>>,
    interval_streams: Vec<SimRng>,
    /// Per queue, the factors of its steps `0..len` drawn so far.
    interval_factors: Vec<Vec<f64>>,
    traces: Vec<Option<Box<dyn TraceReader>>>,
    /// Per queue, the recorded arrival scheduled next: its traits are used when it arrives.
    pending: Vec<TracedArrival>,
}

impl Streams {
    pub fn new(seed: u64, replication: u64, queues: usize, groups: usize) -> Self {
        let s = |base: usize, source: Source| {
            stream(
                seed,
                replication,
                base as u64 * QUEUE_STRIDE + source as u64,
            )
        };
        Streams {
            customers: CustomerSeeds::new(seed, replication),
            arrived: vec![0; queues],
            queues: (0..queues)
                .map(|q| QueueStreams {
                    arrivals: s(q, Source::Arrivals),
                    accept_delay: s(q, Source::AcceptDelay),
                    pause: s(q, Source::NotRespondingPause),
                })
                .collect(),
            groups: (0..groups)
                .map(|g| GroupStreams {
                    absence: s(g, Source::Absence),
                })
                .collect(),
            work: (0..queues)
                .map(|q| {
                    let w = |source: WorkSource| {
                        stream(
                            seed,
                            replication,
                            WORK_BASE + q as u64 * QUEUE_STRIDE + source as u64,
                        )
                    };
                    WorkStreams {
                        decide: w(WorkSource::TransferDecision),
                        after: w(WorkSource::TransferAfter),
                        patience: w(WorkSource::TransferPatience),
                        exchanges: w(WorkSource::TransferExchanges),
                        answer: w(WorkSource::AnswerDelay),
                        refuse: w(WorkSource::Refuse),
                        conference_exchanges: w(WorkSource::ConferenceExchanges),
                        owner_leaves: w(WorkSource::OwnerLeaves),
                        consult_messages: w(WorkSource::ConsultMessages),
                        then_transfer: w(WorkSource::ThenTransfer),
                    }
                })
                .collect(),
            demand: Demand {
                day: (replication >> 32) as u32,
                shared_day: stream(seed, replication, SHARED_DAY_LEVEL),
                shared_day_factor: None,
                day_streams: (0..queues).map(|q| s(q, Source::DayLevel)).collect(),
                day_factors: vec![None; queues],
                interval_streams: (0..queues).map(|q| s(q, Source::IntervalLevel)).collect(),
                interval_factors: vec![Vec::new(); queues],
                traces: (0..queues).map(|_| None).collect(),
                pending: vec![TracedArrival::default(); queues],
            },
            returns: Returns::new(
                (0..queues)
                    .map(|q| ReturnStreams {
                        decide: s(q, Source::ReturnDecision),
                        delay: s(q, Source::ReturnDelay),
                    })
                    .collect(),
            ),
        }
    }
}

impl Streams {
    /// The key of the next new customer of `queue`: the queue and the rank of the arrival in
    /// it, which do not depend on anything the run does.
    #[inline]
    pub fn next_customer(&mut self, queue: usize) -> u64 {
        let rank = self.arrived[queue];
        self.arrived[queue] += 1;
        ((queue as u64) << 40) | rank
    }

    /// Customer `key`'s substreams for their attempt `attempt` (0: the first; a return is
    /// another attempt of the same customer): the one their traits are drawn from, and those
    /// their session keeps.
    #[inline]
    pub fn customer(&self, key: u64, attempt: u32) -> (CustomerRng, CustomerStreams) {
        // Room for 16 parts an attempt: a new part is numbered after these four and leaves
        // every existing substream as it was.
        const PARTS: u64 = 16;
        let parts = self.customers.customer(key);
        let part = |p: u64| parts.part(PARTS * u64::from(attempt) + p);
        (
            part(0),
            CustomerStreams {
                think: part(1),
                compose: part(2),
                done: part(3),
            },
        )
    }
}

/// A customer's traits: when they give up waiting in queue, their reply patience, their number
/// of exchanges.
pub(super) type Traits = (f64, f64, u32);

/// A customer arriving at `now` draws, in this order, when they give up waiting in queue
/// (infinite without queue patience), their reply patience (likewise) and their number of
/// exchanges (at least 1).
#[inline]
pub(super) fn draw_traits(chat: &ChatConfig, now: f64, rng: &mut CustomerRng) -> Traits {
    let queue_deadline = match &chat.queue_patience {
        Some(d) => now + d.sample(rng),
        None => f64::INFINITY,
    };
    let reply_patience = match &chat.reply_patience {
        Some(d) => d.sample(rng),
        None => f64::INFINITY,
    };
    let exchanges = chat.exchanges.sample(rng).max(1);
    (queue_deadline, reply_patience, exchanges)
}

/// The stretch of constant arrival rate a queue's arrival process is in.
#[derive(Clone, Copy, Debug)]
pub(super) struct ArrivalSegment {
    pub end: f64,
    pub rate: f64,
}

impl ArrivalSegment {
    pub const BEFORE: ArrivalSegment = ArrivalSegment {
        end: f64::NEG_INFINITY,
        rate: 0.0,
    };
}

impl Demand {
    /// The first error this replication's trace readers met, in queue order.
    pub(super) fn trace_error(&self) -> Option<String> {
        self.traces
            .iter()
            .flatten()
            .find_map(|reader| reader.error())
    }

    /// The factor on queue `queue`'s rate in step `step` of the day: its day level (shared or
    /// its own) times its interval level, each 1 when the scenario sets none.
    fn factor(&mut self, cfg: &super::config::ModelConfig, queue: usize, step: usize) -> f64 {
        let q = &cfg.queues[queue];
        let mut f = 1.0;
        if let Some(level) = &q.day_level {
            f *= if level.shared {
                *self
                    .shared_day_factor
                    .get_or_insert_with(|| level.dist.sample(&mut self.shared_day))
            } else {
                *self.day_factors[queue]
                    .get_or_insert_with(|| level.dist.sample(&mut self.day_streams[queue]))
            };
        }
        if let Some(dist) = &q.interval_level {
            let drawn = &mut self.interval_factors[queue];
            // Steps are drawn in order, skipped ones included, so step i's factor is the i-th
            // draw whatever steps the arrivals crossed.
            while drawn.len() <= step {
                drawn.push(dist.sample(&mut self.interval_streams[queue]));
            }
            f *= drawn[step];
        }
        f
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Schedule a queue's next arrival after `from`: in the lone slot with one queue, in the
    /// heap otherwise.
    #[inline]
    pub(super) fn schedule_next_arrival(&mut self, queue: usize, from: f64) {
        if let Some(t) = self.next_arrival_after(queue, from) {
            let event = Event::Arrival {
                queue: queue as u32,
            };
            if self.cfg.queues.len() == 1 {
                self.sched.schedule_lone(t, event);
            } else {
                self.sched.schedule_at(t, event);
            }
        }
    }

    /// Next arrival of the non-homogeneous Poisson process with piecewise-constant rates, by
    /// inverting the cumulative intensity: one Exp(1) draw per arrival whatever the number of
    /// steps crossed, so the arrival stream does not depend on anything else.
    fn next_arrival_after(&mut self, queue: usize, from: f64) -> Option<f64> {
        let cfg = self.cfg;
        let q = &cfg.queues[queue];
        if let Some(trace) = &q.trace {
            let d = &mut self.rng.demand;
            let day = d.day;
            let reader = d.traces[queue].get_or_insert_with(|| trace.source.open(queue, day));
            let next = reader
                .next_arrival()
                .filter(|a| a.time < cfg.arrivals_end)?;
            d.pending[queue] = next;
            // A row at the very instant of the previous one (or, on a file changed since it
            // was checked, before it) arrives now rather than in the past.
            return Some(next.time.max(from));
        }
        let mut e: f64 = Exp1.sample(&mut self.rng.queues[queue].arrivals);
        let mut t = from;
        loop {
            let segment = &mut self.arrival_segments[queue];
            if t >= segment.end {
                if t >= cfg.arrivals_end {
                    return None;
                }
                let mut idx = (t / q.arrival_step) as usize;
                let mut end = (idx + 1) as f64 * q.arrival_step;
                if end <= t {
                    // Rounding put t at the very end of step idx.
                    idx += 1;
                    end = (idx + 1) as f64 * q.arrival_step;
                }
                let mut rate = q.arrival_rates[idx.min(q.arrival_rates.len() - 1)];
                if q.day_level.is_some() || q.interval_level.is_some() {
                    rate *= self.rng.demand.factor(cfg, queue, idx);
                }
                *segment = ArrivalSegment {
                    end: end.min(cfg.arrivals_end),
                    rate,
                };
            }
            let ArrivalSegment { end, rate } = self.arrival_segments[queue];
            if rate > 0.0 {
                let at = t + e / rate;
                if at < end {
                    return Some(at);
                }
                e -= rate * (end - t);
            }
            t = end;
        }
    }

    pub(super) fn on_arrival(&mut self, queue: usize) {
        if queue >= RETURNING as usize {
            return self.on_return(queue as u32 - RETURNING);
        }
        let now = self.now();
        let chat = &self.cfg.queues[queue].chat;
        // Every customer draws all their traits now, from their own stream, whether or not
        // they are used: that keeps customers identical across settings (common random numbers).
        let key = self.rng.next_customer(queue);
        let (mut traits, streams) = self.rng.customer(key, 0);
        let (mut queue_deadline, mut reply_patience, mut exchanges) =
            draw_traits(chat, now, &mut traits);
        if self.cfg.queues[queue].trace.is_some() {
            // The record's own traits replace the draws (made all the same, so that the
            // customers of the other queues and the later draws stay as they were).
            let a = self.rng.demand.pending[queue];
            if let Some(n) = a.exchanges {
                exchanges = n.max(1);
            }
            if let Some(p) = a.queue_patience {
                queue_deadline = now + p;
            }
            if let Some(p) = a.reply_patience {
                reply_patience = p;
            }
        }
        let customer = Customer {
            id: self.next_contact,
            key,
            ..Customer::default()
        };
        let traits = (queue_deadline, reply_patience, exchanges);
        self.admit(queue, traits, customer, streams, None);
        self.schedule_next_arrival(queue, now);
    }

    /// A contact arrives in `queue` with these traits: a new customer's first attempt, or a
    /// returning customer's (`returned`: the record that says so, sent after `Arrived`). It is
    /// offered at once or waits.
    #[inline(always)]
    pub(super) fn admit(
        &mut self,
        queue: usize,
        (queue_deadline, reply_patience, exchanges): Traits,
        customer: Customer,
        streams: CustomerStreams,
        returned: Option<Record>,
    ) {
        let now = self.now();
        let (s, contact) = self.open_session(
            queue,
            (queue_deadline, reply_patience, exchanges),
            customer,
            streams,
        );
        let wait = self.sessions.hot[s as usize].wait;

        let agent = if self.queues[queue].live == 0 {
            self.best_for(queue, 0)
        } else {
            None
        };
        self.emit(Record::Arrived {
            contact,
            queue: queue as u32,
            queued: agent.is_none(),
        });
        if let Some(record) = returned {
            self.emit(record);
        }
        match agent {
            Some(agent) => self.offer(s, agent),
            None => {
                self.queues[queue].push_back(s, wait);
                self.waiting += 1;
                if queue_deadline.is_finite() {
                    self.sessions.hot[s as usize].abandon_armed = true;
                    self.sched.schedule_at(
                        queue_deadline,
                        Event::QueueAbandon {
                            session: s,
                            stamp: wait,
                        },
                    );
                }
                self.sessions.hot[s as usize].tiers_armed = true;
                if let Some(next) = self.cfg.queues[queue].tiers.get(1) {
                    self.sched.schedule_at(
                        now + next.after,
                        Event::TierOpen {
                            session: s,
                            stamp: wait,
                        },
                    );
                }
                if self.requeued > 0 {
                    // The head may be a reassigned chat only the agent it left is free for:
                    // that agent may take this one.
                    self.dispatch_queue(queue);
                }
            }
        }
    }

    /// A new contact of `queue` with these traits and the customer's substreams, arriving now:
    /// its session, waiting for routing (`Queued`, no agent), and its number.
    #[inline(always)]
    pub(super) fn open_session(
        &mut self,
        queue: usize,
        (queue_deadline, reply_patience, exchanges): Traits,
        customer: Customer,
        streams: CustomerStreams,
    ) -> (u32, super::records::ContactId) {
        let contact = self.next_contact;
        self.next_contact += 1;
        let s = self.sessions.alloc();
        self.sessions.customer[s as usize] = streams;
        if self.returning && self.cfg.queues[queue].chat.returns() {
            self.rng.returns.set(s, customer);
        }
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Queued;
        session.contact = contact;
        session.queue = queue as u16;
        session.tier = 0;
        session.arrived_at = self.sched.now();
        session.deadline_then_last_reply = queue_deadline;
        session.reply_patience = reply_patience;
        session.exchanges_left = exchanges;
        session.abandon_armed = false;
        session.tiers_armed = false;
        session.gating = false;
        session.agent = NONE;
        (s, contact)
    }

    pub(super) fn on_queue_abandon(&mut self, s: u32, stamp: Stamp) {
        let session = self.sessions.hot[s as usize];
        if session.wait != stamp {
            return;
        }
        if self.requeued_by_transfer(s) {
            // Queue patience in the target queue of a transfer: the customer leaves the chat.
            self.abandon_unassigned(s);
            return;
        }
        if !matches!(session.phase, Phase::Queued | Phase::Offered) {
            return;
        }
        self.emit(Record::AbandonedQueue {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            wait: self.now() - session.arrived_at,
            during_offer: session.phase == Phase::Offered,
            returning: self.is_return(s),
        });
        self.after_abandon(s);
        self.sessions.free(s);
        if session.phase == Phase::Queued {
            self.queues[session.queue as usize].forget_one();
            self.waiting -= 1;
        } else {
            self.release_slot(session.agent);
            self.dispatch_group(self.agents[session.agent as usize].group);
        }
    }

    /// The chat has waited long enough for the next overflow tier (of the queue it waits in:
    /// its own, or a requeued chat's target).
    pub(super) fn on_tier_open(&mut self, s: u32, stamp: Stamp) {
        let session = &self.sessions.hot[s as usize];
        if session.wait != stamp
            || !matches!(
                session.phase,
                Phase::Queued
                    | Phase::Offered
                    | Phase::Requeued
                    | Phase::Reoffered
                    | Phase::Inviting
            )
        {
            return;
        }
        let queue = self.waits_in(s);
        let since = self.waiting_since(s);
        let session = &mut self.sessions.hot[s as usize];
        session.tier += 1;
        let (tier, phase) = (session.tier as usize, session.phase);
        if let Some(next) = self.cfg.queues[queue].tiers.get(tier + 1) {
            self.sched
                .schedule_at(since + next.after, Event::TierOpen { session: s, stamp });
        }
        // An invitation waiting in its queue is dispatched like a chat there (one whose agent
        // is invited already has no live entry: its tiers no longer matter).
        if matches!(phase, Phase::Queued | Phase::Requeued | Phase::Inviting) {
            self.dispatch_queue(queue);
        }
    }
}
