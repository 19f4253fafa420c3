//! `fenliu classify` as a stream: petitions are read as the workers need them, classified on
//! `--jobs` worker threads that each build their [`Classifier`] once (it is not `Send`), and
//! handed back in input order.
//!
//! ```text
//!  input ──▶ reader thread ──items──▶ worker 1..N ──results──▶ reorder buffer ──▶ caller
//!                 ▲                                                   │
//!                 └───────────────────── credits ─────────────────────┘
//! ```
//!
//! Memory stays bounded on any input length: the reader takes a credit before it sends an item
//! and the caller gives one back for each item it takes, so at most `window` petitions (with
//! their verdicts) are between the input and the output at once, wherever they are waiting.
//! JSON Lines (the form of large inputs) are streamed; a JSON array or one pretty-printed
//! object is read whole first, because its syntax is checked before anything is written.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fenliu::{Classifier, Diagnostic, Options, Verdict};

use crate::Rules;
use serde::Deserialize;
use serde_json::Value;

/// In-flight petitions per worker: enough that a slow petition does not stall the others.
const WINDOW_PER_JOB: usize = 256;
/// At most this many in flight, whatever `--jobs` says (the credit channel is allocated whole).
const MAX_WINDOW: usize = 1 << 16;

/// How long the caller may wait for the next verdict before it is told the pipeline is idle
/// (so it can flush what it wrote: `tail -f 信访件.jsonl | fenliu classify` shows each verdict
/// promptly, while a busy run still writes in large blocks).
const IDLE: Duration = Duration::from_millis(100);

/// Classifiers built by this process; `FENLIU_COUNT_BUILDS=1 fenliu classify …` prints it
/// (tests/cli_stream.rs checks that each worker builds one for the whole run).
static BUILDS: AtomicUsize = AtomicUsize::new(0);

/// Builds a classifier, counted in [`builds`].
pub(crate) fn build(rules: &Rules) -> Result<Classifier, fenliu::Error> {
    BUILDS.fetch_add(1, Ordering::Relaxed);
    rules.classifier()
}

/// How many classifiers [`build`] has built so far.
pub(crate) fn builds() -> usize {
    BUILDS.load(Ordering::Relaxed)
}

/// The petitions of an input, read as far as it takes to tell its form.
pub(crate) enum Input {
    /// JSON Lines: read line by line. Replays what was read to tell the form.
    Lines(Box<dyn BufRead + Send>),
    /// A JSON array or one pretty-printed object, read whole: `(line, JSON text)`.
    Items(Vec<(usize, String)>),
}

impl Input {
    /// Opens `file` (or standard input) and tells its form as `split_input` does for a whole
    /// input: a JSON array when it starts with `[`; one object written over several lines when
    /// the first non-blank line is not JSON but the whole input is; JSON Lines otherwise.
    /// Reads only what that takes, except for an array or an object, which are read whole.
    pub(crate) fn open(file: &Option<PathBuf>, label: &str) -> Result<Input, fenliu::Error> {
        let reader: Box<dyn BufRead + Send> = match file.as_deref().filter(|p| p.as_os_str() != "-") {
            Some(p) => Box::new(BufReader::with_capacity(1 << 16, std::fs::File::open(p).map_err(|e| io_error(&e, label))?)),
            None => Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
        };
        Self::from_reader(reader, label)
    }

    fn from_reader(mut reader: Box<dyn BufRead + Send>, label: &str) -> Result<Input, fenliu::Error> {
        // Blank lines, then the first line with something on it.
        let mut seen = String::new();
        let first = loop {
            let start = seen.len();
            if reader.read_line(&mut seen).map_err(|e| io_error(&e, label))? == 0 {
                return Ok(Input::Lines(Box::new(Cursor::new(seen.into_bytes()).chain(reader))));
            }
            let line = seen.get(start..).unwrap_or_default();
            if !line.trim().is_empty() {
                break line.to_owned();
            }
        };
        if first.trim_start().starts_with('[') {
            reader.read_to_string(&mut seen).map_err(|e| io_error(&e, label))?;
            return crate::split_input(&seen, label).map(Input::Items);
        }
        if serde_json::from_str::<Value>(&first).is_ok() {
            return Ok(Input::Lines(Box::new(Cursor::new(seen.into_bytes()).chain(reader))));
        }
        // The first line is not JSON: the whole input may be one object over several lines.
        // Parse one value from the stream, keeping every byte read: JSON Lines fail within
        // their first lines (a string cannot span a line's end, and nothing separates one
        // line's value from the next), and are then replayed from their start.
        let mut tee = Tee { inner: Cursor::new(seen.into_bytes()).chain(reader), seen: Vec::new() };
        let whole = {
            let mut de = serde_json::Deserializer::from_reader(&mut tee);
            Value::deserialize(&mut de).and_then(|_| de.end()).is_ok()
        };
        let Tee { inner, seen } = tee;
        if whole {
            // The deserializer has read to the end; the text is what it read.
            let text = String::from_utf8(seen).map_err(|_| io_error(&io::Error::from(io::ErrorKind::InvalidData), label))?;
            return Ok(Input::Items(vec![(1, text)]));
        }
        let (rest_of_first, reader) = inner.into_inner();
        let rest = rest_of_first.get_ref().get(usize::try_from(rest_of_first.position()).unwrap_or(usize::MAX)..).unwrap_or_default().to_vec();
        Ok(Input::Lines(Box::new(Cursor::new(seen).chain(Cursor::new(rest)).chain(reader))))
    }

