//! The codec thread. Each codec instance owns one: it receives commands on a
//! flume queue, owns all FFmpeg state, and reports through a [`Sink`] that
//! must never block (the Node layer's sink is a Neon Channel).
//!
//! Every command carries the *generation* it was issued in. `reset()` and
//! `close()` bump the shared generation first, so commands and outputs of an
//! old configuration are skipped rather than processed.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use crate::error::{Error, Result};
use crate::starvation::{self, Progress};

/// What a codec does; implemented by the video encoder and decoder.
pub trait Processor: Send + 'static {
    type Config: Send + 'static;
    type Input: Send + 'static;
    type Output: Send + 'static;

    /// Applies a configuration; an error here is NotSupportedError. The worker
    /// flushes the previous configuration first, so this starts afresh.
    fn configure(&mut self, config: Self::Config) -> Result<()>;
    /// Consumes one input, emitting whatever outputs are ready.
    fn process(&mut self, input: Self::Input, emit: &mut dyn FnMut(Self::Output)) -> Result<()>;
    /// Emits every pending output and leaves the codec ready for more input.
    fn flush(&mut self, emit: &mut dyn FnMut(Self::Output)) -> Result<()>;
    /// Drops the codec state (after reset or close).
    fn reset(&mut self);
}

pub enum Command<P: Processor> {
    Configure(P::Config),
    Process(P::Input),
    Flush(u32),
    Reset,
}

/// What the worker reports, tagged with the command's generation.
pub enum Event<O> {
    /// A Process command was taken off the queue ([[encodeQueueSize]] decrements).
    Dequeued,
    Output(O),
    /// Every output before this one has been sent; the flush with this id may resolve.
    Flushed(u32),
    /// A configuration took effect: every output of the previous one was sent
    /// before this, and every later output belongs to the new one.
    Configured,
    /// The codec failed; the JavaScript side closes it with this error.
    Error(Error),
    /// One command is finished (keeps the keep-alive count exact).
    Done,
}

pub trait Sink<O>: Send + 'static {
    /// Queues an event. A sink may hold events briefly to hand several over
    /// at once, but never past the next [`Sink::between`] that says `now`.
    fn send(&self, generation: u64, event: Event<O>);
    /// Called as each command starts (after its Dequeued event) and before
    /// the thread waits for input. `now`: everything queued must go now (the
    /// thread is about to wait, has just waited, or its last command took
    /// [`HOLD`] or more). Otherwise it is working through a backlog of short
    /// commands, and held events may wait for a few of them, up to [`HOLD`].
    fn between(&self, now: bool) {
        let _ = now;
    }
}

/// How long a sink may hold events while its codec thread works through a
/// backlog of short commands, and how long a command must take for the
/// events before the next to go at once. Waking JavaScript for each of
/// hundreds of small chunks a second costs more CPU than a small codec's
/// work on them; a backlog is what makes that happen, and its outputs are
/// late by a whole queue anyway.
pub const HOLD: std::time::Duration = std::time::Duration::from_millis(1);

/// The JavaScript-thread side of a worker. Dropping it ends the thread once the
/// commands already queued have been skipped or run.
pub struct Worker<P: Processor> {
    tx: flume::Sender<(u64, Command<P>)>,
    generation: Arc<AtomicU64>,
    /// What the starvation watchdog sees of this codec's queue.
    progress: Arc<Progress>,
    /// Inputs queued by [`Worker::stage`] and not yet handed to the thread.
    staged: RefCell<Vec<(u64, Command<P>)>>,
}

