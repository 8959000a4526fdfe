//! Process exit while a codec is being opened.
//!
//! `process.exit()` runs the C library's exit handlers while codec threads
//! go on working. The shared libraries' destructors run last, and some free
//! what a codec library is still using as it opens: x265 sets each new
//! thread's NUMA affinity through libnuma, whose destructor frees the node
//! masks, so an exit during an x265 open crashed with SIGSEGV (a core from
//! test/stress/lifecycle.js's "exit-now", about 1 run in 40 with cold caches).
//!
//! So every codec open runs inside [`opening`], and an exit handler,
//! registered with the first open and therefore run before any library
//! destructor, waits (at most [`MOST`]) for the opens under way to finish
//! and for the threads they started to settle ([`SETTLE`]); an open asked
//! for after that point never starts (its thread parks until the process is
//! gone). Encoding and decoding themselves are left to run, as before.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::Once;
use std::time::{Duration, Instant};

use once_cell::sync::Lazy;

/// Opens under way.
static OPENING: AtomicUsize = AtomicUsize::new(0);
/// Set by the exit handler.
static EXITING: AtomicBool = AtomicBool::new(false);
/// When the last open finished, in microseconds since [`EPOCH`].
static LAST_OPENED: AtomicU64 = AtomicU64::new(0);
static EPOCH: Lazy<Instant> = Lazy::new(Instant::now);

/// The longest the exit handler waits.
pub const MOST: Duration = Duration::from_secs(1);
/// How long after an open the threads it started may still be setting
/// themselves up (x265's pool workers set their affinity as they start,
/// after the open has returned).
pub const SETTLE: Duration = Duration::from_millis(50);

/// Runs `open` (a codec library's open) unless the process is exiting.
pub fn opening<T>(open: impl FnOnce() -> T) -> T {
    register();
    // Counted before the check: the exit handler either sees this open
    // (and waits for it) or this thread sees the exit (and never opens).
    OPENING.fetch_add(1, SeqCst);
    if EXITING.load(SeqCst) {
        OPENING.fetch_sub(1, SeqCst);
        loop {
            std::thread::park();
        }
    }
    let result = open();
    LAST_OPENED.store(EPOCH.elapsed().as_micros() as u64, SeqCst);
    OPENING.fetch_sub(1, SeqCst);
    result
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        Lazy::force(&EPOCH);
        extern "C" {
            fn atexit(handler: extern "C" fn()) -> i32;
        }
        // SAFETY: registers a plain function; failure (an exhausted table)
        // leaves exits as they were.
        unsafe { atexit(at_exit) };
    });
}

extern "C" fn at_exit() {
    EXITING.store(true, SeqCst);
    let start = Instant::now();
    loop {
        let since_open = EPOCH.elapsed().saturating_sub(Duration::from_micros(LAST_OPENED.load(SeqCst)));
        if (OPENING.load(SeqCst) == 0 && since_open >= SETTLE) || start.elapsed() >= MOST {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