    /// The number of petitions, when known without reading on: an array's or object's.
    pub(crate) fn len(&self) -> Option<usize> {
        match self {
            Input::Items(items) => Some(items.len()),
            Input::Lines(_) => None,
        }
    }
}

/// Non-blank lines of a regular file (a progress bar's length); `None` for anything else.
pub(crate) fn count_lines(file: &Option<PathBuf>) -> Option<u64> {
    let path = file.as_deref().filter(|p| p.as_os_str() != "-" && p.is_file())?;
    let reader = BufReader::with_capacity(1 << 16, std::fs::File::open(path).ok()?);
    let mut n = 0;
    for line in reader.split(b'\n') {
        if !String::from_utf8_lossy(&line.ok()?).trim().is_empty() {
            n += 1;
        }
    }
    Some(n)
}

fn io_error(e: &io::Error, label: &str) -> fenliu::Error {
    Diagnostic::error("input.io", format!("无法读取 {label}：{}", fenliu::io_message(e)), "检查文件路径；输入须为 UTF-8 的 JSON 或 JSONL。").into()
}

/// A reader that keeps a copy of every byte read through it.
struct Tee<R> {
    inner: R,
    seen: Vec<u8>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// One petition of the input, classified.
pub(crate) struct Classified {
    /// Its line in the input (1-based; an array item's position).
    pub(crate) line: usize,
    /// Its JSON text, as read.
    pub(crate) json: String,
    pub(crate) result: Result<Verdict, fenliu::Error>,
}

struct Item {
    seq: u64,
    line: usize,
    json: String,
}

enum Message {
    /// Boxed: a verdict is large, and it moves through a channel and the reorder buffer.
    Done(u64, Box<Classified>),
    /// The reader has stopped after sending this many items.
    End(u64),
    /// The input could not be read on (after the items already sent).
    Failed(fenliu::Error),
}

/// Classifies `input` on `jobs` worker threads; [`Ordered::next`] yields the results in input
/// order. The threads are detached: they end when the input does, or when the `Ordered` is
/// dropped (a closed output pipe) — a reader blocked on a terminal ends with the process.
pub(crate) fn classify(input: Input, ruleset: Rules, options: Options, label: String, jobs: usize) -> Result<Ordered, fenliu::Error> {
    let jobs = jobs.max(1);
    let window = jobs.saturating_mul(WINDOW_PER_JOB).min(MAX_WINDOW);
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        // INVARIANT: the channel holds `window` credits, so these never block.
        let _ = credit_tx.try_send(());
    }
    let (item_tx, item_rx) = mpsc::channel::<Item>();
    let (result_tx, result_rx) = mpsc::channel::<Message>();
    let spawn_error = |e: io::Error| -> fenliu::Error {
        Diagnostic::error("cli.thread", format!("无法启动工作线程：{}", fenliu::io_message(&e)), "减少 --jobs 的线程数后重试。").into()
    };

    let item_rx = Arc::new(Mutex::new(item_rx));
    let shared = Arc::new((ruleset, options, label.clone()));
    for w in 0..jobs {
        let (items, results, shared) = (Arc::clone(&item_rx), result_tx.clone(), Arc::clone(&shared));
        std::thread::Builder::new().name(format!("fenliu-worker-{}", w + 1)).spawn(move || work(&items, &results, &shared.0, &shared.1, &shared.2)).map_err(spawn_error)?;
    }
    std::thread::Builder::new().name("fenliu-reader".to_owned()).spawn(move || read(input, &label, &credit_rx, &item_tx, &result_tx)).map_err(spawn_error)?;
    Ok(Ordered { results: result_rx, credits: credit_tx, pending: BTreeMap::new(), next: 0, sent: None, failed: None })
}

