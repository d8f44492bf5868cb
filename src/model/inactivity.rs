//! Customer inactivity: the chat server's alerts and close for a customer who has not written
//! since the agent's last message, and customers who leave without a word (silent leavers),
//! whose session holds its slot until the close frees it.
//!
//! The customer's think time is drawn when the agent replies, so the timers that will fire are
//! known then: an alert is scheduled only if the customer is still quiet when it is due, and
//! the close replaces the customer's next message when it comes first. Nothing else can happen
//! to a chat while its customer thinks, so these timers need no cancelling beyond the flow
//! lane's stamp (a session freed by the run's end voids them).
//!
//! A timer fires only when the customer has been quiet for *longer* than it: a message exactly
//! at `close` arrives in time (as an accept delay equal to the alert timeout is accepted).

use super::center::ContactCenter;
use super::event::Event;
use super::records::{Observer, Record};
use super::session::Phase;
use crate::engine::Stamp;

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// The customer of `s` goes quiet after a reply: for `think` seconds, or for good when
    /// `silent`. Schedules the alerts due meanwhile, then the close or the customer's message.
    #[cold]
    pub(super) fn customer_goes_quiet(&mut self, s: u32, think: f64, silent: bool) {
        let session = &self.sessions.hot[s as usize];
        let (stamp, agent) = (session.flow, session.agent);
        let chat = &self.cfg.queues[self.serving(s)].chat;
        let timers = chat.inactivity;
        let quiet = if silent { f64::INFINITY } else { think };
        // Parked first: the alerts due before the park still go out, the close never comes.
        let parks = self.asynchronous && self.parks(s, quiet);
        let park = chat.asynchronous.park_after;
        for alert in [timers.alert, timers.alert2] {
            if quiet > alert && !(parks && alert >= park) {
                self.sched
                    .schedule_in(alert, Event::InactivityAlert { session: s, stamp });
            }
        }
        if parks {
            let writes_at = self.now() + quiet;
            self.plan_park(s, writes_at, silent);
            return;
        }
        if quiet > timers.close {
            if silent {
                self.change(agent, |a| a.silent += 1);
            }
            self.sched.schedule_in(
                timers.close,
                Event::InactivityClose {
                    session: s,
                    stamp,
                    silent,
                },
            );
        } else {
            self.sched
                .schedule_in(think, Event::CustomerMessage { session: s, stamp });
        }
    }

    pub(super) fn on_inactivity_alert(&mut self, s: u32, stamp: Stamp) {
        if !self.sessions.live_flow(s, stamp, Phase::Thinking) {
            return;
        }
        let session = &self.sessions.hot[s as usize];
        self.emit(Record::InactivityAlert {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
        });
    }

    /// The session is closed for inactivity: the chat ends and wrap-up follows.
    pub(super) fn on_inactivity_close(&mut self, s: u32, stamp: Stamp, silent: bool) {
        if !self.sessions.live_flow(s, stamp, Phase::Thinking) {
            return;
        }
        let session = &self.sessions.hot[s as usize];
        let agent = session.agent;
        self.emit(Record::ClosedByInactivity {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            silent,
        });
        if silent {
            self.change(agent, |a| a.silent -= 1);
        }
        self.end_chat(s);
    }
}
