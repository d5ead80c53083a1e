//! An ordered parallel map with a bounded window: how the CLI scores on several threads.
//!
//! `threads` tasks on rayon's pool each take the next index, compute its result and put it
//! in its place, while the calling thread hands the results to a sink in index order, a
//! batch at a time: the first `batch` results once all of them are done, then the next
//! `batch`, and so on (the last batch may be shorter). No task ever waits for another to
//! finish a batch: a task that finishes its item takes the next one, whatever batch it is
//! in, as long as it is fewer than `window` results ahead of the sink. That bounds the
//! results held at once, and so memory, and lets the sink's output trickle out batch by
//! batch, as the inputs are done.
//!
//! (It replaced scoring each chunk of 256 inputs with a parallel iterator and a barrier at
//! its end: at every barrier one worker waited for the other's last input, then both
//! waited to be woken for the next chunk.)
//!
//! Written batches go back to the tasks, which free them (each between two items), so
//! the calling thread only waits and writes.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// What the tasks and the sink share, under one lock.
struct State<T> {
    /// The next index to hand out.
    next: usize,
    /// The index of `ready[0]`: everything before it went to the sink.
    base: usize,
    /// Results from `base` on, in index order (`None`: not done yet).
    ready: VecDeque<Option<T>>,
    /// How many of `ready`, from the front, are done.
    done: usize,
    /// Batches the sink is finished with, for a task to free.
    spent: Vec<Vec<T>>,
    /// Stop: the sink failed, or a task panicked.
    stop: bool,
}

impl<T> State<T> {
    /// How many results the sink can take now: whole batches of the done ones, or all of
    /// them once they reach the end (`n` items), so that the output comes out in the same
    /// steps whatever the timing.
    fn writable(&self, batch: usize, n: usize) -> usize {
        if self.base + self.done == n {
            self.done
        } else {
            self.done / batch * batch
        }
    }
}

/// The lock and the two things to wait for.
struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when a batch is complete (or on `stop`): the sink waits on it.
    complete: Condvar,
    /// Signalled when the sink takes a batch (or on `stop`): tasks `window` ahead wait on it.
    room: Condvar,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // (A task that panics holds no lock while it runs `work`; a poisoned lock still
        // guards consistent state.)
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stop everything: the tasks and the sink return at their next look.
    fn stop(&self) {
        self.lock().stop = true;
        self.complete.notify_all();
        self.room.notify_all();
    }
}

/// Stops everything if a task panics (so the sink does not wait for ever for the result
/// it will not get; the scope then passes the panic on).
struct StopOnPanic<'a, T>(&'a Shared<T>);

