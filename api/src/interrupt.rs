//! Ctrl-C while the shell runs a statement someone typed.
//!
//! rustyline keeps a SIGINT handler of its own for as long as its editor lives, and that
//! handler only notes the key for the next line read: a `^C` typed while a statement ran
//! did nothing, and the analyst waited for the statement, up to `--timeout` (300 s by
//! default). For a statement's time, [`watch`] puts a handler of daryn's in its place,
//! which sets a flag; a thread of its own turns the flag into the statement's stop (a
//! statement may keep every worker of the runtime busy, as for the time limit), and the
//! editor's handler is put back when the statement ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set by the handler: the one thing a signal handler may safely do here.
static PRESSED: AtomicBool = AtomicBool::new(false);

extern "C" fn pressed(_signal: libc::c_int) {
    PRESSED.store(true, Ordering::SeqCst);
}

/// The handler that was in place before [`watch`], put back when dropped (`None` when
/// daryn's could not be put in its place, and nothing is to be put back).
pub struct Watching {
    before: Option<libc::sigaction>,
}

/// Watches for Ctrl-C until the returned guard is dropped; the future resolves when it
/// is pressed.
#[allow(unsafe_code)]
pub fn watch() -> (Watching, impl Future<Output = ()>) {
    PRESSED.store(false, Ordering::SeqCst);
    // SAFETY: `sigaction` is given a zeroed `sigaction` filled in as the C API asks (the
    // handler's address, an empty mask, `SA_RESTART` so that other threads' reads and
    // writes are not cut short) and a valid place for the previous action. The handler
    // only stores to an atomic, which is async-signal-safe.
    let before = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = pressed as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let mut before: libc::sigaction = std::mem::zeroed();
        // Failed, `before` would be zeroed, and putting it back would end the shell at the
        // next Ctrl-C typed at its prompt: the statement then runs as it did before.
        (libc::sigaction(libc::SIGINT, &action, &mut before) == 0).then_some(before)
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        // Ends once the statement has ended (the receiver gone) or Ctrl-C was pressed.
        while !stop.is_closed() {
            if PRESSED.swap(false, Ordering::SeqCst) {
                let _ = stop.send(());
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let stopped = async move {
        // The sender is only dropped once it has sent, or once this future is gone.
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    (Watching { before }, stopped)
}

impl Drop for Watching {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        if let Some(before) = &self.before {
            // SAFETY: puts back the action `sigaction` gave in `watch`, unchanged.
            unsafe {
                libc::sigaction(libc::SIGINT, before, std::ptr::null_mut());
            }
        }
    }
}