/// The reader thread: sends the input's petitions with their sequence numbers, one credit each.
fn read(input: Input, label: &str, credits: &Receiver<()>, items: &Sender<Item>, results: &Sender<Message>) {
    let mut seq = 0;
    let mut send = |line: usize, json: String| -> bool {
        // No credit: the caller has gone (closed output); stop reading.
        let sent = credits.recv().is_ok() && items.send(Item { seq, line, json }).is_ok();
        if sent {
            seq += 1;
        }
        sent
    };
    read_into(input, label, &mut send, results);
    let _ = results.send(Message::End(seq));
}

fn read_into(input: Input, label: &str, send: &mut impl FnMut(usize, String) -> bool, results: &Sender<Message>) {
    match input {
        Input::Items(list) => {
            for (line, json) in list {
                if !send(line, json) {
                    return;
                }
            }
        }
        Input::Lines(mut reader) => {
            let mut text = String::new();
            let mut line = 0;
            loop {
                text.clear();
                match reader.read_line(&mut text) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e) => {
                        let _ = results.send(Message::Failed(io_error(&e, label)));
                        return;
                    }
                }
                line += 1;
                // As `str::lines`: "\n" or "\r\n" ends a line; blank lines are skipped.
                let body = text.strip_suffix('\n').map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
                if !body.trim().is_empty() && !send(line, body.to_owned()) {
                    return;
                }
            }
        }
    }
}

/// A worker thread: builds its classifier with its first petition (a one-petition input builds
/// one, not one per core), then classifies petitions until the input ends.
fn work(items: &Mutex<Receiver<Item>>, results: &Sender<Message>, ruleset: &Rules, options: &Options, label: &str) {
    let mut classifier: Option<Result<Classifier, fenliu::Error>> = None;
    loop {
        let next = match items.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(Item { seq, line, json }) = next else { return };
        let result = match classifier.get_or_insert_with(|| build(ruleset)) {
            Ok(c) => c.classify_json(&json, options).map_err(|e| crate::on_line(e, label, line, &json)),
            Err(e) => Err(e.clone()),
        };
        if results.send(Message::Done(seq, Box::new(Classified { line, json, result }))).is_err() {
            return;
        }
    }
}

/// The results in input order (a reorder buffer keyed by sequence number).
pub(crate) struct Ordered {
    results: Receiver<Message>,
    credits: SyncSender<()>,
    pending: BTreeMap<u64, Box<Classified>>,
    next: u64,
    /// How many petitions the reader sent, once it has stopped.
    sent: Option<u64>,
    failed: Option<fenliu::Error>,
}

impl Ordered {
    /// The next petition's result, in input order; `on_idle` runs when it is not ready within a
    /// moment (before waiting on). `None` at the end; `Some(Err)` once, last, when the input
    /// could not be read to its end.
    pub(crate) fn next(&mut self, mut on_idle: impl FnMut()) -> Option<Result<Classified, fenliu::Error>> {
        loop {
            if let Some(c) = self.pending.remove(&self.next) {
                self.next += 1;
                let _ = self.credits.send(()); // Fails only once the reader has stopped.
                return Some(Ok(*c));
            }
            let message = match self.results.try_recv() {
                Ok(m) => Ok(m),
                Err(TryRecvError::Empty) => match self.results.recv_timeout(IDLE) {
                    Ok(m) => Ok(m),
                    Err(RecvTimeoutError::Timeout) => {
                        on_idle();
                        self.results.recv()
                    }
                    Err(RecvTimeoutError::Disconnected) => Err(mpsc::RecvError),
                },
                Err(TryRecvError::Disconnected) => Err(mpsc::RecvError),
            };
            match message {
                Ok(Message::Done(seq, c)) => {
                    self.pending.insert(seq, c);
                }
                Ok(Message::End(n)) => self.sent = Some(n),
                Ok(Message::Failed(e)) => self.failed = Some(e),
                // Every thread has finished: the input is done.
                Err(_) => {
                    if let Some(e) = self.failed.take() {
                        return Some(Err(e));
                    }
                    if self.sent.is_none_or(|n| self.next < n) {
                        // A thread ended without sending what it owed (cannot happen: workers
                        // return errors as results, and the reader always says where it stopped).
                        self.sent = Some(self.next);
                        return Some(Err(Diagnostic::error("cli.thread", "工作线程意外退出，结果不全", "请重试；仍出错请报告此问题。").into()));
                    }
                    return None;
                }
            }
        }
    }
}
