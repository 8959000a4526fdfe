//! What the integration tests share: a worker sink that forwards events to a
//! channel, and a collector of outputs up to a flush.

use std::sync::mpsc;
use std::time::Duration;

use webcodecs_core::worker::{Event, Sink};

pub struct ToChannel<O>(pub mpsc::Sender<Event<O>>);

impl<O: Send + 'static> Sink<O> for ToChannel<O> {
    fn send(&self, _generation: u64, event: Event<O>) {
        let _ = self.0.send(event);
    }
}

/// Collects outputs until the flush with `id` completes; panics on an error.
pub fn until_flushed<O>(rx: &mpsc::Receiver<Event<O>>, id: u32) -> Vec<O> {
    let mut out = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)).expect("worker went quiet") {
            Event::Output(o) => out.push(o),
            Event::Flushed(got) if got == id => return out,
            Event::Error(e) => panic!("{}: {e}", e.name()),
            _ => {}
        }
    }
}
