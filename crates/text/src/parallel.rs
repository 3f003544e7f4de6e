//! CPU work over many items on all cores, in order: indexing analyses each document and import
//! fingerprints each one independently, and on a small machine one core left idle is half of it.
//!
//! Plain scoped threads, one contiguous slice of the items each: the batches are big (hundreds
//! of documents) and even enough that work stealing would gain nothing a dependency could.

use std::num::NonZeroUsize;
use std::thread;

/// Items per thread below which the work stays on the calling thread (a thread costs tens of
/// microseconds; a document's analysis costs about a millisecond).
const MIN_ITEMS_PER_THREAD: usize = 4;

/// Threads to use: the cores this process may run on.
pub fn threads() -> usize {
    thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `f` of every item, in the items' order, computed on up to [`threads`] threads.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = threads().min(items.len() / MIN_ITEMS_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for worker in workers {
            match worker.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is a bug: let it surface on the caller's thread as it would
                // have without threads.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        for n in [0, 1, 3, 7, 8, 100, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let squares = map(&items, |i| i * i);
            assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        }
    }
}
