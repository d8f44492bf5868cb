//! Customers who come back: a customer who abandoned (in queue, or in chat for want of a reply)
//! may try again after a delay (`patience.retry`), and one whose chat was completed may contact
//! the center again (`patience.recontact`). Each attempt is a contact of its own — it arrives in
//! its queue like any other, is counted in `offered`, and ends once — and carries its customer:
//! the contact number of the customer's first attempt.
//!
//! A returning customer draws new traits (queue patience, reply patience, exchanges) from the
//! distributions of the queue they join, from their own substreams for that attempt, so that
//! the customers of the first attempts are the same whether or not anyone comes back (common
//! random numbers between a scenario and its variant with returns), and a customer's return is
//! the same customer doing the same things at every staffing that brings it about. A return due at or after the end of the
//! horizon is not simulated: arrivals have stopped (the next day, in `run.days`, is a
//! replication of its own); it is recorded (`WillReturn`, `after_close`) and counted.

use rand::Rng;

use super::arrivals::draw_traits;
use super::center::ContactCenter;
use super::event::Event;
use super::records::{ContactId, Observer, Record, ReturnKind};
use crate::engine::SimRng;

/// `Arrival { queue }` events from this value on bring a returning customer: entry
/// `queue - RETURNING` of [`Returns::coming`]. Returns travel in the arrival event because a
/// return *is* an arrival to its queue (the handler is the arrival's), and so that the event
/// set stays as it was.
pub(super) const RETURNING: u32 = 1 << 31;

/// Per queue, the streams of its returning customers.
pub(super) struct ReturnStreams {
    /// Whether an attempt's customer comes back (one uniform draw per attempt that may).
    pub decide: SimRng,
    /// How long until they do.
    pub delay: SimRng,
}

/// The customer an attempt belongs to.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Customer {
    /// The contact number of the customer's first attempt.
    pub id: ContactId,
    /// The customer's key to their own random substreams ([`super::arrivals::Streams::customer`]).
    pub key: u64,
    /// Retrials and recontacts made so far (the attempt's number is their sum).
    pub retrials: u32,
    pub recontacts: u32,
    /// The attempt was abandoned in chat (its wrap-up and Mark Done do not make a recontact).
    pub abandoned: bool,
}

/// A customer on the way back, until their return's `Arrival` event.
#[derive(Clone, Copy, Debug)]
struct Coming {
    queue: u32,
    customer: Customer,
    kind: ReturnKind,
}

/// A replication's returning customers: the customer of each session of a queue with returns,
/// and those on their way back.
pub(super) struct Returns {
    pub streams: Vec<ReturnStreams>,
    /// By session index (sessions of queues with returns only).
    customers: Vec<Customer>,
    /// Customers on their way back, a slab whose entries are reused.
    coming: Vec<Coming>,
    free: Vec<u32>,
}

impl Returns {
    pub fn new(streams: Vec<ReturnStreams>) -> Self {
        Returns {
            streams,
            customers: Vec::new(),
            coming: Vec::new(),
            free: Vec::new(),
        }
    }

    /// The customer of session `s` (of a queue with returns).
    #[inline]
    pub fn customer(&self, s: u32) -> Customer {
        self.customers[s as usize]
    }

    /// Session `s` now holds an attempt of `customer`.
    #[inline]
    pub fn set(&mut self, s: u32, customer: Customer) {
        let i = s as usize;
        if i >= self.customers.len() {
            self.customers.resize(i + 1, Customer::default());
        }
        self.customers[i] = customer;
    }

    fn push(&mut self, coming: Coming) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.coming[i as usize] = coming;
                i
            }
            None => {
                self.coming.push(coming);
                (self.coming.len() - 1) as u32
            }
        }
    }

    fn take(&mut self, i: u32) -> Coming {
        self.free.push(i);
        self.coming[i as usize]
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// The customer of `s` abandoned (in queue, or in chat: call before the session is freed
    /// or wrapped up): they may try again.
    #[inline]
    pub(super) fn after_abandon(&mut self, s: u32) {
        if !self.returning {
            return;
        }
        let queue = self.sessions.hot[s as usize].queue as usize;
        if self.cfg.queues[queue].chat.returns() {
            let mut customer = self.rng.returns.customer(s);
            customer.abandoned = true;
            self.rng.returns.set(s, customer);
            self.maybe_return(s, ReturnKind::Retrial);
        }
    }

    /// The chat of `s` is marked done (call before the session is freed): unless its customer
    /// had abandoned it, they may contact the center again.
    #[inline]
    pub(super) fn after_done(&mut self, s: u32) {
        if !self.returning {
            return;
        }
        let queue = self.sessions.hot[s as usize].queue as usize;
        if self.cfg.queues[queue].chat.returns() && !self.rng.returns.customer(s).abandoned {
            self.maybe_return(s, ReturnKind::Recontact);
        }
    }

    /// Whether this attempt's customer is a returning one (for `AbandonedQueue`).
    #[inline]
    pub(super) fn is_return(&self, s: u32) -> bool {
        let session = &self.sessions.hot[s as usize];
        self.returning
            && self.cfg.queues[session.queue as usize].chat.returns()
            && self.rng.returns.customer(s).id != session.contact
    }

    /// Draw whether the customer of `s` comes back for `kind`, and when; schedule the return.
    fn maybe_return(&mut self, s: u32, kind: ReturnKind) {
        let session = self.sessions.hot[s as usize];
        let queue = session.queue as usize;
        let chat = &self.cfg.queues[queue].chat;
        let rule = match kind {
            ReturnKind::Retrial => chat.retry.as_ref(),
            ReturnKind::Recontact => chat.recontact.as_ref(),
        };
        let Some(rule) = rule else { return };
        let mut customer = self.rng.returns.customer(s);
        let used = match kind {
            ReturnKind::Retrial => &mut customer.retrials,
            ReturnKind::Recontact => &mut customer.recontacts,
        };
        if *used >= rule.max {
            return;
        }
        *used += 1;
        let now = self.now();
        let streams = &mut self.rng.returns.streams[queue];
        if streams.decide.random::<f64>() >= rule.probability {
            return;
        }
        let at = now + rule.delay.sample(&mut streams.delay);
        let after_close = at >= self.cfg.arrivals_end;
        self.emit(Record::WillReturn {
            contact: session.contact,
            queue: queue as u32,
            arrived_at: session.arrived_at,
            customer: customer.id,
            kind,
            at,
            after_close,
        });
        if after_close {
            return;
        }
        customer.abandoned = false;
        let entry = self.rng.returns.push(Coming {
            queue: queue as u32,
            customer,
            kind,
        });
        self.sched.schedule_at(
            at,
            Event::Arrival {
                queue: RETURNING + entry,
            },
        );
    }

    /// A customer comes back (the `Arrival` of entry `entry`): a new attempt in their queue,
    /// with traits drawn anew.
    #[cold]
    pub(super) fn on_return(&mut self, entry: u32) {
        let Coming {
            queue,
            customer,
            kind,
        } = self.rng.returns.take(entry);
        let queue = queue as usize;
        let now = self.now();
        let chat = &self.cfg.queues[queue].chat;
        let attempt = customer.retrials + customer.recontacts;
        let (mut traits, streams) = self.rng.customer(customer.key, attempt);
        let traits = draw_traits(chat, now, &mut traits);
        let contact = self.next_contact;
        self.admit(
            queue,
            traits,
            customer,
            streams,
            Some(Record::Returned {
                contact,
                queue: queue as u32,
                customer: customer.id,
                attempt,
                kind,
            }),
        );
    }
}
