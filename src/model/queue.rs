//! A queue of waiting chats: first come, first served, with lazy deletion. A chat that leaves
//! the queue (abandon) stays in the deque until it reaches the front, where it is recognised as
//! stale by its wait-lane stamp and dropped; `live` counts the others.

use std::collections::VecDeque;

use super::session::{Phase, Session, Sessions};
use crate::engine::Stamp;

pub(super) struct ChatQueue {
    entries: VecDeque<(u32, Stamp)>,
    /// Entries whose session still waits here.
    pub live: usize,
}

impl ChatQueue {
    pub fn new() -> Self {
        ChatQueue {
            entries: VecDeque::with_capacity(64),
            live: 0,
        }
    }

    fn is_live(sessions: &[Session], (s, stamp): (u32, Stamp)) -> bool {
        let session = &sessions[s as usize];
        session.wait == stamp
            && matches!(
                session.phase,
                Phase::Queued | Phase::Requeued | Phase::Inviting
            )
    }

    /// The chat that has waited longest, dropping stale entries on the way.
    #[inline]
    pub fn head(&mut self, sessions: &[Session]) -> Option<u32> {
        if self.live == 0 {
            // Only stale entries can be left: drop them so the deque does not grow.
            self.entries.clear();
            return None;
        }
        loop {
            let front = *self.entries.front().expect("live counts entries");
            if Self::is_live(sessions, front) {
                return Some(front.0);
            }
            self.entries.pop_front();
        }
    }

    /// Remove the head returned by [`Self::head`].
    #[inline]
    pub fn pop_head(&mut self) {
        self.entries.pop_front();
        self.live -= 1;
    }

    /// The first live entry after the head for which `wanted` holds, as a position for
    /// [`Self::take_at`] (a chat the agent at hand may take when the head left that agent).
    pub fn find_behind(
        &self,
        sessions: &[Session],
        wanted: impl Fn(u32) -> bool,
    ) -> Option<(usize, u32)> {
        self.entries
            .iter()
            .enumerate()
            .skip(1)
            .find(|&(_, &entry)| Self::is_live(sessions, entry) && wanted(entry.0))
            .map(|(i, &(s, _))| (i, s))
    }

    /// Remove the live entry at `at` (0 is the head).
    #[inline]
    pub fn take_at(&mut self, at: usize) {
        if at == 0 {
            self.pop_head();
        } else {
            self.entries.remove(at);
            self.live -= 1;
        }
    }

    pub fn push_back(&mut self, s: u32, stamp: Stamp) {
        self.entries.push_back((s, stamp));
        self.live += 1;
    }

    /// Put a chat back in its place near the front (an offer withdrawn, a chat reassigned), by
    /// the time since which it waits ([`Sessions::waiting_since`]: its arrival, unless a
    /// transfer put it here): it steps over the entries at the front that wait since before
    /// it, which are few (chats that have waited longer still).
    pub fn push_in_order(&mut self, sessions: &Sessions, workflow: bool, s: u32, stamp: Stamp) {
        let since = sessions.waiting_since(s, workflow);
        let mut at = 0;
        while at < self.entries.len() {
            let entry = self.entries[at];
            if Self::is_live(&sessions.hot, entry)
                && sessions.waiting_since(entry.0, workflow) > since
            {
                break;
            }
            at += 1;
        }
        self.entries.insert(at, (s, stamp));
        self.live += 1;
    }

    /// Put a chat that started waiting a short while ago in its place near the back (a resumed
    /// session's message, after waiting for its agent), by [`Sessions::waiting_since`]: it
    /// steps back over the entries at the end that wait since after it, which are few.
    pub fn push_recent(&mut self, sessions: &Sessions, workflow: bool, s: u32, stamp: Stamp) {
        let since = sessions.waiting_since(s, workflow);
        let mut at = self.entries.len();
        while at > 0 {
            let entry = self.entries[at - 1];
            if Self::is_live(&sessions.hot, entry)
                && sessions.waiting_since(entry.0, workflow) <= since
            {
                break;
            }
            at -= 1;
        }
        self.entries.insert(at, (s, stamp));
        self.live += 1;
    }

    /// A waiting chat left (abandoned): its entry goes stale.
    pub fn forget_one(&mut self) {
        self.live -= 1;
    }
}
