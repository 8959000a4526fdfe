//! Codec threads run with SCHED_IDLE; when other threads keep every CPU
//! busy, the starvation watchdog must give them a fair share (so the work
//! finishes instead of stalling), and take it back once all is idle.
//! Linux only (SCHED_IDLE is Linux's).
#![cfg(target_os = "linux")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use webcodecs_core::error::Result;
use webcodecs_core::starvation;
use webcodecs_core::worker::{Command, Event, Processor, Sink, Worker};

/// Each input costs about 5 ms of CPU.
struct Burner;

impl Processor for Burner {
    type Config = ();
    type Input = u64;
    type Output = u64;
    fn configure(&mut self, _: ()) -> Result<()> {
        Ok(())
    }
    fn process(&mut self, input: u64, emit: &mut dyn FnMut(u64)) -> Result<()> {
        let start = Instant::now();
        let mut x = input;
        while start.elapsed() < Duration::from_millis(5) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        }
        emit(x);
        Ok(())
    }
    fn flush(&mut self, _: &mut dyn FnMut(u64)) -> Result<()> {
        Ok(())
    }
    fn reset(&mut self) {}
}

struct Flushed(mpsc::Sender<u32>);
impl Sink<u64> for Flushed {
    fn send(&self, _: u64, event: Event<u64>) {
        if let Event::Flushed(id) = event {
            let _ = self.0.send(id);
        }
    }
}

/// The scheduling policy of this process's thread named `name` (0 other, 5 idle).
fn policy_of(name: &str) -> Option<i32> {
    for entry in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let path = entry.path();
        if std::fs::read_to_string(path.join("comm")).ok()?.trim() == name {
            let stat = std::fs::read_to_string(path.join("stat")).ok()?;
            // Field 41 (policy), counted after the command name's closing parenthesis.
            let rest = &stat[stat.rfind(')')? + 2..];
            return rest.split(' ').nth(38)?.parse().ok();
        }
    }
    None
}

#[test]
fn starved_codec_threads_get_a_share_and_give_it_back() {
    std::env::remove_var("WEBCODECS_THREAD_PRIORITY");
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn("burner-codec", Burner, Flushed(tx)).unwrap();
    worker.send(Command::Configure(())).unwrap();
    worker.send(Command::Flush(0)).unwrap();
    rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(policy_of("burner-codec"), Some(5), "codec threads start with SCHED_IDLE");
    assert!(!starvation::boosted());

    // Normal-priority threads keep every CPU busy.
    let stop = Arc::new(AtomicBool::new(false));
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hogs: Vec<_> = (0..cpus)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
        })
        .collect();
    // 100 inputs of 5 ms: at SCHED_IDLE's weight next to the hogs this would
    // take minutes; with a fair share, about a second.
    for i in 0..100 {
        worker.send(Command::Process(i)).unwrap();
    }
    worker.send(Command::Flush(1)).unwrap();
    let done = rx.recv_timeout(Duration::from_secs(60));
    let was_boosted = starvation::boosted();
    let boosted_policy = policy_of("burner-codec");
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        hog.join().unwrap();
    }
    assert_eq!(done, Ok(1), "the work finished while the CPUs were busy");
    assert!(was_boosted, "the watchdog gave the starved codec a share");
    assert_eq!(boosted_policy, Some(0), "the codec thread ran as an ordinary thread meanwhile");

    // Idle again: back to SCHED_IDLE after the watchdog's relax period.
    let deadline = Instant::now() + starvation::RELAX * 5;
    while starvation::boosted() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!starvation::boosted());
    assert_eq!(policy_of("burner-codec"), Some(5));
}
