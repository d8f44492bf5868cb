//! The end of a chat: wrap-up, then Mark Done, which frees the slot and lets the agent take
//! the next waiting chat. With `[wrapup.dispositions]` the agent sets a code (drawn at the end
//! of the chat, its wrap-up time the code's); with `[rating]` the customer who saw the chat
//! through may be asked for a score at Mark Done.

use rand::Rng;

use super::center::ContactCenter;
use super::event::Event;
use super::records::{Observer, Record, NO_DISPOSITION};
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
        let wrapup = if self.cfg.queues[queue].chat.dispositions.is_some() {
            self.draw_disposition(s, queue)
        } else {
            self.draw_wrapup(s, queue)
        };
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

    /// A wrap-up time of chat `s` under `queue`'s settings (no draw when there is none), from
    /// the customer's own stream of Mark Done: the same chat takes as long to wrap up whoever
    /// wraps it up.
    #[inline]
    pub(super) fn draw_wrapup(&mut self, s: u32, queue: usize) -> f64 {
        let chat = &self.cfg.queues[queue].chat;
        if chat.wrapup.is_zero() {
            0.0
        } else {
            chat.wrapup
                .sample(&mut self.sessions.customer[s as usize].done)
        }
    }

    /// The outcome of chat `s` under `queue`'s disposition codes (kept for Mark Done), and the
    /// wrap-up time it takes.
    #[cold]
    fn draw_disposition(&mut self, s: u32, queue: usize) -> f64 {
        let codes = self.cfg.queues[queue]
            .chat
            .dispositions
            .as_ref()
            .expect("the queue has codes");
        let rng = &mut self.sessions.customer[s as usize].done;
        let code = codes.pick(rng.random::<f64>());
        self.sessions.cold[s as usize].disposition = code.index;
        if code.time.is_zero() {
            0.0
        } else {
            code.time.sample(rng)
        }
    }

    pub(super) fn mark_done(&mut self, s: u32) {
        let now = self.now();
        let queue = self.serving(s);
        let chat = &self.cfg.queues[queue].chat;
        let session = &self.sessions.hot[s as usize];
        let agent = session.agent;
        let group = self.agents[agent as usize].group;
        let disposition = if chat.dispositions.is_some() {
            self.sessions.cold[s as usize].disposition
        } else {
            NO_DISPOSITION
        };
        if self.cfg.rates {
            let completed = std::mem::take(&mut self.sessions.cold[s as usize].completed);
            if completed && chat.rating.is_some() {
                self.rate(s, queue, group, disposition);
            }
        }
        let session = &self.sessions.hot[s as usize];
        let record = Record::Done {
            contact: session.contact,
            queue: u32::from(session.queue),
            group,
            arrived_at: session.arrived_at,
            handle_time: now - self.leg_since(s),
            wrapup: now - session.pending_since_then_ended_at,
            disposition,
        };
        self.emit(record);
        self.after_done(s);
        self.sessions.free(s);
        self.release_slot(agent);
        self.dispatch_group(group);
    }

    /// The survey of `queue` for the customer of `s`, who saw the chat through: asked with
    /// `ask`, answered with `answer`, the score drawn under the shift of what they lived.
    #[cold]
    fn rate(&mut self, s: u32, queue: usize, group: u32, disposition: u32) {
        let rating = self.cfg.queues[queue]
            .chat
            .rating
            .as_ref()
            .expect("the queue rates");
        let rng = &mut self.sessions.customer[s as usize].done;
        if rng.random::<f64>() >= rating.ask {
            return;
        }
        let answers = rng.random::<f64>() < rating.answer;
        let score_draw = rng.random::<f64>();
        let (session, cold) = (
            &self.sessions.hot[s as usize],
            &self.sessions.cold[s as usize],
        );
        let score = answers.then(|| {
            let shift = rating.shift(
                u32::from(cold.red_responses),
                u32::from(cold.transfers),
                cold.answered_at - session.arrived_at,
            );
            rating.score(shift, score_draw)
        });
        let record = Record::Rated {
            contact: session.contact,
            queue: u32::from(session.queue),
            group,
            arrived_at: session.arrived_at,
            disposition,
            score,
        };
        self.emit(record);
    }
}
