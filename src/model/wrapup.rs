//! The end of a chat: wrap-up, then Mark Done, which frees the slot and lets the agent take
//! the next waiting chat.

use super::center::ContactCenter;
use super::event::Event;
use super::records::{Observer, Record};
use super::session::Phase;

impl<'c, O: Observer> ContactCenter<'c, O> {
    pub(super) fn end_chat(&mut self, s: u32) {
        let now = self.now();
        let queue = self.serving(s);
        self.sessions.hot[s as usize].pending_since_then_ended_at = now;
        if self.workflow {
            // A conference's owner leaves with the chat (its customer left or went quiet).
            self.partner_leaves(s);
        }
        let wrapup = self.draw_wrapup(queue);
        if wrapup <= 0.0 {
            self.mark_done(s);
        } else {
            let session = &mut self.sessions.hot[s as usize];
            session.phase = Phase::WrapUp;
            let stamp = session.flow;
            self.sched
                .schedule_in(wrapup, Event::WrapupDone { session: s, stamp });
        }
    }

    /// A wrap-up time under `queue`'s settings (no draw when there is none).
    #[inline]
    pub(super) fn draw_wrapup(&mut self, queue: usize) -> f64 {
        let chat = &self.cfg.queues[queue].chat;
        if chat.wrapup.is_zero() {
            0.0
        } else {
            chat.wrapup.sample(&mut self.rng.queues[queue].wrapup)
        }
    }

    pub(super) fn mark_done(&mut self, s: u32) {
        let now = self.now();
        let session = &self.sessions.hot[s as usize];
        let agent = session.agent;
        let group = self.agents[agent as usize].group;
        let record = Record::Done {
            contact: session.contact,
            queue: u32::from(session.queue),
            group,
            arrived_at: session.arrived_at,
            handle_time: now - self.leg_since(s),
            wrapup: now - session.pending_since_then_ended_at,
        };
        self.emit(record);
        self.after_done(s);
        self.sessions.free(s);
        self.release_slot(agent);
        self.dispatch_group(group);
    }
}