impl<T> Drop for StopOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Compute `work(i)` for every `i` in `0..n` on `threads` tasks of rayon's pool, and give
/// the results to `sink` in order, `batch` at a time (see the module docs), with at most
/// `window` (at least `batch`) results held. The sink runs on the calling thread; the
/// first error it returns stops the work, and is returned.
pub(crate) fn ordered<T, E>(
    n: usize,
    threads: usize,
    batch: usize,
    window: usize,
    work: impl Fn(usize) -> T + Sync,
    mut sink: impl FnMut(&[T]) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
{
    let batch = batch.max(1);
    let window = window.max(batch);
    let shared = Shared {
        state: Mutex::new(State {
            next: 0,
            base: 0,
            ready: VecDeque::with_capacity(window),
            done: 0,
            spent: Vec::new(),
            stop: false,
        }),
        complete: Condvar::new(),
        room: Condvar::new(),
    };
    let task = || {
        let _guard = StopOnPanic(&shared);
        loop {
            let (i, spent) = {
                let mut s = shared.lock();
                loop {
                    if s.stop || s.next >= n {
                        return;
                    }
                    if s.next < s.base + window {
                        break;
                    }
                    s = shared.room.wait(s).unwrap_or_else(|p| p.into_inner());
                }
                s.next += 1;
                (s.next - 1, std::mem::take(&mut s.spent))
            };
            drop(spent);
            let result = work(i);
            let mut s = shared.lock();
            let at = i - s.base;
            if s.ready.len() <= at {
                s.ready.resize_with(at + 1, || None);
            }
            s.ready[at] = Some(result);
            let before = s.writable(batch, n);
            while s.done < s.ready.len() && s.ready[s.done].is_some() {
                s.done += 1;
            }
            // A batch became complete (or the last one did).
            if s.writable(batch, n) > before {
                shared.complete.notify_one();
            }
        }
    };
    rayon::in_place_scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|_| task());
        }
        let mut written = 0;
        while written < n {
            let taken: Vec<T> = {
                let mut s = shared.lock();
                let take = loop {
                    if s.stop {
                        // A task panicked: the scope passes the panic on.
                        return Ok(());
                    }
                    match s.writable(batch, n) {
                        0 => s = shared.complete.wait(s).unwrap_or_else(|p| p.into_inner()),
                        take => break take,
                    }
                };
                s.base += take;
                s.done -= take;
                let taken = s.ready.drain(..take).flatten().collect();
                shared.room.notify_all();
                taken
            };
            written += taken.len();
            if let Err(e) = sink(&taken) {
                shared.stop();
                return Err(e);
            }
            shared.lock().spent.push(taken);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_come_in_order_in_whole_batches() {
        for (n, threads, batch, window) in [
            (0, 2, 4, 8),
            (1, 2, 4, 8),
            (100, 1, 7, 7),
            (1000, 2, 16, 64),
            (1001, 3, 10, 15),
        ] {
            let mut got = Vec::new();
            let mut sizes = Vec::new();
            let r: Result<(), ()> = ordered(
                n,
                threads,
                batch,
                window,
                |i| i * 3,
                |b| {
                    sizes.push(b.len());
                    got.extend_from_slice(b);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(
                got,
                (0..n).map(|i| i * 3).collect::<Vec<_>>(),
                "{n} {threads}"
            );
            // Every batch but the last is a multiple of `batch`.
            if let Some((_, init)) = sizes.split_last() {
                assert!(init.iter().all(|s| s % batch == 0), "{sizes:?}");
            }
        }
    }

    #[test]
    fn work_stays_within_the_window_of_the_sink() {
        let (n, batch, window) = (300, 10, 30);
        // How far past what the sink was given an item was started, at most.
        let (sunk, ahead) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let mut written = 0;
        let r: Result<(), ()> = ordered(
            n,
            2,
            batch,
            window,
            |i| {
                ahead.fetch_max(
                    i.saturating_sub(sunk.load(Ordering::SeqCst)),
                    Ordering::SeqCst,
                );
                std::thread::sleep(std::time::Duration::from_micros(50));
                i
            },
            |b| {
                written += b.len();
                sunk.store(written, Ordering::SeqCst);
                // A slow sink: without the window the work would run far ahead.
                std::thread::sleep(std::time::Duration::from_millis(10));
                Ok(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(written, n);
        // Less than a window past the sink's last batch, which held at most a window.
        let ahead = ahead.load(Ordering::SeqCst);
        assert!(ahead < 2 * window, "{ahead}");
    }

    #[test]
    fn a_sink_error_stops_the_work_and_is_returned() {
        let calls = AtomicUsize::new(0);
        let r = ordered(
            100_000,
            2,
            8,
            16,
            |i| {
                calls.fetch_add(1, Ordering::SeqCst);
                i
            },
            |b| if b[0] >= 24 { Err("full") } else { Ok(()) },
        );
        assert_eq!(r, Err("full"));
        // Stopped within a window or so of the failure, not after all 100,000.
        assert!(
            calls.load(Ordering::SeqCst) < 100,
            "{}",
            calls.load(Ordering::SeqCst)
        );
    }

    #[test]
    fn a_panicking_task_does_not_leave_the_sink_waiting() {
        let r = std::panic::catch_unwind(|| {
            let _ = ordered(
                1000,
                2,
                8,
                32,
                |i| {
                    assert!(i != 77, "item 77");
                    i
                },
                |_| Ok::<(), ()>(()),
            );
        });
        assert!(r.is_err());
    }
}