impl<P: Processor> Worker<P> {
    pub fn spawn(name: &str, processor: P, sink: impl Sink<P::Output>) -> std::io::Result<Worker<P>> {
        crate::init();
        let (tx, rx) = flume::unbounded::<(u64, Command<P>)>();
        let generation = Arc::new(AtomicU64::new(0));
        let current = generation.clone();
        let progress = starvation::register(idle_policy());
        let finished = progress.clone();
        thread::Builder::new().name(name.into()).spawn(move || {
            yield_to_javascript();
            run(processor, rx, current, sink, &finished);
            // The codec's state (frames, look-ahead, tables) is freed now; on
            // glibc it would otherwise stay mapped in this thread's arena.
            crate::pool::trim();
        })?;
        Ok(Worker { tx, generation, progress, staged: RefCell::new(Vec::new()) })
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Queues a command in the current generation, after every staged one;
    /// returns that generation. Fails only if the thread is gone (it then
    /// reports nothing more).
    pub fn send(&self, command: Command<P>) -> Result<u64> {
        self.commit()?;
        let generation = self.generation();
        self.hand_over(generation, command)?;
        Ok(generation)
    }

    /// Queues a command in the current generation without waking the codec
    /// thread; [`Worker::commit`] (or the next [`Worker::send`]) hands it
    /// over. A caller issuing many small inputs in one run of JavaScript
    /// thus wakes the thread once for all of them instead of once each, at
    /// the cost of two context switches per input saved.
    pub fn stage(&self, command: Command<P>) -> u64 {
        let generation = self.generation();
        self.staged.borrow_mut().push((generation, command));
        generation
    }

    /// Hands every staged command to the codec thread, in order.
    pub fn commit(&self) -> Result<()> {
        let staged = std::mem::take(&mut *self.staged.borrow_mut());
        staged.into_iter().try_for_each(|(generation, command)| self.hand_over(generation, command))
    }

    fn hand_over(&self, generation: u64, command: Command<P>) -> Result<()> {
        self.progress.queued();
        self.tx.send((generation, command)).map_err(|_| {
            self.progress.finished();
            Error::InvalidState("The codec thread has stopped".into())
        })
    }

    /// Abandons all queued work: later events of older generations are dropped
    /// by the receiver, queued commands are skipped, and codec state is freed.
    /// Staged commands are handed over first, to be skipped like the rest:
    /// each still reports that it is done.
    pub fn reset(&self) -> Result<u64> {
        self.commit()?;
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.send(Command::Reset)
    }
}

/// The message of a caught panic ("panic" when it carries none).
pub fn panic_text(payload: &Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// The codec threads' priority, from `WEBCODECS_THREAD_PRIORITY`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Priority {
    /// SCHED_IDLE (the default): the starvation watchdog looks after it.
    Idle,
    /// A nice value (`low` is 10).
    Nice(i32),
    Normal,
}

fn priority() -> Priority {
    match std::env::var("WEBCODECS_THREAD_PRIORITY").ok().as_deref() {
        Some("normal") => Priority::Normal,
        Some("low") => Priority::Nice(10),
        Some(n) => n.parse().ok().filter(|n| (1..=19).contains(n)).map_or(Priority::Idle, Priority::Nice),
        None => Priority::Idle,
    }
}

fn idle_policy() -> bool {
    priority() == Priority::Idle
}

/// Codec threads run below the JavaScript thread so that a waking event loop
/// preempts codec work at once instead of waiting out a scheduler slice.
/// FFmpeg's and the codec libraries' own threads are created from the codec
/// thread and inherit its policy. `WEBCODECS_THREAD_PRIORITY` chooses:
/// `idle` (SCHED_IDLE: codec work uses the CPU time JavaScript leaves, and
/// the starvation watchdog gives it a fair share when something else would
/// starve it; the default), `low` (nice +10: a smaller fair share), a nice
/// value from 1 to 19, or `normal`.
#[cfg(target_os = "linux")]
fn yield_to_javascript() {
    use crate::starvation::sched;
    // On Linux, pid/who 0 means the calling thread. Failure (a seccomp
    // filter, say) leaves the default priority, which is still correct.
    match priority() {
        Priority::Normal => {}
        // SAFETY: plain system calls on the calling thread.
        Priority::Nice(n) => unsafe {
            sched::setpriority(sched::PRIO_PROCESS, 0, n);
        },
        Priority::Idle => unsafe {
            sched::sched_setscheduler(0, sched::SCHED_IDLE, &sched::Param { priority: 0 });
        },
    }
}

#[cfg(not(target_os = "linux"))]
fn yield_to_javascript() {}

fn run<P: Processor>(mut processor: P, rx: flume::Receiver<(u64, Command<P>)>, current: Arc<AtomicU64>, sink: impl Sink<P::Output>, progress: &Progress) {
    // The generation whose codec failed: its remaining commands are skipped.
    let mut failed: Option<u64> = None;
    // Whether the last command took HOLD or more.
    let mut long = true;
    loop {
        let ((generation, command), waited) = match rx.try_recv() {
            Ok(next) => (next, false),
            Err(flume::TryRecvError::Empty) => {
                sink.between(true);
                match rx.recv() {
                    Ok(next) => (next, true),
                    Err(_) => break,
                }
            }
            Err(flume::TryRecvError::Disconnected) => {
                sink.between(true);
                break;
            }
        };
        let started = std::time::Instant::now();
        let stale = generation != current.load(Ordering::SeqCst) || failed == Some(generation);
        if matches!(command, Command::Process(_)) && !stale {
            sink.send(generation, Event::Dequeued);
        }
        // The dequeue goes out as the command starts (the caller may queue
        // the next input meanwhile), unless it is one of a backlog of short
        // commands, whose events go together.
        sink.between(waited || long);
        let mut emit = |output| sink.send(generation, Event::Output(output));
        // A panic in codec code must not kill the thread: JavaScript would wait
        // for this command forever. It becomes an EncodingError instead.
        let result = panic::catch_unwind(AssertUnwindSafe(|| match command {
            Command::Reset => {
                processor.reset();
                failed = None;
                Ok(())
            }
            _ if stale => Ok(()),
            // Input given under the old configuration is encoded or decoded
            // under it (encoders and decoders with delay hold some back), and
            // its outputs precede the switch.
            Command::Configure(config) => processor
                .flush(&mut emit)
                .and_then(|()| processor.configure(config))
                .map(|()| sink.send(generation, Event::Configured)),
            Command::Process(input) => processor.process(input, &mut emit),
            Command::Flush(id) => processor.flush(&mut emit).map(|_| sink.send(generation, Event::Flushed(id))),
        }))
        .unwrap_or_else(|payload| Err(Error::Encoding(format!("Internal error in the codec thread: {}", panic_text(&payload)))));
        if let Err(error) = result {
            processor.reset();
            failed = Some(generation);
            sink.send(generation, Event::Error(error));
        }
        sink.send(generation, Event::Done);
        progress.finished();
        long = started.elapsed() >= HOLD;
    }
    processor.reset();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Doubles numbers; fails on negative ones; holds one back until flush.
    #[derive(Default)]
    struct Doubler {
        held: Option<i32>,
        configured: bool,
    }

    impl Processor for Doubler {
        type Config = bool;
        type Input = i32;
        type Output = i32;
        fn configure(&mut self, ok: bool) -> Result<()> {
            self.configured = ok;
            ok.then_some(()).ok_or(Error::NotSupported("no".into()))
        }
        fn process(&mut self, input: i32, emit: &mut dyn FnMut(i32)) -> Result<()> {
            if input == 666 {
                panic!("the number of the beast");
            }
            if input < 0 {
                return Err(Error::Encoding("negative".into()));
            }
            if let Some(prev) = self.held.replace(input) {
                emit(prev * 2);
            }
            Ok(())
        }
        fn flush(&mut self, emit: &mut dyn FnMut(i32)) -> Result<()> {
            if let Some(prev) = self.held.take() {
                emit(prev * 2);
            }
            Ok(())
        }
        fn reset(&mut self) {
            self.held = None;
        }
    }

    struct Collect(mpsc::Sender<(u64, String)>);
    impl Sink<i32> for Collect {
        fn send(&self, generation: u64, event: Event<i32>) {
            let text = match event {
                Event::Dequeued => "dequeued".to_string(),
                Event::Output(v) => format!("out {v}"),
                Event::Flushed(id) => format!("flushed {id}"),
                Event::Configured => "configured".to_string(),
                Event::Error(e) => format!("error {}", e.name()),
                Event::Done => "done".to_string(),
            };
            let _ = self.0.send((generation, text));
        }
    }

    fn events(rx: &mpsc::Receiver<(u64, String)>, n: usize) -> Vec<String> {
        (0..n).map(|_| {
            let (g, t) = rx.recv_timeout(std::time::Duration::from_secs(120)).unwrap();
            format!("{g}:{t}")
        }).collect()
    }

    #[test]
    fn outputs_precede_their_flush_and_errors_skip_the_rest() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(1)).unwrap();
        worker.send(Command::Process(2)).unwrap();
        worker.send(Command::Flush(7)).unwrap();
        assert_eq!(
            events(&rx, 10),
            ["0:configured", "0:done", "0:dequeued", "0:done", "0:dequeued", "0:out 2", "0:done", "0:out 4", "0:flushed 7", "0:done"]
        );
        worker.send(Command::Process(-1)).unwrap();
        assert_eq!(events(&rx, 3), ["0:dequeued", "0:error EncodingError", "0:done"]);
        worker.send(Command::Process(3)).unwrap();
        assert_eq!(events(&rx, 1), ["0:done"]);
    }

    #[test]
    fn reset_skips_queued_work_of_the_old_generation() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(5)).unwrap();
        worker.reset().unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(6)).unwrap();
        worker.send(Command::Flush(1)).unwrap();
        let mut got = Vec::new();
        while !got.last().is_some_and(|e: &String| e.contains("flushed")) {
            got.extend(events(&rx, 1));
        }
        got.extend(events(&rx, 1));
        let got = got.join(",");
        assert!(!got.contains("out 10"), "{got}");
        assert!(got.ends_with("1:dequeued,1:done,1:out 12,1:flushed 1,1:done"), "{got}");
    }

    #[test]
    fn staged_inputs_wait_for_commit_and_keep_their_place() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        assert_eq!(events(&rx, 2), ["0:configured", "0:done"]);
        assert_eq!(worker.stage(Command::Process(1)), 0);
        worker.stage(Command::Process(2));
        // Nothing reaches the thread before the commit.
        assert!(rx.recv_timeout(std::time::Duration::from_millis(200)).is_err());
        worker.commit().unwrap();
        assert_eq!(events(&rx, 5), ["0:dequeued", "0:done", "0:dequeued", "0:out 2", "0:done"]);
        // A flush sent after staged input goes behind it.
        worker.stage(Command::Process(3));
        worker.send(Command::Flush(4)).unwrap();
        assert_eq!(events(&rx, 6), ["0:dequeued", "0:out 4", "0:done", "0:out 6", "0:flushed 4", "0:done"]);
        // Staged input of a generation that a reset ends is skipped, and still reports done.
        worker.stage(Command::Process(5));
        worker.reset().unwrap();
        assert_eq!(events(&rx, 2), ["0:done", "1:done"]);
    }

    #[test]
    fn a_panic_becomes_an_encoding_error_and_the_thread_lives_on() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(666)).unwrap();
        assert_eq!(events(&rx, 5), ["0:configured", "0:done", "0:dequeued", "0:error EncodingError", "0:done"]);
        worker.reset().unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(1)).unwrap();
        worker.send(Command::Flush(2)).unwrap();
        assert_eq!(events(&rx, 7), ["1:done", "1:configured", "1:done", "1:dequeued", "1:done", "1:out 2", "1:flushed 2"]);
    }

    #[test]
    fn reconfiguring_delivers_what_the_old_configuration_held_first() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        worker.send(Command::Process(3)).unwrap();
        worker.send(Command::Configure(true)).unwrap();
        assert_eq!(events(&rx, 7), ["0:configured", "0:done", "0:dequeued", "0:done", "0:out 6", "0:configured", "0:done"]);
    }

    #[test]
    fn unsupported_configuration_is_reported() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test", Doubler::default(), Collect(tx)).unwrap();
        worker.send(Command::Configure(false)).unwrap();
        assert_eq!(events(&rx, 2), ["0:error NotSupportedError", "0:done"]);
    }
}
